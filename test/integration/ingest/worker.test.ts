/**
 * The scoring pipeline end to end on a real broker and Redis: signals in, state in Redis, scores,
 * anchors and dead letters out, offsets committed after.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { recordHash, subjectCommitment } from '../../../src/anchor/commitment.js';
import { DEFAULT_HALF_LIVES_MS, decayScore } from '../../../src/scoring/decay.js';
import {
  goodArrivals,
  location,
  subjectId,
  T0,
  telecom,
  type Arrivals,
} from '../../support/evidence-factory.js';
import { NO_METRICS, startPipeline, waitFor, type TestPipeline } from '../../support/pipeline.js';
import { NEGATIVE_CASES, shiftArrivals } from '../../support/reason-scenarios.js';

function eventCount(arrivals: Arrivals): number {
  return (
    (arrivals.telecom?.length ?? 0) +
    (arrivals.location?.length ?? 0) +
    (arrivals.biometric?.length ?? 0) +
    (arrivals.registry?.length ?? 0)
  );
}

/** Waits until every event of `arrivals` is applied and its score emitted. */
async function settled(
  pipeline: TestPipeline,
  subject: string,
  events: number,
  timeoutMs = 60_000,
): Promise<void> {
  await waitFor(
    async () => {
      const state = await pipeline.store.readState(subject);
      return state.version === events && state.emittedVersion === events;
    },
    `subject with ${events} events applied and emitted`,
    timeoutMs,
  );
}

void test('one scripted case per negative reason code: the code appears, with negative impact, below the good subject', async (t) => {
  const pipeline = await startPipeline(t);
  pipeline.startWorker();
  const delta = Date.now() - T0;
  const good = subjectId();
  const goodArrivalsNow = shiftArrivals(goodArrivals(), delta, good);
  await pipeline.publish(goodArrivalsNow);
  const cases = NEGATIVE_CASES.map((c) => {
    const subject = subjectId();
    const arrivals = shiftArrivals(goodArrivals(c.arrivals), delta, subject);
    return { ...c, subject, arrivals };
  });
  for (const c of cases) await pipeline.publish(c.arrivals);

  await settled(pipeline, good, eventCount(goodArrivalsNow));
  const baseline = (await pipeline.store.readScore(good))?.score;
  assert.ok(baseline);
  for (const c of cases) {
    await settled(pipeline, c.subject, eventCount(c.arrivals));
    const score = (await pipeline.store.readScore(c.subject))?.score;
    assert.ok(score, c.code);
    const reason = score.reasons.find((r) => r.code === c.code);
    assert.ok(reason, `${c.code} expected in ${score.reasons.map((r) => r.code).join(', ')}`);
    assert.ok(reason.impact < 0, `${c.code} impact ${reason.impact}`);
    assert.equal(reason.dimension, c.dimension);
    assert.ok(
      score.confidence < baseline.confidence,
      `${c.code}: ${score.confidence} < ${baseline.confidence}`,
    );
    if (c.code === 'REG_DECEASED' || c.code === 'REG_SUSPENDED') {
      assert.ok(score.confidence <= 0.05);
      assert.equal(score.assuranceLevel, 'NONE');
    }
  }
});

void test('the same events sent twice leave state and score output unchanged', async (t) => {
  const pipeline = await startPipeline(t);
  const scores = pipeline.collect(pipeline.topics.scores);
  pipeline.startWorker();
  const subject = subjectId();
  const arrivals = shiftArrivals(goodArrivals(), Date.now() - T0, subject);
  const events = eventCount(arrivals);
  await pipeline.publish(arrivals);
  await settled(pipeline, subject, events);
  const before = await pipeline.store.readState(subject);
  await scores.until(
    () => pipeline.scoresOf(scores, subject).some((s) => s.triggerEventId === before.lastEventId),
    'the last score',
  );
  const scoresBefore = pipeline.scoresOf(scores, subject).length;

  await pipeline.publish(arrivals); // the very same records: same event ids
  const marker = subjectId(); // a later event on every topic shows the duplicates were consumed
  const markerArrivals = shiftArrivals(goodArrivals(), Date.now() - T0, marker);
  await pipeline.publish(markerArrivals);
  await settled(pipeline, marker, eventCount(markerArrivals));

  const after = await pipeline.store.readState(subject);
  assert.equal(after.version, before.version);
  assert.deepEqual(after.evidence, before.evidence);
  assert.equal(
    pipeline.scoresOf(scores, subject).length,
    scoresBefore,
    'no second score for redelivered events',
  );
});

