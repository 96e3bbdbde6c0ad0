/**
 * Simulated events to Kafka records: the Avro single-object bytes of the record, keyed by subjectId, on
 * the topic of its kind; bad events broken the way their `corruption` says (events.ts).
 */
import type { Codec } from '../codec/codec.js';
import type { SignalKind } from '../codec/types.js';
import type { SimulatedEvent, TaggedRecord } from './events.js';

/** A record for a topic, in the shape of the Kafka client's `ProduceRecord`. */
export interface SimulatedRecord {
  readonly key: string;
  readonly value: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface EncodedEvent {
  /** Which signal topic the record goes to. */
  readonly topicKind: SignalKind;
  readonly record: SimulatedRecord;
}

/**
 * Header on every bad record naming the `dlq.reason` it must get, so that dead-letter tests can check
 * the pipeline against the simulator's intent. Valid records carry no header: headers cost bytes on
 * every record of a benchmark.
 */
export const EXPECTED_REASON_HEADER = 'sim.expected-reason';

/** Bytes before the Avro body in single-object encoding: marker (2) and fingerprint (8). */
const HEADER_BYTES = 10;

export function encodeTagged(codec: Codec, tagged: TaggedRecord): Buffer {
  switch (tagged.kind) {
    case 'telecom':
      return codec.encode('telecom', tagged.record);
    case 'location':
      return codec.encode('location', tagged.record);
    case 'biometric':
      return codec.encode('biometric', tagged.record);
    case 'registry':
      return codec.encode('registry', tagged.record);
  }
}

function badBytes(codec: Codec, event: Extract<SimulatedEvent, { valid: false }>): Buffer {
  if (event.corruption === 'json') return Buffer.from(JSON.stringify(event.record), 'utf8');
  const encoded = encodeTagged(codec, event.source);
  switch (event.corruption) {
    case 'unknown-fingerprint': {
      const copy = Buffer.from(encoded);
      Buffer.from(event.noiseHex, 'hex').copy(copy, 2);
      return copy;
    }
    case 'truncated': {
      const body = encoded.length - HEADER_BYTES;
      return encoded.subarray(0, HEADER_BYTES + Math.floor(event.keepFraction * body));
    }
    case 'trailing-bytes':
      return Buffer.concat([encoded, Buffer.from(event.noiseHex, 'hex')]);
    case 'none':
    case 'wrong-topic':
      return encoded;
  }
}

/** The record to publish for an event, and the kind of topic it goes to. */
export function encodeEvent(codec: Codec, event: SimulatedEvent): EncodedEvent {
  if (event.valid) {
    return {
      topicKind: event.kind,
      record: { key: event.record.subjectId, value: encodeTagged(codec, event) },
    };
  }
  return {
    topicKind: event.kind,
    record: {
      key: event.key,
      value: badBytes(codec, event),
      headers: { [EXPECTED_REASON_HEADER]: event.expectedReason },
    },
  };
}
