import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCodec } from '../../../src/codec/codec.js';
import { DEFAULT_VALIDATION_RULES, validateSignal } from '../../../src/ingest/validate.js';
import { encodeEvent, encodeTagged } from '../../../src/simulator/encode.js';
import type { ValidEvent } from '../../../src/simulator/events.js';
import { createPopulation } from '../../../src/simulator/population.js';
import { isAttackScenario } from '../../../src/simulator/scenario-catalogue.js';
import { createSignalStream, type SignalStreamOptions } from '../../../src/simulator/stream.js';
import { START_MS, take, validOnly } from './stream-helpers.js';

const codec = createCodec();

const LIVE: SignalStreamOptions = {
  seed: 'stream-test',
  subjects: 2_000,
  fraudRate: 0.2,
  startMs: START_MS,
  eventsPerSecond: 200,
  scenarioWindowMs: 600_000,
  badRate: 0.05,
};

function validate(event: ValidEvent): ReturnType<typeof validateSignal> {
  switch (event.kind) {
    case 'telecom':
      return validateSignal('telecom', event.record, event.at, DEFAULT_VALIDATION_RULES);
    case 'location':
      return validateSignal('location', event.record, event.at, DEFAULT_VALIDATION_RULES);
    case 'biometric':
      return validateSignal('biometric', event.record, event.at, DEFAULT_VALIDATION_RULES);
    case 'registry':
      return validateSignal('registry', event.record, event.at, DEFAULT_VALIDATION_RULES);
  }
}

void test('determinism: the same seed and options give byte-identical events; another seed does not', () => {
  const bytes = (seed: string): Buffer[] =>
    take({ ...LIVE, seed }, 5_000).map((e) => encodeEvent(codec, e).record.value);
  const a = take(LIVE, 5_000);
  assert.equal(JSON.stringify(a), JSON.stringify(take(LIVE, 5_000)));
  assert.deepEqual(bytes('stream-test'), bytes('stream-test'));
  const other = take({ ...LIVE, seed: 'another' }, 5_000);
  assert.notEqual(JSON.stringify(a), JSON.stringify(other));
});

void test('started at another time, the same seed gives the same events, shifted by the difference', () => {
  const later = START_MS + 123_456_789;
  const a = take({ ...LIVE, arrivals: 'uniform' }, 5_000);
  const b = take({ ...LIVE, arrivals: 'uniform', startMs: later }, 5_000);
  for (const [i, e] of a.entries()) {
    assert.equal(b[i]!.record.eventId, e.record.eventId);
    assert.equal(b[i]!.at - later, e.at - START_MS);
  }
});

void test('every valid record passes validateSignal at its own time and decodes back to itself', () => {
  const events = validOnly(take({ ...LIVE, badRate: 0 }, 40_000));
  assert.equal(events.length, 40_000);
  for (const event of events) {
    const result = validate(event);
    assert.ok(result.ok, `${event.kind} ${event.step ?? 'everyday'}: ${result.ok ? '' : result.message}`);
    assert.equal(event.record.observedAt, event.at);
    assert.deepEqual(codec.decode(event.kind, encodeTagged(codec, event)), event.record);
  }
});

void test('events come in event-time order, bad ones included, at the configured rate', () => {
  const events = take({ ...LIVE, arrivals: 'uniform' }, 20_000);
  for (let i = 1; i < events.length; i++) assert.ok(events[i]!.at >= events[i - 1]!.at, `event ${i}`);
  // Evenly spaced arrivals: event n is at startMs + n / rate, to the millisecond.
  assert.equal(events[0]!.at, START_MS);
  assert.equal(events[19_999]!.at, START_MS + Math.floor((19_999 * 1000) / 200));
  const poisson = take(LIVE, 20_000);
  const seconds = (poisson[19_999]!.at - START_MS) / 1000;
  assert.ok(Math.abs(20_000 / seconds - 200) < 10, `rate ${20_000 / seconds}`);
});

void test('the mix of kinds is plausible: location most frequent, registry rarest', () => {
  const counts = { telecom: 0, location: 0, biometric: 0, registry: 0 };
  for (const e of validOnly(take({ ...LIVE, badRate: 0 }, 50_000))) counts[e.kind] += 1;
  assert.ok(counts.location > 0.7 * 50_000, JSON.stringify(counts));
  assert.ok(counts.telecom > counts.biometric && counts.biometric > counts.registry, JSON.stringify(counts));
  assert.ok(counts.registry > 0);
});

