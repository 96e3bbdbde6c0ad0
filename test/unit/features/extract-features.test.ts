import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractFeatures } from '../../../src/features/extract-features.js';
import {
  biometric,
  evidenceOf,
  homeFixes,
  hoursAgo,
  location,
  registry,
  seededRandom,
  SHANGHAI,
  shuffled,
  T0,
  telecom,
  type Arrivals,
} from '../../support/evidence-factory.js';

function scriptedEvents(): Required<Arrivals> {
  const at = hoursAgo(4);
  return {
    telecom: [
      telecom({ observedAt: hoursAgo(200), msisdnHash: 'msisdn-a' }),
      telecom({ observedAt: hoursAgo(30), msisdnHash: 'msisdn-b', simSwappedAt: hoursAgo(31) }),
      telecom({ observedAt: hoursAgo(2), msisdnHash: 'msisdn-b', simSwappedAt: hoursAgo(31) }),
    ],
    location: [...homeFixes(6, 3), location({ ...SHANGHAI, observedAt: hoursAgo(2.5) }), location()],
    biometric: [
      biometric({ observedAt: at, presentationAttack: true }),
      biometric({ observedAt: at, matchScore: 0.97 }),
      biometric({ observedAt: hoursAgo(12), matchScore: 0.2 }),
      biometric({ observedAt: hoursAgo(3), livenessScore: 0.2 }),
    ],
    registry: [
      registry({ registry: 'civil', observedAt: hoursAgo(100), status: 'SUSPENDED' }),
      registry({ registry: 'civil', observedAt: hoursAgo(10) }),
      registry({ registry: 'social-insurance', observedAt: hoursAgo(5), nameMatch: 0.6 }),
    ],
  };
}

void test('out-of-order-arrival-same-features: any arrival order gives the same features', () => {
  const events = scriptedEvents();
  const expected = extractFeatures(evidenceOf(events), T0);
  const random = seededRandom(7);
  for (let round = 0; round < 50; round += 1) {
    const arrivals: Arrivals = {
      telecom: shuffled(events.telecom, random),
      location: shuffled(events.location, random),
      biometric: shuffled(events.biometric, random),
      registry: shuffled(events.registry, random),
    };
    assert.deepEqual(extractFeatures(evidenceOf(arrivals), T0), expected);
  }
  // A window handed over in no order at all (not as the store keeps it) gives the same features too.
  const reversed = {
    telecom: [...evidenceOf(events).telecom].reverse(),
    location: [...evidenceOf(events).location].reverse(),
    biometric: [...evidenceOf(events).biometric].reverse(),
    registry: [...evidenceOf(events).registry].reverse(),
  };
  assert.deepEqual(extractFeatures(reversed, T0), expected);
});

void test('a score at time t sees only what was observed by t', () => {
  const evidence = evidenceOf(scriptedEvents());
  const early = extractFeatures(evidence, hoursAgo(50));
  assert.equal(early.asOfMs, hoursAgo(50));
  assert.equal(early.telecom.signalCount, 1);
  assert.equal(early.location.present, false);
  assert.equal(early.biometric.present, false);
  assert.equal(early.registry.status, 'SUSPENDED');
  const later = extractFeatures(evidence, T0);
  assert.equal(later.telecom.signalCount, 3);
  assert.equal(later.registry.status, 'ACTIVE');
});

void test('extraction is pure: same evidence and time, equal features; the evidence is not modified', () => {
  const evidence = evidenceOf(scriptedEvents());
  const snapshot = structuredClone(evidence);
  assert.deepEqual(extractFeatures(evidence, T0), extractFeatures(evidence, T0));
  assert.deepEqual(evidence, snapshot);
});