void test('every kind of bad record is dead-lettered with its reason, and the partition keeps flowing', async (t) => {
  const pipeline = await startPipeline(t, { partitions: 1 });
  const dlq = pipeline.collect(pipeline.topics.dlq);
  pipeline.startWorker();
  const subject = subjectId();
  const now = Date.now();
  const good = (minutesAgo: number) =>
    location({ subjectId: subject, observedAt: now - minutesAgo * 60_000 });
  const valid = pipeline.codec.encode('location', good(10));
  const bad: { key: string | null; value: Buffer | null; reason: string }[] = [
    { key: subject, value: Buffer.from('not avro at all'), reason: 'DECODE_BAD_MAGIC' },
    { key: subject, value: valid.subarray(0, 20), reason: 'DECODE_TRUNCATED' },
    {
      key: subject,
      value: Buffer.concat([valid.subarray(0, 2), Buffer.alloc(8, 7), valid.subarray(10)]),
      reason: 'DECODE_UNKNOWN_SCHEMA',
    },
    {
      key: subject,
      value: pipeline.codec.encode('telecom', telecom({ subjectId: subject, observedAt: now })),
      reason: 'DECODE_SCHEMA_MISMATCH',
    },
    {
      key: '13800138000',
      value: pipeline.codec.encode('location', location({ subjectId: '13800138000', observedAt: now })),
      reason: 'PII_IN_SUBJECT_ID',
    },
    {
      key: subject,
      value: pipeline.codec.encode(
        'location',
        location({ subjectId: subject, latitude: 123, observedAt: now }),
      ),
      reason: 'LATITUDE_OUT_OF_RANGE',
    },
    {
      key: subject,
      value: pipeline.codec.encode('location', location({ subjectId: subject, observedAt: now + 3_600_000 })),
      reason: 'OBSERVED_AT_IN_FUTURE',
    },
    { key: subjectId(), value: pipeline.codec.encode('location', good(9)), reason: 'KEY_MISMATCH' },
    {
      key: subject,
      value: pipeline.codec.encode(
        'location',
        location({ subjectId: subject, eventId: 'not-a-uuid', observedAt: now }),
      ),
      reason: 'EVENT_ID_MALFORMED',
    },
    { key: subject, value: null, reason: 'DECODE_TRUNCATED' },
  ];
  const validAfter = [good(8), good(7), good(6)];
  await pipeline.publishRaw('location', [{ key: subject, value: valid }]);
  await pipeline.publishRaw(
    'location',
    bad.map(({ key, value }) => ({ key, value })),
  );
  await pipeline.publish({ location: validAfter });

  // Dead letters are at least once: a redelivered batch (after a rebalance or a crash) dead-letters its
  // bad records again. Their identity is the source position, (dlq.topic, dlq.partition, dlq.offset).
  const unique = () => [...new Map(dlq.records.map((r) => [r.headers['dlq.offset'], r])).values()];
  await dlq.until(() => unique().length >= bad.length, `${bad.length} dead letters`);
  await settled(pipeline, subject, 1 + validAfter.length);
  const letters = unique().sort((a, b) => Number(a.headers['dlq.offset']) - Number(b.headers['dlq.offset']));
  assert.deepEqual(
    letters.map((r) => r.headers['dlq.reason']),
    bad.map((b) => b.reason),
  );
  assert.deepEqual(
    letters.map((r) => r.headers['dlq.offset']),
    bad.map((_, i) => String(i + 1)),
  );
  for (const [i, record] of letters.entries()) {
    assert.equal(record.headers['dlq.topic'], pipeline.topics.location);
    assert.equal(record.headers['dlq.group'], pipeline.groupId);
    assert.equal(record.headers['dlq.partition'], '0');
    assert.match(record.headers['dlq.offset'] ?? '', /^\d+$/);
    assert.ok((record.headers['dlq.error'] ?? '').length > 0);
    const sent = bad[i];
    assert.ok(sent);
    if (sent.reason === 'PII_IN_SUBJECT_ID') {
      // The raw identifier must not reach any topic: key and value are dropped, a hash is kept.
      assert.equal(record.key, null);
      assert.equal(record.value, null);
      assert.equal(record.headers['dlq.redacted'], 'true');
      assert.match(record.headers['dlq.value-sha256'] ?? '', /^[0-9a-f]{64}$/);
      assert.doesNotMatch(JSON.stringify(record.headers), /13800138000/);
    } else {
      assert.deepEqual(record.value, sent.value, 'the original bytes, unchanged');
    }
  }
  // Records in = records reflected + records dead-lettered.
  const state = await pipeline.store.readState(subject);
  assert.equal(1 + bad.length + validAfter.length, state.version + letters.length);
});

