/**
 * `dmid consume --topic T`: records of a topic out as JSON lines on stdout, one per record.
 * Reads under its own throw-away consumer group unless --group is given, so it never moves the offsets of
 * the scoring workers.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Codec, DecodedRecord } from '../codec/codec.js';
import { createConfiguredCodec } from '../codec/schema-files.js';
import type { RecordType } from '../codec/types.js';
import { allTopics, loadConfig } from '../config.js';
import { DmidError } from '../errors.js';
import type { ConsumedRecord } from '../ingest/kafka-client.js';
import { consumeRecords } from '../ingest/kafka-reader.js';
import { usage, writeLine, type CliIo } from './io.js';
import { count } from './suggest.js';
import { kafkaClientFor } from './kafka-config.js';
import { recordTypeFor } from './record-types.js';

export const CONSUME_HELP = `Usage: dmid consume --topic TOPIC [options]

Writes the records of TOPIC to standard output as JSON lines, decoded from Avro. Runs until
interrupted (Ctrl-C), or until --max records or --idle-ms without a record.

Options:
  --topic TOPIC       topic to read (required)
  --type TYPE         record type to expect (default: the type of the contract's topic of that
                      name; for other topics, any known record)
  --from-beginning    start at the oldest record (default: only new records)
  --max N             stop after N records
  --idle-ms MS        stop after MS milliseconds without a record (counted from the start too)
  --group GROUP       consumer group (default: a new throw-away group)
  --envelope          one JSON object per record with topic, partition, offset, key, timestamp,
                      headers and value; records that do not decode appear with their error and
                      valueBase64 instead of being skipped (use this for signals.dlq)

Without --envelope, a record that does not decode is reported on stderr and the exit code is 1.`;

interface Options {
  readonly topic: string;
  readonly type: RecordType | undefined;
  readonly fromBeginning: boolean;
  readonly max: number | undefined;
  readonly idleMs: number | undefined;
  readonly group: string;
  readonly envelope: boolean;
}

function wholeNumber(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw usage(`${flag} must be a whole number >= 1`);
  return value;
}

function parse(args: string[], io: CliIo): Options & { config: ReturnType<typeof loadConfig> } {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    options: {
      topic: { type: 'string' },
      type: { type: 'string' },
      'from-beginning': { type: 'boolean' },
      max: { type: 'string' },
      'idle-ms': { type: 'string' },
      group: { type: 'string' },
      envelope: { type: 'boolean' },
    },
  });
  if (values.topic === undefined) throw usage('--topic is required');
  if (positionals.length > 0) throw usage('consume takes no FILE');
  const config = loadConfig(io.env);
  let type: RecordType | undefined;
  if (values.type !== undefined) type = recordTypeFor(values.topic, values.type, config.topics.names);
  else if (
    allTopics(config.topics.names).includes(values.topic) &&
    values.topic !== config.topics.names.dlq
  ) {
    type = recordTypeFor(values.topic, undefined, config.topics.names);
  }
  return {
    config,
    topic: values.topic,
    type,
    fromBeginning: values['from-beginning'] === true,
    max: wholeNumber('--max', values.max),
    idleMs: wholeNumber('--idle-ms', values['idle-ms']),
    group: values.group ?? `dmid-consume-${randomUUID()}`,
    envelope: values.envelope === true,
  };
}

/** Any known record; when the topic's type is known, a record of another type is a mismatch. */
function decode(codec: Codec, type: RecordType | undefined, value: Buffer | null): DecodedRecord {
  if (value === null)
    throw new DmidError('DMID_CODEC_TRUNCATED', 'The record has no value.', { reason: 'DECODE_TRUNCATED' });
  const decoded = codec.decodeAny(value);
  if (type !== undefined && decoded.type !== type) {
    throw new DmidError(
      'DMID_CODEC_SCHEMA_MISMATCH',
      `A ${decoded.type} record where a ${type} was expected.`,
      {
        reason: 'DECODE_SCHEMA_MISMATCH',
      },
    );
  }
  return decoded;
}

function envelopeLine(options: Options, record: ConsumedRecord, body: Record<string, unknown>): string {
  const head = {
    topic: options.topic,
    partition: record.partition,
    offset: record.offset,
    key: record.key,
    timestamp: record.timestamp,
    headers: record.headers,
  };
  return JSON.stringify({ ...head, ...body });
}

/** The output line of one record, or null when it does not decode and there is no envelope to say so. */
function lineFor(options: Options, codec: Codec, record: ConsumedRecord, io: CliIo): string | null {
  try {
    const decoded = decode(codec, options.type, record.value);
    const json = codec.toJson(decoded.type, decoded.value);
    if (!options.envelope) return json;
    return envelopeLine(options, record, { type: decoded.type, value: JSON.parse(json) as unknown });
  } catch (error) {
    if (!(error instanceof DmidError)) throw error;
    if (options.envelope) {
      const valueBase64 = record.value?.toString('base64') ?? null;
      return envelopeLine(options, record, {
        error: { code: error.code, reason: error.reason },
        valueBase64,
      });
    }
    io.stderr.write(
      `dmid: partition ${record.partition} offset ${record.offset}: ${error.code}: ${error.message}\n`,
    );
    return null;
  }
}

/** Stops reading on Ctrl-C, after --max records, or after --idle-ms without a record. */
function stopper(options: Options, io: CliIo): { signal: AbortSignal; onRecord(): void; dispose(): void } {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  io.signal.addEventListener('abort', stop, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    if (options.idleMs === undefined) return;
    clearTimeout(timer);
    timer = setTimeout(stop, options.idleMs);
  };
  arm();
  let seen = 0;
  return {
    signal: controller.signal,
    onRecord() {
      seen += 1;
      if (options.max !== undefined && seen >= options.max) stop();
      else arm();
    },
    dispose() {
      clearTimeout(timer);
      io.signal.removeEventListener('abort', stop);
    },
  };
}

export async function consumeCommand(args: string[], io: CliIo): Promise<number> {
  const options = parse(args, io);
  const codec = createConfiguredCodec(options.config.extraSchemaDir);
  const client = kafkaClientFor(options.config);
  const stop = stopper(options, io);
  // Counted here, as written: the reader's own count misses the record whose handler stopped it.
  let read = 0;
  let undecoded = 0;
  try {
    await consumeRecords({
      client,
      topic: options.topic,
      groupId: options.group,
      fromBeginning: options.fromBeginning,
      signal: stop.signal,
      onRecord: async (record) => {
        if (stop.signal.aborted) return;
        read += 1;
        const line = lineFor(options, codec, record, io);
        if (line === null) undecoded += 1;
        else await writeLine(io.stdout, line);
        stop.onRecord();
      },
    });
    io.stderr.write(`dmid: read ${count(read, 'record')} from ${options.topic}\n`);
  } finally {
    stop.dispose();
  }
  if (undecoded > 0) {
    io.stderr.write(
      `dmid: ${count(undecoded, 'record')} did not decode (use --envelope to see ${undecoded === 1 ? 'it' : 'them'})\n`,
    );
  }
  return undecoded > 0 ? 1 : 0;
}
