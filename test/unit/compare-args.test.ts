/** The side-by-side benchmark's arguments (bench/compare/args.ts) and the live-capacity search's steps. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCompareArgs } from '../../bench/compare/args.js';
import { nextRate, perSecond } from '../../bench/compare/live.js';
import { spread } from '../../bench/compare/live-summary.js';
import type { ContenderReport } from '../../bench/compare/recording.js';

void test('defaults: live capacity at 1,000/2,000/5,000 events/s, 30 s, three repetitions; --rates gives fixed events/s', () => {
  const defaults = parseCompareArgs(['--compare']);
  assert.deepEqual(defaults.fractions, []);
  assert.equal(defaults.rates, undefined);
  assert.equal(defaults.repetitions, 3);
  assert.deepEqual(defaults.live?.rates, [1000, 2000, 5000]);
  assert.equal(defaults.live?.seconds, 30);
  assert.equal(defaults.live?.sloMs, 50);
  const byRate = parseCompareArgs(['--compare', '--only', 'dmid', '--model', '--rates', '6000,11000']);
  assert.deepEqual(byRate.rates, [6000, 11000]);
  assert.deepEqual(
    byRate.contenders.map((c) => c.name),
    ['dmid (rules)', 'dmid (model)'],
  );
  const short = parseCompareArgs(['--compare', '--no-live', '--repetitions', '1', '--no-naive']);
  assert.equal(short.live, undefined);
  assert.equal(short.repetitions, 1);
  assert.deepEqual(
    short.contenders.map((c) => c.kind),
    ['ceiling', 'dmid'],
  );
});

void test('the capacity search doubles until a rate fails, then bisects to within 10%, bounded by the maximum', () => {
  assert.equal(nextRate(4000, Infinity, 64_000), 8000);
  assert.equal(nextRate(64_000, Infinity, 64_000), undefined);
  assert.equal(nextRate(40_000, Infinity, 64_000), 64_000);
  assert.equal(nextRate(4000, 8000, 64_000), 6000);
  assert.equal(nextRate(0, 4000, 64_000), 2000);
  assert.equal(nextRate(6000, 6500, 64_000), undefined);
  // Every search ends: from any start, at most a few dozen steps (each rate a multiple of 100).
  for (const capacity of [0, 150, 2345, 17_000, 100_000]) {
    let lo = 0;
    let hi = Infinity;
    let rate: number | undefined = 4000;
    let steps = 0;
    while (rate !== undefined) {
      if (rate <= capacity) lo = Math.max(lo, rate);
      else hi = Math.min(hi, rate);
      rate = nextRate(lo, hi, 64_000);
      steps += 1;
      assert.ok(steps < 30, `search for ${capacity} did not end`);
    }
    assert.ok(lo <= capacity && (capacity >= 64_000 || hi - lo <= Math.max(100, 0.1 * lo)));
  }
});

void test('the per-second series shows a stall: the held second has its own p99 and max', () => {
  const started = 1_000_000;
  const recordedAt = [started + 100, started + 900, started + 1200, started + 3100, started + 3200];
  const latenciesMs = [5, 7, 6, 2100, 1900];
  const report = { recordedAt, latenciesMs } as unknown as ContenderReport;
  const series = perSecond(report, started);
  assert.deepEqual(
    series.map((s) => [s.s, s.events, s.maxMs]),
    [
      [0, 2, 7],
      [1, 1, 6],
      [3, 2, 2100],
    ],
  );
  assert.deepEqual(spread([3, 1, 2, 10]), { median: 2.5, min: 1, max: 10 });
  assert.deepEqual(spread([5, NaN, 1, 3]), { median: 3, min: 1, max: 5 });
});
