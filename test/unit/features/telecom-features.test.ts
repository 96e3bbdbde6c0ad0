import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ABSENT_TELECOM, telecomFeatures } from '../../../src/features/telecom-features.js';
import { evidenceOf, hoursAgo, T0, telecom } from '../../support/evidence-factory.js';

void test('no telecom evidence: absent, every value null', () => {
  assert.deepEqual(telecomFeatures([], T0), ABSENT_TELECOM);
  assert.equal(ABSENT_TELECOM.present, false);
});

void test('fields come from the newest signal by event time, not the last to arrive', () => {
  const newer = telecom({ observedAt: hoursAgo(2), kycMatch: 'FULL', lineType: 'POSTPAID' });
  const older = telecom({ observedAt: hoursAgo(50), kycMatch: 'NONE', lineType: 'VOIP' });
  const { telecom: window } = evidenceOf({ telecom: [newer, older] });
  const f = telecomFeatures(window, T0);
  assert.equal(f.present, true);
  assert.equal(f.evidenceAt, hoursAgo(2));
  assert.equal(f.ageHours, 2);
  assert.equal(f.kycMatch, 'FULL');
  assert.equal(f.lineType, 'POSTPAID');
  assert.equal(f.signalCount, 2);
});

void test('SIM swap, port and device change recency are hours since the newest signal fields', () => {
  const f = telecomFeatures(
    [telecom({ simSwappedAt: hoursAgo(1), portedAt: hoursAgo(48), deviceChangedAt: hoursAgo(0.5) })],
    T0,
  );
  assert.equal(f.simSwapAgeHours, 1);
  assert.equal(f.portAgeHours, 48);
  assert.equal(f.deviceChangeAgeHours, 0.5);
  const none = telecomFeatures([telecom()], T0);
  assert.equal(none.simSwapAgeHours, null);
  assert.equal(none.portAgeHours, null);
  assert.equal(none.deviceChangeAgeHours, null);
});

void test('a change timestamp slightly after now (clock skew) reads as age 0', () => {
  const f = telecomFeatures([telecom({ simSwappedAt: T0 + 5_000 })], T0);
  assert.equal(f.simSwapAgeHours, 0);
});

void test('tenure keeps growing after the report: days since the signal are added', () => {
  const f = telecomFeatures([telecom({ observedAt: hoursAgo(48), tenureDays: 10 })], T0);
  assert.equal(f.tenureDays, 12);
});

void test('a number change within the window is reported with its age; a stable number is null', () => {
  const changed = evidenceOf({
    telecom: [
      telecom({ observedAt: hoursAgo(100), msisdnHash: 'msisdn-a' }),
      telecom({ observedAt: hoursAgo(72), msisdnHash: 'msisdn-a' }),
      telecom({ observedAt: hoursAgo(10), msisdnHash: 'msisdn-b' }),
      telecom({ observedAt: hoursAgo(3), msisdnHash: 'msisdn-b' }),
    ],
  });
  assert.equal(telecomFeatures(changed.telecom, T0).msisdnChangeAgeHours, 10);
  const stable = evidenceOf({ telecom: [telecom({ observedAt: hoursAgo(72) }), telecom()] });
  assert.equal(telecomFeatures(stable.telecom, T0).msisdnChangeAgeHours, null);
});

void test('signals observed after now are not seen: a score at t sees what was known by t', () => {
  const window = evidenceOf({
    telecom: [
      telecom({ observedAt: hoursAgo(5), kycMatch: 'FULL' }),
      telecom({ observedAt: T0 + 1, kycMatch: 'NONE' }),
    ],
  }).telecom;
  const f = telecomFeatures(window, T0);
  assert.equal(f.kycMatch, 'FULL');
  assert.equal(f.signalCount, 1);
  assert.equal(telecomFeatures(window, hoursAgo(6)).present, false);
});
