/**
 * What the signal stream yields: a record with the simulator's ground truth about it. Valid events carry
 * the label the model is trained on; bad events carry the dead-letter reason the pipeline must give them.
 */
import type { Signal, SignalByKind, SignalKind } from '../codec/types.js';
import type { DlqReason } from '../errors.js';
import type { Label, ScenarioId } from './scenario-catalogue.js';

interface EventMeta {
  /**
   * Simulated time of the event, epoch ms: the `observedAt` of a valid record. Non-decreasing along the
   * stream, bad events included (whose `observedAt` may be wrong on purpose); a publisher never sends an
   * event before this time.
   */
  readonly at: number;
  /** Index of the subject in the population. */
  readonly subjectIndex: number;
}

/** A valid record of kind `K` with its ground truth. */
export interface ValidEventOf<K extends SignalKind> extends EventMeta {
  readonly valid: true;
  readonly kind: K;
  readonly record: SignalByKind[K];
  /** The subject's scenario (`ordinary` for most). */
  readonly scenario: ScenarioId;
  /** Whether, at this moment, someone other than the subject is behind the identity. */
  readonly label: Label;
  /** The scenario step that made it (e.g. `sim-swap-takeover/telecom`); null for everyday activity. */
  readonly step: string | null;
  /**
   * An identity claim: a person presenting themselves as the subject (every biometric capture). The
   * labelled-data generator scores the subject at these moments.
   */
  readonly claim: boolean;
}

/** A valid record of any kind with its ground truth; `kind` tells the shape of `record`. */
export type ValidEvent = { [K in SignalKind]: ValidEventOf<K> }[SignalKind];

/**
 * How the bytes of a bad event are made from its record:
 * - `none`: the record encoded as it is (it breaks a rule beyond the schema);
 * - `json`: the record as JSON text instead of Avro (DECODE_BAD_MAGIC);
 * - `unknown-fingerprint`: the 8 fingerprint bytes replaced by `noiseHex` (DECODE_UNKNOWN_SCHEMA);
 * - `truncated`: the encoding cut inside the body, keeping `keepFraction` of it (DECODE_TRUNCATED);
 * - `trailing-bytes`: `noiseHex` appended after the record (DECODE_MALFORMED);
 * - `wrong-topic`: a valid record of `recordKind` sent to the topic of `kind` (DECODE_SCHEMA_MISMATCH).
 */
export type Corruption =
  'none' | 'json' | 'unknown-fingerprint' | 'truncated' | 'trailing-bytes' | 'wrong-topic';

/** A record tagged with its kind, kept together so that the pair stays consistent. */
export type TaggedRecord = {
  [K in SignalKind]: { readonly kind: K; readonly record: SignalByKind[K] };
}[SignalKind];

/** A deliberately invalid record, made for dead-letter tests. */
export interface BadEvent extends EventMeta {
  readonly valid: false;
  /** The topic kind it is published to. */
  readonly kind: SignalKind;
  /** The record the bytes are made from (`source.record`); of another kind than `kind` for wrong-topic. */
  readonly record: Signal;
  readonly source: TaggedRecord;
  readonly scenario: 'bad-input';
  /** The Kafka record key (the record's subjectId, except for KEY_MISMATCH). */
  readonly key: string;
  /** The `dlq.reason` the pipeline must give it. */
  readonly expectedReason: DlqReason;
  readonly corruption: Corruption;
  /** Hex bytes the corruption uses (fingerprint or trailing bytes); empty otherwise. */
  readonly noiseHex: string;
  /** For `truncated`: the share of the Avro body kept, in [0, 1). */
  readonly keepFraction: number;
}

export type SimulatedEvent = ValidEvent | BadEvent;
