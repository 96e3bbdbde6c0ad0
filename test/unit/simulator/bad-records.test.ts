/**
 * Every bad record the simulator makes gets, from the codec and the validator the pipeline runs, exactly
 * the dead-letter reason it was made for; and every reason of the contract is made.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCodec } from '../../../src/codec/codec.js';
import type { SignalKind } from '../../../src/codec/types.js';
import { DLQ_REASONS, isDmidError, type DlqReason } from '../../../src/errors.js';
import { DEFAULT_VALIDATION_RULES, validateRecordKey, validateSignal } from '../../../src/ingest/validate.js';
import { encodeEvent, EXPECTED_REASON_HEADER, type SimulatedRecord } from '../../../src/simulator/encode.js';
import type { BadEvent } from '../../../src/simulator/events.js';
import type { SignalStreamOptions } from '../../../src/simulator/stream.js';
import { START_MS, take } from './stream-helpers.js';

const codec = createCodec();

const OPTIONS: SignalStreamOptions = {
  seed: 'bad-records',
  subjects: 500,
  fraudRate: 0.1,
  startMs: START_MS,
  eventsPerSecond: 100,
  badRate: 1,
};

/** What the pipeline's ingest would say about a record on the topic of `kind`: a reason, or null. */
function pipelineReason(kind: SignalKind, record: SimulatedRecord, nowMs: number): DlqReason | null {
  let decoded;
  try {
    decoded = codec.decode(kind, record.value);
  } catch (error) {
    if (isDmidError(error) && error.reason !== undefined) return error.reason;
    throw error;
  }
  const result = validateSignal(kind, decoded, nowMs, DEFAULT_VALIDATION_RULES);
  if (!result.ok) return result.reason;
  const key = validateRecordKey(record.key, decoded.subjectId);
  return key.ok ? null : key.reason;
}

void test('each bad record gets exactly its expected reason, and every reason of the contract is made', () => {
  const seen = new Map<DlqReason, number>();
  for (const event of take(OPTIONS, 8_000)) {
    assert.equal(event.valid, false);
    if (event.valid) continue;
    const { topicKind, record } = encodeEvent(codec, event);
    assert.equal(topicKind, event.kind);
    assert.equal(record.headers?.[EXPECTED_REASON_HEADER], event.expectedReason);
    const reason = pipelineReason(topicKind, record, event.at);
    assert.equal(reason, event.expectedReason, `${event.corruption} ${event.source.kind} on ${event.kind}`);
    seen.set(event.expectedReason, (seen.get(event.expectedReason) ?? 0) + 1);
  }
  for (const reason of DLQ_REASONS)
    assert.ok((seen.get(reason) ?? 0) >= 100, `${reason}: ${seen.get(reason)}`);
});

void test('badRate sets the share of bad records; badReasons restricts their kinds; valid ones stay valid', () => {
  const events = take(
    { ...OPTIONS, badRate: 0.1, badReasons: ['LATITUDE_OUT_OF_RANGE', 'DECODE_BAD_MAGIC'] },
    20_000,
  );
  const bad = events.filter((e): e is BadEvent => !e.valid);
  assert.ok(Math.abs(bad.length / 20_000 - 0.1) < 0.01, `${bad.length} bad`);
  assert.deepEqual(
    new Set(bad.map((e) => e.expectedReason)),
    new Set(['LATITUDE_OUT_OF_RANGE', 'DECODE_BAD_MAGIC']),
  );
  for (const event of events) {
    if (!event.valid) continue;
    const { topicKind, record } = encodeEvent(codec, event);
    assert.equal(pipelineReason(topicKind, record, event.at), null);
    assert.equal(record.headers, undefined);
  }
});

void test('raw identifiers in bad records are synthetic shapes of the refused kinds', () => {
  const events = take({ ...OPTIONS, badReasons: ['PII_IN_SUBJECT_ID'] }, 300);
  const shapes = new Set<string>();
  for (const event of events) {
    const id = event.record.subjectId;
    if (/^1[3-9]\d{9}$/.test(id)) shapes.add('mobile');
    else if (/^\d{17}[\dX]$/.test(id)) shapes.add('resident-id');
    else if (/^[a-z2-7]{8}@example\.com$/.test(id)) shapes.add('email');
    else assert.fail(`unexpected shape ${id}`);
  }
  assert.equal(shapes.size, 3);
});
