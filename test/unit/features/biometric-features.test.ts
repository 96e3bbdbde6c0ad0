import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ABSENT_BIOMETRIC,
  biometricFeatures,
  isFailedAttempt,
} from '../../../src/features/biometric-features.js';
import { biometric, evidenceOf, hoursAgo, T0 } from '../../support/evidence-factory.js';

void test('no captures: absent', () => {
  assert.deepEqual(biometricFeatures([], T0), ABSENT_BIOMETRIC);
});

void test('the newest capture by event time gives match, liveness, quality, modality and channel', () => {
  const window = evidenceOf({
    biometric: [
      biometric({ observedAt: hoursAgo(2), matchScore: 0.91, modality: 'IRIS', captureChannel: 'BRANCH' }),
      biometric({ observedAt: hoursAgo(9), matchScore: 0.3, modality: 'VOICE', captureChannel: 'MOBILE' }),
    ],
  }).biometric;
  const f = biometricFeatures(window, T0);
  assert.equal(f.matchScore, 0.91);
  assert.equal(f.livenessScore, 0.95);
  assert.equal(f.qualityScore, 0.9);
  assert.equal(f.modality, 'IRIS');
  assert.equal(f.captureChannel, 'BRANCH');
  assert.equal(f.newestIsLiveGood, true);
  assert.equal(f.ageHours, 2);
});

void test('a presentation attack after the newest live good capture is unanswered', () => {
  const window = evidenceOf({
    biometric: [
      biometric({ observedAt: hoursAgo(5) }),
      biometric({ observedAt: hoursAgo(1), presentationAttack: true }),
    ],
  }).biometric;
  const f = biometricFeatures(window, T0);
  assert.equal(f.attackUnanswered, true);
  assert.equal(f.lastAttackAgeHours, 1);
  assert.equal(f.lastLiveCaptureAgeHours, 5);
});

void test('a later live good capture answers the attack; a later capture that is not live does not', () => {
  const attack = biometric({ observedAt: hoursAgo(3), presentationAttack: true });
  const live = biometricFeatures([attack, biometric({ observedAt: hoursAgo(1) })], T0);
  assert.equal(live.attackUnanswered, false);
  const notLive = biometricFeatures([attack, biometric({ observedAt: hoursAgo(1), livenessScore: 0.6 })], T0);
  assert.equal(notLive.attackUnanswered, true);
  const poorQuality = biometricFeatures(
    [attack, biometric({ observedAt: hoursAgo(1), qualityScore: 0.2 })],
    T0,
  );
  assert.equal(poorQuality.attackUnanswered, true);
});

void test('an attack at the same millisecond as a live capture stays unanswered, whatever the arrival order', () => {
  const at = hoursAgo(1);
  const attack = biometric({ observedAt: at, presentationAttack: true });
  const live = biometric({ observedAt: at });
  assert.equal(
    biometricFeatures(evidenceOf({ biometric: [attack, live] }).biometric, T0).attackUnanswered,
    true,
  );
  assert.equal(
    biometricFeatures(evidenceOf({ biometric: [live, attack] }).biometric, T0).attackUnanswered,
    true,
  );
});

void test('failed attempt: low match, low liveness or a PAD flag', () => {
  assert.equal(isFailedAttempt(biometric({ matchScore: 0.59 })), true);
  assert.equal(isFailedAttempt(biometric({ livenessScore: 0.49 })), true);
  assert.equal(isFailedAttempt(biometric({ presentationAttack: true })), true);
  assert.equal(isFailedAttempt(biometric({ matchScore: 0.6, livenessScore: 0.5 })), false);
});

void test('failed attempts are counted over the 24 h before now, including one that arrived late', () => {
  const arrivals = [
    biometric({ observedAt: hoursAgo(25), matchScore: 0.2 }),
    biometric({ observedAt: hoursAgo(20), matchScore: 0.2 }),
    biometric({ observedAt: hoursAgo(10), livenessScore: 0.1 }),
    biometric({ observedAt: hoursAgo(1) }),
    // Arrives last, but happened 6 hours ago: it lands in its place in the window and counts.
    biometric({ observedAt: hoursAgo(6), presentationAttack: true }),
  ];
  const f = biometricFeatures(evidenceOf({ biometric: arrivals }).biometric, T0);
  assert.equal(f.failedAttempts24h, 3);
  assert.equal(f.newestIsLiveGood, true);
  assert.equal(f.attackUnanswered, false);
  const before = biometricFeatures(evidenceOf({ biometric: arrivals.slice(0, 4) }).biometric, T0);
  assert.equal(before.failedAttempts24h, 2);
});
