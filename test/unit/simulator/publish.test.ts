import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCodec } from '../../../src/codec/codec.js';
import type { SignalKind } from '../../../src/codec/types.js';
import type { SimulatedRecord } from '../../../src/simulator/encode.js';
import { publish, type PublishClock, type PublishProgress } from '../../../src/simulator/publish.js';
import { createSignalStream, type SignalStreamOptions } from '../../../src/simulator/stream.js';
import { START_MS, take } from './stream-helpers.js';

const codec = createCodec();

interface FakeClock extends PublishClock {
  readonly sleeps: number[];
}

/** A clock whose sleep advances time at once: pacing tests run in no wall time and cannot flake. */
function fakeClock(start: number): FakeClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: (ms, signal) => {
      if (signal?.aborted === true) return Promise.reject(new Error('aborted'));
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

function streamAt(startMs: number, rate: number, extra: Partial<SignalStreamOptions> = {}) {
  return createSignalStream({
    seed: 'publish',
    subjects: 300,
    fraudRate: 0.1,
    startMs,
    eventsPerSecond: rate,
    arrivals: 'uniform',
    ...extra,
  });
}

interface Call {
  readonly at: number;
  readonly kind: SignalKind;
  readonly records: readonly SimulatedRecord[];
}

function recordingSink(clock: PublishClock) {
  const calls: Call[] = [];
  const sink = (kind: SignalKind, records: readonly SimulatedRecord[]): Promise<void> => {
    calls.push({ at: clock.now(), kind, records });
    return Promise.resolve();
  };
  return { calls, sink };
}

void test('pacing with a fake clock: exactly count records, at the rate, in small batches, never before their time', async () => {
  const clock = fakeClock(START_MS);
  const { calls, sink } = recordingSink(clock);
  const result = await publish({
    stream: streamAt(START_MS, 1000),
    sink,
    ratePerSecond: 1000,
    count: 5000,
    clock,
    codec,
  });
  assert.equal(result.sent, 5000);
  assert.equal(result.stoppedBy, 'count');
  assert.equal(
    calls.reduce((n, c) => n + c.records.length, 0),
    5000,
  );
  assert.ok(result.elapsedMs >= 4990 && result.elapsedMs <= 5020, `${result.elapsedMs} ms`);
  assert.ok(Math.abs(result.ratePerSecond - 1000) < 10);
  for (const call of calls) {
    assert.ok(call.records.length <= 100, 'a batch beyond the bucket');
    for (const record of call.records) {
      const decoded = codec.decode(call.kind, record.value);
      assert.ok(decoded.observedAt <= call.at, 'sent before it was observed');
      assert.equal(record.key, decoded.subjectId);
    }
  }
  assert.ok(
    clock.sleeps.every((ms) => ms >= 1),
    'a sleep of 0: busy loop',
  );
  const byKind = Object.values(result.byTopicKind).reduce((a, b) => a + b, 0);
  assert.equal(byKind, 5000);
});

void test('a stream that starts later is held until its time', async () => {
  const clock = fakeClock(START_MS);
  const { calls, sink } = recordingSink(clock);
  await publish({
    stream: streamAt(START_MS + 1000, 500),
    sink,
    ratePerSecond: 500,
    count: 100,
    clock,
    codec,
  });
  assert.ok(calls[0]!.at >= START_MS + 1000, `first record at +${calls[0]!.at - START_MS} ms`);
});

void test('durationMs bounds the run; progress is reported along the way and once at the end', async () => {
  const clock = fakeClock(START_MS);
  const { sink } = recordingSink(clock);
  const progress: PublishProgress[] = [];
  const result = await publish({
    stream: streamAt(START_MS, 500),
    sink,
    ratePerSecond: 500,
    durationMs: 3000,
    clock,
    codec,
    onProgress: (p) => progress.push(p),
  });
  assert.equal(result.stoppedBy, 'duration');
  assert.ok(Math.abs(result.sent - 1500) <= 10, `${result.sent} sent`);
  assert.ok(progress.length >= 3 && progress.at(-1)!.done && !progress[0]!.done);
  assert.equal(progress.at(-1)!.sent, result.sent);
});

void test('a short real run: the count is exact and the rate roughly right', async () => {
  const { calls, sink } = recordingSink({ now: () => Date.now(), sleep: () => Promise.resolve() });
  const started = Date.now();
  const result = await publish({
    stream: streamAt(started, 2000),
    sink,
    ratePerSecond: 2000,
    count: 300,
    tickMs: 10,
    burstMs: 20,
    codec,
  });
  const elapsed = Date.now() - started;
  assert.equal(result.sent, 300);
  assert.equal(
    calls.reduce((n, c) => n + c.records.length, 0),
    300,
  );
  // 300 records at 2000/s take 150 ms; the bucket may run 20 ms ahead, a slow machine may lag.
  assert.ok(elapsed >= 125 && elapsed < 3000, `${elapsed} ms`);
});

void test('an abort stops the run after the batch in flight', async () => {
  const clock = fakeClock(START_MS);
  const controller = new AbortController();
  let delivered = 0;
  const result = await publish({
    stream: streamAt(START_MS, 1000),
    sink: (_kind, records) => {
      delivered += records.length;
      if (delivered >= 200) controller.abort();
      return Promise.resolve();
    },
    ratePerSecond: 1000,
    count: 5000,
    signal: controller.signal,
    clock,
    codec,
  });
  assert.equal(result.stoppedBy, 'signal');
  assert.equal(result.sent, delivered);
  assert.ok(result.sent < 300);
});

void test('a finite stream ends the run; a failing sink rejects publish', async () => {
  const clock = fakeClock(START_MS);
  const events = take({ seed: 'x', subjects: 50, fraudRate: 0, startMs: START_MS, eventsPerSecond: 100 }, 10);
  const { sink } = recordingSink(clock);
  const result = await publish({ stream: events, sink, ratePerSecond: 1000, clock, codec });
  assert.equal(result.stoppedBy, 'stream-end');
  assert.equal(result.sent, 10);
  await assert.rejects(
    publish({
      stream: events,
      sink: () => Promise.reject(new Error('broker down')),
      ratePerSecond: 1000,
      clock,
      codec,
    }),
    /broker down/,
  );
});

void test('bad options are programmer errors', async () => {
  const clock = fakeClock(START_MS);
  const { sink } = recordingSink(clock);
  for (const bad of [
    { ratePerSecond: 0 },
    { ratePerSecond: 10, count: -1 },
    { ratePerSecond: 10, tickMs: 0 },
  ]) {
    await assert.rejects(publish({ stream: [], sink, clock, ...bad }), RangeError);
  }
});
