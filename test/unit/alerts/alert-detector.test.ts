import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectAlert, seenOf } from '../../../src/alerts/alert-detector.js';
import { identityScore } from '../../support/api-harness.js';
import { goodArrivals, hoursAgo, registry, subjectId, T0, telecom } from '../../support/evidence-factory.js';

const subject = subjectId();
const good = identityScore(subject, T0);
const dead = identityScore(
  subject,
  T0 + 1000,
  goodArrivals({ registry: [registry({ status: 'DECEASED' })] }),
);

void describe('alert detection', () => {
  void it('a death record raises DENY_CODE_APPEARED with the code, an id derived from the score', () => {
    const alert = detectAlert(seenOf(good), dead);
    assert.ok(alert);
    assert.equal(alert.kind, 'DENY_CODE_APPEARED');
    assert.deepEqual(alert.reasonCodes, ['REG_DECEASED']);
    assert.equal(alert.previousAssuranceLevel, 'HIGH');
    assert.equal(alert.assuranceLevel, 'NONE');
    assert.deepEqual(detectAlert(seenOf(good), dead), alert);
  });

  void it('a code that persists raises nothing again', () => {
    const stillDead = identityScore(
      subject,
      T0 + 2000,
      goodArrivals({ registry: [registry({ status: 'DECEASED' })] }),
    );
    assert.equal(detectAlert(seenOf(dead), stillDead), null);
  });

  void it('an assurance drop without a new code raises ASSURANCE_DROPPED', () => {
    const weaker = identityScore(subject, T0 + 1000, goodArrivals({ biometric: [] }));
    const alert = detectAlert(seenOf(good), weaker);
    assert.ok(alert);
    assert.equal(alert.kind, 'ASSURANCE_DROPPED');
    assert.deepEqual(alert.reasonCodes, []);
  });

  void it('a first score carrying an alert code raises it; a first good score raises nothing', () => {
    const swapped = identityScore(
      subject,
      T0,
      goodArrivals({ telecom: [telecom({ simSwappedAt: hoursAgo(1) })] }),
    );
    assert.deepEqual(detectAlert(null, swapped)?.reasonCodes, ['TEL_SIM_SWAP_RECENT']);
    assert.equal(detectAlert(null, good), null);
  });

  void it('a rise in assurance raises nothing', () => {
    const weaker = identityScore(subject, T0, goodArrivals({ biometric: [] }));
    assert.equal(detectAlert(seenOf(weaker), identityScore(subject, T0 + 1000)), null);
  });
});
