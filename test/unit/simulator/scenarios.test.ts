/**
 * Each scenario produces the evidence scenario-catalogue.ts promises, measured the way the pipeline
 * measures it (implied speed from src/features/).
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type {
  BiometricSignal,
  LocationSignal,
  RegistrySignal,
  TelecomSignal,
} from '../../../src/codec/types.js';
import { impliedSpeedKmh } from '../../../src/features/location-features.js';
import type { ValidEvent } from '../../../src/simulator/events.js';
import { distanceKm } from '../../../src/simulator/geo.js';
import type { Subject } from '../../../src/simulator/population.js';
import { SCENARIO_IDS, SCENARIOS, type ScenarioId } from '../../../src/simulator/scenario-catalogue.js';
import { createSignalStream, type SignalStreamOptions } from '../../../src/simulator/stream.js';
import { bySubject, START_MS } from './stream-helpers.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Every subject lives through a scenario; 160 days of sparse history give stale identities their old
 * evidence; the stream runs until every episode (flights take up to ~6 h) is over.
 */
const OPTIONS: SignalStreamOptions = {
  seed: 'scenario-evidence',
  subjects: 700,
  fraudRate: 0.55,
  benignRate: 0.45,
  startMs: START_MS,
  historyMs: 160 * DAY,
  historyEventsPerSecond: 0.02,
  eventsPerSecond: 5,
  scenarioWindowMs: 10 * 60_000,
};

interface World {
  readonly subjects: readonly Subject[];
  readonly events: ReadonlyMap<number, readonly ValidEvent[]>;
}

let world: World;

before(() => {
  const stream = createSignalStream(OPTIONS);
  const collected = [];
  for (const event of stream) {
    if (event.at >= START_MS + 10 * HOUR) break;
    collected.push(event);
  }
  world = { subjects: stream.population.subjects, events: bySubject(collected) };
});

/** Each subject of `scenario` with its events. */
function cases(scenario: ScenarioId): { subject: Subject; events: readonly ValidEvent[] }[] {
  const found = world.subjects
    .filter((s) => s.scenario === scenario)
    .map((subject) => ({ subject, events: world.events.get(subject.index) ?? [] }));
  assert.ok(found.length >= 10, `only ${found.length} subjects with ${scenario}`);
  return found;
}

function steps(events: readonly ValidEvent[], step: string): ValidEvent[] {
  const found = events.filter((e) => e.step === step);
  assert.ok(found.length > 0, `no ${step}`);
  return found;
}

/** The record of an event that must be of one kind; a failed assertion otherwise (no cast). */
function telecomOf(e: ValidEvent | undefined): TelecomSignal {
  assert.ok(e?.kind === 'telecom', `expected a telecom event, got ${e?.kind}`);
  return e.record;
}

function locationOf(e: ValidEvent | undefined): LocationSignal {
  assert.ok(e?.kind === 'location', `expected a location event, got ${e?.kind}`);
  return e.record;
}

function biometricOf(e: ValidEvent | undefined): BiometricSignal {
  assert.ok(e?.kind === 'biometric', `expected a biometric event, got ${e?.kind}`);
  return e.record;
}

function registryOf(e: ValidEvent | undefined): RegistrySignal {
  assert.ok(e?.kind === 'registry', `expected a registry event, got ${e?.kind}`);
  return e.record;
}

function fixes(events: readonly ValidEvent[]): LocationSignal[] {
  return events.flatMap((e) => (e.kind === 'location' ? [e.record] : []));
}

function registryChecks(events: readonly ValidEvent[]): RegistrySignal[] {
  return events.flatMap((e) => (e.kind === 'registry' ? [e.record] : []));
}

/** The subject's location fix just before `event` (which must be a location event). */
function fixBefore(events: readonly ValidEvent[], event: ValidEvent): LocationSignal {
  const previous = fixes(events.slice(0, events.indexOf(event))).at(-1);
  assert.ok(previous !== undefined, 'no fix before');
  return previous;
}

function previousEvent(events: readonly ValidEvent[], event: ValidEvent): ValidEvent | undefined {
  return events[events.indexOf(event) - 1];
}

