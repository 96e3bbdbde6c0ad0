import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capOf, capOfReasons } from '../../../src/scoring/caps.js';
import { decayScore } from '../../../src/scoring/decay.js';
import { biometric, goodArrivals, hoursAgo, registry, scoreOf, T0 } from '../../support/evidence-factory.js';

const DAY_MS = 86_400_000;

void test('deceased-caps-confidence: DECEASED gives confidence ≤ 0.05 and assurance NONE, whatever else is known', () => {
  const result = scoreOf(goodArrivals({ registry: [registry({ status: 'DECEASED' })] }));
  assert.ok(result.confidence <= 0.05);
  assert.equal(result.assuranceLevel, 'NONE');
  assert.equal(result.assuranceRule, 'registry-status-cap');
  assert.equal(result.reasons[0]?.code, 'REG_DECEASED');
});

void test('suspended-caps-confidence: SUSPENDED in any registry gives ≤ 0.05 and NONE', () => {
  const result = scoreOf(
    goodArrivals({
      registry: [
        registry({ observedAt: hoursAgo(2) }),
        registry({ registry: 'social-insurance', status: 'SUSPENDED' }),
      ],
    }),
  );
  assert.ok(result.confidence <= 0.05);
  assert.equal(result.assuranceLevel, 'NONE');
  assert.ok(result.reasons.some((reason) => reason.code === 'REG_SUSPENDED'));
});

void test('presentation-attack-caps-until-live-capture: capped at 0.10, and a later live capture lifts the cap', () => {
  const attacked = [
    biometric({ observedAt: hoursAgo(5) }),
    biometric({ observedAt: hoursAgo(2), presentationAttack: true }),
  ];
  const capped = scoreOf(goodArrivals({ biometric: attacked }));
  assert.ok(capped.confidence <= 0.1);
  assert.equal(capped.assuranceLevel, 'NONE');
  assert.equal(capped.assuranceRule, 'presentation-attack-cap');
  const lifted = scoreOf(goodArrivals({ biometric: [...attacked, biometric({ observedAt: hoursAgo(1) })] }));
  assert.ok(lifted.confidence > 0.5, String(lifted.confidence));
  assert.equal(
    lifted.reasons.some((reason) => reason.code === 'BIO_PRESENTATION_ATTACK'),
    false,
  );
  // A failed attempt after the attack is not a live capture: the cap holds.
  const notLive = scoreOf(
    goodArrivals({ biometric: [...attacked, biometric({ observedAt: hoursAgo(1), livenessScore: 0.3 })] }),
  );
  assert.ok(notLive.confidence <= 0.1);
});

void test('the cap holds however far back the attack is, as long as no live capture followed', () => {
  const result = scoreOf(
    goodArrivals({ biometric: [biometric({ observedAt: hoursAgo(20 * 24), presentationAttack: true })] }),
  );
  assert.ok(result.confidence <= 0.1);
});

void test('two caps: the lower holds; the impact of each is against the other still holding', () => {
  const result = scoreOf(
    goodArrivals({
      registry: [registry({ status: 'DECEASED' })],
      biometric: [biometric({ presentationAttack: true })],
    }),
  );
  assert.ok(result.confidence <= 0.05);
  const deceased = result.reasons.find((reason) => reason.code === 'REG_DECEASED');
  const attack = result.reasons.find((reason) => reason.code === 'BIO_PRESENTATION_ATTACK');
  assert.ok(Math.abs((deceased?.impact ?? 0) - (result.confidence - 0.1)) < 1e-12);
  assert.equal(attack?.impact, 0);
});

void test('caps still hold when a capped score is read later', () => {
  const result = scoreOf(goodArrivals({ registry: [registry({ status: 'DECEASED' })] }));
  for (const days of [0, 1, 30, 365]) {
    const later = decayScore(result, T0 + days * DAY_MS);
    assert.ok(later.confidence <= 0.05);
    assert.equal(later.assuranceLevel, 'NONE');
  }
});

void test('capOf: the contract values; other codes do not cap', () => {
  assert.equal(capOf('REG_DECEASED'), 0.05);
  assert.equal(capOf('REG_SUSPENDED'), 0.05);
  assert.equal(capOf('BIO_PRESENTATION_ATTACK'), 0.1);
  assert.equal(capOf('BIO_MATCH_LOW'), 1);
  assert.equal(capOfReasons([]), 1);
  assert.equal(
    capOfReasons([
      { code: 'BIO_PRESENTATION_ATTACK', dimension: 'BIOMETRIC', impact: -1, logOdds: 0 },
      { code: 'REG_SUSPENDED', dimension: 'REGISTRY', impact: -1, logOdds: 0 },
    ]),
    0.05,
  );
});
