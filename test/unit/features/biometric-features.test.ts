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

void test('lifting a false flag whatever the capture quality: a live capture at a BRANCH, or two live captures in a row', () => {
  const attack = biometric({ observedAt: hoursAgo(5), presentationAttack: true });
  const poor = (hours: number, o: Parameters<typeof biometric>[0] = {}) =>
    biometric({
      observedAt: hoursAgo(hours),
      qualityScore: 0.2,
      livenessScore: 0.85,
      captureChannel: 'KIOSK',
      ...o,
    });
  // One poor live capture at a kiosk: still flagged (a replayed photo can pass one capture).
  assert.equal(biometricFeatures([attack, poor(2)], T0).attackUnanswered, true);
  // The second live capture in a row lifts it, whatever its quality.
  assert.equal(biometricFeatures([attack, poor(3), poor(2)], T0).attackUnanswered, false);
  // A capture that is not live between them breaks the row.
  const notLive = poor(2.5, { livenessScore: 0.6 });
  assert.equal(biometricFeatures([attack, poor(3), notLive, poor(2)], T0).attackUnanswered, true);
  // Live captures before the flag do not count toward the row.
  assert.equal(biometricFeatures([poor(8), attack, poor(2)], T0).attackUnanswered, true);
  // One live capture at an attended BRANCH lifts it, whatever its quality.
  assert.equal(
    biometricFeatures([attack, poor(2, { captureChannel: 'BRANCH' })], T0).attackUnanswered,
    false,
  );
  // Never without liveness: a flagged or low-liveness capture lifts nothing.
  assert.equal(
    biometricFeatures([attack, poor(2, { captureChannel: 'BRANCH', livenessScore: 0.5 })], T0)
      .attackUnanswered,
    true,
  );
});
