/**
 * `dmid produce --topic T [FILE]`: JSON lines in, Avro single-object records out, keyed by subjectId.
 * Every line is parsed, checked and encoded before anything is sent, so a bad line sends nothing.
 */
import { parseArgs } from 'node:util';
import type { Codec, DecodedRecord } from '../codec/codec.js';
import { createConfiguredCodec } from '../codec/schema-files.js';
import type { RecordType } from '../codec/types.js';
import { loadConfig } from '../config.js';
import { DmidError } from '../errors.js';
import { produceRecords, type ProduceRecord } from '../ingest/kafka-client.js';
import { VALID, validateSignal, type ValidationResult, type ValidationRules } from '../ingest/validate.js';
import { readLines, usage, type CliIo } from './io.js';
import { count } from './suggest.js';
import { kafkaClientFor } from './kafka-config.js';
import { recordTypeFor } from './record-types.js';

export const PRODUCE_HELP = `Usage: dmid produce --topic TOPIC [--type TYPE] [--no-validate] [FILE]

Reads JSON lines (one record each) from FILE or standard input and writes each as an Avro
single-object record to TOPIC, keyed by its subjectId (anchors: anchorId). Timestamps are epoch
milliseconds. Blank lines are ignored. Nothing is sent unless every line is valid.

Options:
  --topic TOPIC   topic to write to (required)
  --type TYPE     record type: telecom, location, biometric, registry, score, anchor
                  (default: the type the contract's topic of that name carries)
  --no-validate   skip the checks beyond the schema (ranges, pseudonym format, PII guard), to
                  produce deliberately bad records when testing the dead-letter path`;

interface Parsed {
  readonly topic: string;
  readonly type: RecordType;
  readonly validate: boolean;
  readonly file: string | undefined;
}

function parse(args: string[], io: CliIo): Parsed & { config: ReturnType<typeof loadConfig> } {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { topic: { type: 'string' }, type: { type: 'string' }, 'no-validate': { type: 'boolean' } },
  });
  if (values.topic === undefined) throw usage('--topic is required');
  if (positionals.length > 1) throw usage('produce takes at most one FILE');
  const config = loadConfig(io.env);
  const type = recordTypeFor(values.topic, values.type, config.topics.names);
  return {
    config,
    topic: values.topic,
    type,
    validate: values['no-validate'] !== true,
    file: positionals[0],
  };
}

function lineError(lineNumber: number, error: unknown): unknown {
  if (error instanceof DmidError) {
    return new DmidError(error.code, `line ${lineNumber}: ${error.message}`, {
      field: error.field,
      cause: error,
    });
  }
  if (error instanceof SyntaxError)
    return new DmidError('DMID_INPUT_INVALID', `line ${lineNumber}: not valid JSON`);
  return error;
}

/** One JSON line to one record: parse, encode (schema check), decode back (typed), validate. */
function toRecord(line: string, parsed: Parsed, codec: Codec, rules: ValidationRules): ProduceRecord {
  const value = codec.encodeJson(parsed.type, JSON.parse(line));
  const decoded = codec.decodeAny(value);
  if (parsed.validate) {
    const result = validateDecoded(decoded, Date.now(), rules);
    if (!result.ok) {
      throw new DmidError('DMID_VALIDATION_FAILED', `${result.reason}: ${result.message}`, {
        reason: result.reason,
        field: result.field,
      });
    }
  }
  const key =
    decoded.type === 'anchor' || decoded.type === 'receipt'
      ? decoded.value.anchorId
      : decoded.value.subjectId;
  return { key, value };
}

/** Signals get the rules beyond the schema; dmid's own outputs (scores, anchors, alerts, receipts) have none. */
function validateDecoded(decoded: DecodedRecord, nowMs: number, rules: ValidationRules): ValidationResult {
  switch (decoded.type) {
    case 'telecom':
      return validateSignal('telecom', decoded.value, nowMs, rules);
    case 'location':
      return validateSignal('location', decoded.value, nowMs, rules);
    case 'biometric':
      return validateSignal('biometric', decoded.value, nowMs, rules);
    case 'registry':
      return validateSignal('registry', decoded.value, nowMs, rules);
    case 'score':
    case 'anchor':
    case 'alert':
    case 'receipt':
      return VALID;
  }
}

export async function produceCommand(args: string[], io: CliIo): Promise<number> {
  const parsed = parse(args, io);
  const codec = createConfiguredCodec(parsed.config.extraSchemaDir);
  const rules: ValidationRules = { maxFutureSkewMs: parsed.config.validation.maxFutureSkewMs };
  const records: ProduceRecord[] = [];
  let lineNumber = 0;
  for await (const line of readLines(io, parsed.file)) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    try {
      records.push(toRecord(line, parsed, codec, rules));
    } catch (error) {
      throw lineError(lineNumber, error);
    }
  }
  const producer = await kafkaClientFor(parsed.config).producer();
  try {
    const result = await produceRecords(producer, parsed.topic, records);
    io.stderr.write(`dmid: produced ${count(result.records, `${parsed.type} record`)} to ${parsed.topic}\n`);
    return 0;
  } finally {
    await producer.disconnect();
  }
}