void describe('scenario evidence', () => {
  void test('every scenario shows up and its episode events carry its label', () => {
    for (const id of SCENARIO_IDS) {
      if (id === 'ordinary') continue;
      for (const { events } of cases(id)) {
        const episode = events.filter((e) => e.step !== null && e.step !== 'impossible-travel/home-fix');
        assert.ok(episode.length > 0, `${id}: no episode`);
        for (const e of episode) assert.equal(e.label, SCENARIOS[id].label, `${id} ${e.step ?? ''}`);
      }
    }
  });

  void test('sim-swap takeover: a swap within hours, a new device, a far fix (not in the quiet variant), failed live captures', () => {
    let quiet = 0;
    const all = cases('sim-swap-takeover');
    for (const { subject, events } of all) {
      const telecom = telecomOf(steps(events, 'sim-swap-takeover/telecom')[0]);
      const swapAge = telecom.observedAt - (telecom.simSwappedAt ?? 0);
      assert.ok(swapAge >= 20 * 60_000 && swapAge <= 6 * HOUR, `swap ${swapAge / HOUR} h before`);
      assert.ok(telecom.deviceChangedAt !== null && telecom.deviceChangedAt > (telecom.simSwappedAt ?? 0));
      assert.ok(telecom.deviceChangedAt <= telecom.observedAt);
      const farFix = events.find((e) => e.step === 'sim-swap-takeover/far-fix');
      const captures = steps(events, 'sim-swap-takeover/capture');
      if (farFix === undefined) {
        // The quiet variant: telecom and one capture only.
        assert.equal(captures.length, 1);
        quiet += 1;
      } else {
        const far = locationOf(farFix);
        assert.ok(distanceKm(subject.home, { lat: far.latitude, lon: far.longitude }) >= 500);
        for (const e of captures) assert.ok(e.at > far.observedAt);
      }
      for (const e of captures) {
        const capture = biometricOf(e);
        assert.ok(capture.matchScore < 0.45 && capture.livenessScore >= 0.5 && !capture.presentationAttack);
      }
    }
    // Both variants occur (about 30% quiet).
    assert.ok(quiet > 0 && quiet < all.length, `${quiet} quiet of ${all.length}`);
  });

  void test('impossible travel: fixes 1,000+ km and minutes apart imply more than 900 km/h', () => {
    let locationOnly = 0;
    const all = cases('impossible-travel');
    for (const { events } of all) {
      const farEvent = steps(events, 'impossible-travel/far-fix')[0]!;
      const far = locationOf(farEvent);
      const home = locationOf(steps(events, 'impossible-travel/home-fix')[0]);
      assert.ok(far.accuracyMeters <= 100 && home.accuracyMeters <= 100);
      assert.ok(
        far.observedAt - home.observedAt >= 3 * 60_000 && far.observedAt - home.observedAt <= 31 * 60_000,
      );
      const km = distanceKm(
        { lat: home.latitude, lon: home.longitude },
        { lat: far.latitude, lon: far.longitude },
      );
      assert.ok(km >= 1_000, `${km} km`);
      assert.ok(impliedSpeedKmh(home, far) > 900, `${impliedSpeedKmh(home, far)} km/h`);
      // An everyday fix may fall between the two; the jump from it is just as impossible.
      const before = fixBefore(events, farEvent);
      assert.ok(impliedSpeedKmh(before, far) > 900, `${impliedSpeedKmh(before, far)} km/h`);
      // The location-only variant has no capture.
      const captures = events.filter((e) => e.step === 'impossible-travel/capture');
      locationOnly += captures.length === 0 ? 1 : 0;
      for (const e of captures) assert.ok(e.at > far.observedAt);
    }
    assert.ok(locationOnly > 0 && locationOnly < all.length, `${locationOnly} of ${all.length}`);
  });

  void test('presentation attack: PAD flags the first capture, every capture has liveness < 0.4', () => {
    for (const { events } of cases('presentation-attack')) {
      const captures = steps(events, 'presentation-attack/capture').map(biometricOf);
      assert.ok(captures.length >= 1 && captures.length <= 3);
      assert.equal(captures[0]!.presentationAttack, true);
      for (const c of captures) assert.ok(c.livenessScore <= 0.4 && c.matchScore >= 0.6, JSON.stringify(c));
    }
  });

  void test('synthetic identity: registry mismatch, a young prepaid or VOIP line, attack from its first event', () => {
    for (const { events } of cases('synthetic-identity')) {
      const registry = registryOf(steps(events, 'synthetic-identity/registry')[0]);
      const mismatch = !registry.recordFound || registry.nameMatch < 0.6 || !registry.birthDateMatch;
      assert.ok(mismatch, JSON.stringify(registry));
      const telecom = telecomOf(steps(events, 'synthetic-identity/telecom')[0]);
      assert.ok(telecom.tenureDays < 90 && ['PREPAID', 'VOIP'].includes(telecom.lineType));
      assert.ok(['NONE', 'PARTIAL'].includes(telecom.kycMatch));
      for (const e of events) assert.equal(e.label, 'attack');
    }
  });

  void test('deceased identity: silence, DECEASED on record, then continued activity that stays DECEASED', () => {
    for (const { subject, events } of cases('deceased-identity')) {
      const death = steps(events, 'deceased-identity/registry')[0]!;
      assert.equal(registryOf(death).status, 'DECEASED');
      assert.ok(
        events.every((e) => e.at < subject.silentFrom || e.at >= death.at),
        'activity while dead',
      );
      const after = events.slice(events.indexOf(death) + 1);
      assert.ok(after.length > 0, 'no continued activity');
      for (const e of after) assert.equal(e.label, 'attack');
      for (const r of registryChecks(after)) assert.equal(r.status, 'DECEASED');
    }
  });

  void test('stale identity: 45+ days without an event after old evidence, then an impostor (a fresh number, or the old line)', () => {
    let sameLine = 0;
    const all = cases('stale-identity');
    for (const { events } of all) {
      const claim = steps(events, 'stale-identity/claim')[0]!;
      const previous = previousEvent(events, claim);
      assert.ok(previous !== undefined, 'no old evidence');
      assert.ok(claim.at - previous.at >= 45 * DAY, `${(claim.at - previous.at) / DAY} days`);
      const capture = biometricOf(claim);
      // Scores travel as float32 with 3 decimals: 0.8 arrives as fround(0.8), a hair above 0.8.
      const top = Math.fround(0.8);
      assert.ok(capture.matchScore >= 0.35 && capture.matchScore <= top && capture.livenessScore >= 0.6);
      const telecom = telecomOf(steps(events, 'stale-identity/telecom')[0]);
      // The same-line variant keeps the subject's old line: telecom looks genuine.
      if (telecom.tenureDays < 21) assert.equal(telecom.lineType, 'PREPAID');
      else sameLine += 1;
    }
    assert.ok(sameLine > 0 && sameLine < all.length, `${sameLine} same-line of ${all.length}`);
  });

  void test('flight: departure and arrival fixes imply 500 to 900 km/h, no fix in the air', () => {
    for (const { events } of cases('flight')) {
      const arrival = steps(events, 'flight/arrive')[0]!;
      const departure = steps(events, 'flight/depart')[0]!;
      assert.equal(fixBefore(events, arrival), departure.record, 'a fix in the air');
      const speed = impliedSpeedKmh(locationOf(departure), locationOf(arrival));
      assert.ok(speed >= 500 && speed <= 900, `${speed} km/h`);
    }
  });

  void test('new phone: a device change within 48 h, no recent SIM swap or port', () => {
    for (const { events } of cases('new-phone')) {
      const t = telecomOf(steps(events, 'new-phone/telecom')[0]);
      const age = t.observedAt - (t.deviceChangedAt ?? 0);
      assert.ok(age >= 30 * 60_000 && age <= 48 * HOUR);
      for (const at of [t.simSwappedAt, t.portedAt]) assert.ok(at === null || t.observedAt - at > 30 * DAY);
    }
  });

  void test('poor capture: low quality, a middling match, live, no PAD flag', () => {
    for (const { events } of cases('poor-capture')) {
      for (const e of steps(events, 'poor-capture/capture')) {
        const c = biometricOf(e);
        assert.ok(c.qualityScore <= 0.45 && c.matchScore >= 0.45 && c.matchScore <= 0.7, JSON.stringify(c));
        assert.ok(c.livenessScore >= 0.55 && !c.presentationAttack);
      }
    }
  });

  void test('name transliteration: record found, name match 0.8 to 0.9, birth date matching, ACTIVE', () => {
    for (const { events } of cases('name-transliteration')) {
      for (const r of registryChecks(events)) {
        assert.ok(r.recordFound && r.nameMatch >= 0.8 && r.nameMatch <= 0.9 && r.birthDateMatch);
        assert.equal(r.status, 'ACTIVE');
      }
    }
  });

  void test('returning resident: 45+ days of silence, then a strong live capture', () => {
    for (const { events } of cases('returning-resident')) {
      const claim = steps(events, 'returning-resident/claim')[0]!;
      const previous = previousEvent(events, claim);
      assert.ok(previous === undefined || claim.at - previous.at >= 45 * DAY);
      const c = biometricOf(claim);
      assert.ok(c.matchScore >= 0.85 && c.livenessScore >= 0.85 && !c.presentationAttack);
    }
  });
});
