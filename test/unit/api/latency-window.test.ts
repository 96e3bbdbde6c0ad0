import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatStatusLine, LatencyWindow } from '../../../src/api/latency-window.js';

const START = 1_700_000_000_000;

function windowAt(clock: { now: number }, windowSeconds = 10): LatencyWindow {
  return new LatencyWindow({ windowSeconds, now: () => clock.now });
}

void describe('LatencyWindow', () => {
  void test('p50 and p99 within 4% above the exact value, never below it', () => {
    const clock = { now: START };
    const window = windowAt(clock);
    // 1..1000 ms: exact p50 = 500 ms, p99 = 990 ms.
    for (let ms = 1; ms <= 1000; ms++) window.recordLatency(ms);
    const { p50Ms, p99Ms, latencyCount } = window.snapshot();
    assert.equal(latencyCount, 1000);
    assert.ok(p50Ms !== null && p50Ms >= 500 && p50Ms <= 500 * 1.04, `p50 ${p50Ms}`);
    assert.ok(p99Ms !== null && p99Ms >= 990 && p99Ms <= 990 * 1.04, `p99 ${p99Ms}`);
  });

  void test('a percentile never exceeds the largest latency seen', () => {
    const clock = { now: START };
    const window = windowAt(clock);
    for (let i = 0; i < 10; i++) window.recordLatency(7.3);
    assert.equal(window.snapshot().p99Ms, 7.3);
  });

  void test('events/s over the window; old seconds roll out', () => {
    const clock = { now: START };
    const window = windowAt(clock, 10);
    for (let s = 0; s < 10; s++) {
      clock.now = START + s * 1000;
      window.recordEvents(100);
      window.recordLatency(s < 5 ? 500 : 5);
    }
    clock.now = START + 9_999;
    assert.equal(Math.round(window.snapshot().eventsPerSecond), 100);
    clock.now = START + 14_500;
    const later = window.snapshot();
    assert.equal(later.latencyCount, 5, 'seconds 0..4 left the window');
    assert.ok(later.p99Ms !== null && later.p99Ms <= 5);
    assert.equal(later.eventsTotal, 1000);
    clock.now = START + 60_000;
    const idle = window.snapshot();
    assert.equal(idle.eventsPerSecond, 0);
    assert.equal(idle.p99Ms, null);
  });

  void test('the rate right after start is over the time alive, at least one second', () => {
    const clock = { now: START + 200 };
    const window = windowAt(clock);
    window.recordEvents(50);
    clock.now = START + 2_200;
    assert.equal(window.snapshot().eventsPerSecond, 25);
  });

  void test('dead-lettered: in the window and in total; bad inputs ignored', () => {
    const clock = { now: START };
    const window = windowAt(clock, 2);
    window.recordDeadLettered(3);
    window.recordDeadLettered(-1);
    window.recordLatency(Number.NaN);
    window.recordLatency(-5);
    clock.now = START + 5_000;
    window.recordDeadLettered();
    const snapshot = window.snapshot();
    assert.equal(snapshot.deadLetteredInWindow, 1);
    assert.equal(snapshot.deadLetteredTotal, 4);
    assert.throws(() => new LatencyWindow({ windowSeconds: 0 }), RangeError);
  });

  void test('formatStatusLine', () => {
    const clock = { now: START };
    const window = windowAt(clock);
    assert.equal(formatStatusLine(window.snapshot()), '0 events/s | p50 - | p99 - | dead-lettered 0');
    window.recordEvents(10);
    window.recordLatency(12);
    window.recordDeadLettered(2);
    assert.match(
      formatStatusLine(window.snapshot()),
      /^10 events\/s \| p50 12\.0 ms \| p99 12\.0 ms \| dead-lettered 2$/,
    );
  });
});