void test('scores carry anchors that commit to the record and the subject without naming it', async (t) => {
  const pipeline = await startPipeline(t);
  const scores = pipeline.collect(pipeline.topics.scores);
  const anchors = pipeline.collect(pipeline.topics.anchors);
  pipeline.startWorker();
  const subject = subjectId();
  const arrivals = shiftArrivals(goodArrivals(), Date.now() - T0, subject);
  await pipeline.publish(arrivals);
  await settled(pipeline, subject, eventCount(arrivals));
  const emitted = pipeline.scoresOf(scores, subject);
  await anchors.until((r) => r.length >= emitted.length, 'an anchor per score');
  const { salt } = await pipeline.store.readState(subject);
  assert.ok(salt !== null);
  for (const score of emitted) {
    const anchor = pipeline.anchorsOf(anchors).find((a) => a.scoreId === score.scoreId);
    assert.ok(anchor, 'every score has its anchor');
    assert.equal(anchor.recordHash, recordHash(pipeline.codec, score));
    assert.equal(anchor.subjectCommitment, subjectCommitment(salt, subject));
    assert.ok(!JSON.stringify(anchor).includes(subject), 'no subject id in an anchor');
  }
});

void test('a score read later is lower than at computation, by the decay rule', async (t) => {
  const pipeline = await startPipeline(t);
  pipeline.startWorker();
  const subject = subjectId();
  const arrivals = shiftArrivals(goodArrivals(), Date.now() - T0, subject);
  await pipeline.publish(arrivals);
  await settled(pipeline, subject, eventCount(arrivals));
  const cached = await pipeline.store.readScore(subject);
  assert.ok(cached);
  const { score } = cached;
  const dayLater = decayScore(score, score.computedAt + 86_400_000, DEFAULT_HALF_LIVES_MS);
  const weekLater = decayScore(score, score.computedAt + 7 * 86_400_000, DEFAULT_HALF_LIVES_MS);
  assert.ok(dayLater.confidence < score.confidence);
  assert.ok(weekLater.confidence < dayLater.confidence);
  // Location (12 h half-life) has lost three quarters of its weight after a day.
  const loc = (s: typeof score) => s.dimensions.find((d) => d.dimension === 'LOCATION')?.weight ?? NaN;
  assert.ok(Math.abs(loc(dayLater) / loc(score) - 0.25) < 0.01);
});

void test('an older event never overwrites newer state, and a late event still counts', async (t) => {
  const pipeline = await startPipeline(t);
  pipeline.startWorker();
  const subject = subjectId();
  const now = Date.now();
  const newer = telecom({ subjectId: subject, observedAt: now - 60_000, simSwappedAt: null });
  const older = telecom({
    subjectId: subject,
    observedAt: now - 3_600_000,
    eventId: randomUUID(),
    simSwappedAt: now - 7_200_000,
  });
  await pipeline.publish({ telecom: [newer] });
  await settled(pipeline, subject, 1);
  await pipeline.publish({ telecom: [older] });
  await settled(pipeline, subject, 2);
  const state = await pipeline.store.readState(subject);
  assert.deepEqual(
    state.evidence.telecom.map((e) => e.eventId),
    [older.eventId, newer.eventId],
  );
  const score = (await pipeline.store.readScore(subject))?.score;
  assert.ok(score);
  assert.ok(
    !score.reasons.some((r) => r.code === 'TEL_SIM_SWAP_RECENT'),
    'the newest telecom record decides',
  );
});

void test('batch-handled-once: each record is handed to the worker once, and its offset committed', async (t) => {
  const pipeline = await startPipeline(t, { partitions: 1 });
  let consumed = 0;
  pipeline.startWorker({ ...NO_METRICS, consumed: (_topic, count) => void (consumed += count) });
  const subject = subjectId();
  const now = Date.now();
  const fixes = Array.from({ length: 50 }, (_, i) =>
    location({ subjectId: subject, observedAt: now - (50 - i) * 1000 }),
  );
  await pipeline.publish({ location: fixes.slice(0, 25) });
  await settled(pipeline, subject, 25);
  await pipeline.publish({ location: fixes.slice(25) });
  await settled(pipeline, subject, 50);
  await new Promise((resolve) => setTimeout(resolve, 1500)); // a refetch of handled records would show here
  assert.equal(consumed, 50);
});
