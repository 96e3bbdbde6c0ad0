/**
 * The first step of a batch: every record is decoded and checked, and ends either as a valid signal
 * (grouped by subject, in consumed order) or as a dead letter with its reason. Pure: no I/O.
 */
import type { Codec } from '../codec/codec.js';
import type { Signal, SignalKind } from '../codec/types.js';
import { isDmidError } from '../errors.js';
import type { KindedSignal, SubjectSignals } from '../state/state-store.js';
import type { DeadLetter } from './dead-letter.js';
import type { InboundRecord } from './transport.js';
import { validateRecordKey, validateSignal, type ValidationRules } from './validate.js';

export interface DecodedBatch {
  /** One entry per subject, in the order subjects first appeared in the batch. */
  readonly subjects: SubjectSignals[];
  readonly deadLetters: DeadLetter[];
  /** Valid signals, for latency accounting: observedAt and the record timestamp of each. */
  readonly timings: { readonly observedAtMs: number; readonly timestampMs: number }[];
}

export function decodeBatch(
  kind: SignalKind,
  records: readonly InboundRecord[],
  codec: Codec,
  rules: ValidationRules,
  nowMs: number,
): DecodedBatch {
  const bySubject = new Map<string, KindedSignal[]>();
  const deadLetters: DeadLetter[] = [];
  const timings: DecodedBatch['timings'] = [];
  for (const record of records) {
    const outcome = decodeOne(kind, record, codec, rules, nowMs);
    if ('reason' in outcome) {
      deadLetters.push(outcome);
      continue;
    }
    const list = bySubject.get(outcome.subjectId);
    const entry: KindedSignal = { kind, signal: outcome };
    if (list === undefined) bySubject.set(outcome.subjectId, [entry]);
    else list.push(entry);
    timings.push({ observedAtMs: outcome.observedAt, timestampMs: record.timestampMs });
  }
  const subjects = [...bySubject].map(([subjectId, signals]) => ({ subjectId, signals }));
  return { subjects, deadLetters, timings };
}

function decodeOne(
  kind: SignalKind,
  record: InboundRecord,
  codec: Codec,
  rules: ValidationRules,
  nowMs: number,
): Signal | DeadLetter {
  if (record.value === null) {
    return { record, reason: 'DECODE_TRUNCATED', message: 'The record has no value.' };
  }
  let signal: Signal;
  try {
    signal = codec.decode(kind, record.value);
  } catch (error) {
    // decode throws only DmidErrors with a DECODE_* reason (codec.ts); anything else is a bug.
    if (!isDmidError(error) || error.reason === undefined) throw error;
    return { record, reason: error.reason, message: error.message };
  }
  // The content rules first: a raw identifier in subjectId must be reported as PII, not as a key mismatch.
  const valid = validateSignal(kind, signal, nowMs, rules);
  if (!valid.ok) return { record, reason: valid.reason, message: valid.message };
  const keyed = validateRecordKey(record.key === null ? null : record.key.toString('utf8'), signal.subjectId);
  if (!keyed.ok) return { record, reason: keyed.reason, message: keyed.message };
  return signal;
}