void test('the share of subjects with an attack is close to fraudRate over a large population', () => {
  for (const fraudRate of [0.02, 0.1, 0.3]) {
    const population = createPopulation({
      seed: LIVE.seed,
      subjects: 40_000,
      fraudRate,
      benignRate: 0.1,
      clockStartMs: START_MS,
      startMs: START_MS,
      scenarioWindowMs: 600_000,
    });
    const attacked = population.subjects.filter((s) => isAttackScenario(s.scenario)).length / 40_000;
    const sigma = Math.sqrt((fraudRate * (1 - fraudRate)) / 40_000);
    assert.ok(Math.abs(attacked - fraudRate) < 4 * sigma, `fraudRate ${fraudRate}: ${attacked}`);
    const benign = population.subjects.filter(
      (s) => s.scenario !== 'ordinary' && !isAttackScenario(s.scenario),
    );
    assert.ok(Math.abs(benign.length / 40_000 - 0.1) < 0.01);
  }
});

void test('scenarioMix weights the attacks; a weight of 0 removes a scenario', () => {
  const { population } = createSignalStream({
    ...LIVE,
    subjects: 20_000,
    fraudRate: 0.5,
    scenarioMix: { 'sim-swap-takeover': 3, 'stale-identity': 0 },
  });
  const count = (id: string): number => population.subjects.filter((s) => s.scenario === id).length;
  assert.equal(count('stale-identity'), 0);
  assert.ok(Math.abs(count('sim-swap-takeover') / count('impossible-travel') - 3) < 0.5);
});

void test('subject ids are well formed and distinct; event ids are distinct', () => {
  const { population } = createSignalStream(LIVE);
  assert.equal(new Set(population.subjects.map((s) => s.subjectId)).size, population.subjects.length);
  const ids = validOnly(take(LIVE, 20_000)).map((e) => e.record.eventId);
  assert.equal(new Set(ids).size, ids.length);
});

void test('labels: ordinary subjects only ever act genuinely; attacks label their episode', () => {
  const events = validOnly(take({ ...LIVE, fraudRate: 0.5, benignRate: 0.5 }, 100_000));
  for (const e of events) {
    if (e.scenario === 'ordinary' || !isAttackScenario(e.scenario))
      assert.equal(e.label, 'genuine', e.scenario);
    if (e.scenario === 'synthetic-identity') assert.equal(e.label, 'attack');
    assert.equal(e.claim, e.kind === 'biometric');
  }
  assert.ok(events.some((e) => e.label === 'attack'));
});

void test('a history runs before startMs at its own rate, then the live rate takes over', () => {
  const options = { ...LIVE, badRate: 0, historyMs: 10 * 86_400_000, historyEventsPerSecond: 0.05 };
  const events = take(options, 60_000);
  const history = events.filter((e) => e.at < START_MS).length;
  const expected = 10 * 86_400 * 0.05;
  assert.ok(Math.abs(history - expected) < 0.05 * expected, `${history} history events`);
  assert.ok(events[0]!.at === START_MS - 10 * 86_400_000);
  assert.ok(events.some((e) => e.at >= START_MS));
});

void test('options out of range are programmer errors (RangeError)', () => {
  const bad: Partial<SignalStreamOptions>[] = [
    { subjects: 0 },
    { subjects: 1.5 },
    { fraudRate: 1.2 },
    { fraudRate: 0.95, benignRate: 0.1 },
    { eventsPerSecond: 0 },
    { badRate: -0.1 },
    { startMs: Date.UTC(1999, 0, 1) },
    { historyMs: -1 },
    { badReasons: [] },
    {
      fraudRate: 0.1,
      scenarioMix: {
        'sim-swap-takeover': 0,
        'impossible-travel': 0,
        'presentation-attack': 0,
        'synthetic-identity': 0,
        'deceased-identity': 0,
        'stale-identity': 0,
      },
    },
    { scenarioMix: { flight: -1 } },
  ];
  for (const override of bad) {
    assert.throws(() => createSignalStream({ ...LIVE, ...override }), RangeError, JSON.stringify(override));
  }
});
