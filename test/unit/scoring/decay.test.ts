import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IdentityScore } from '../../../src/codec/types.js';
import { DmidError } from '../../../src/errors.js';
import {
  decayScore,
  DEFAULT_HALF_LIVES_MS,
  freshness,
  resolveHalfLives,
} from '../../../src/scoring/decay.js';
import { createRulesScorer } from '../../../src/scoring/rules-scorer.js';
import { biometric, goodArrivals, hoursAgo, scoreOf, T0 } from '../../support/evidence-factory.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function close(actual: number, expected: number, tolerance = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} ≠ ${expected}`);
}

void test('freshness = 0.5^(age / half-life)', () => {
  assert.equal(freshness(0, DAY_MS), 1);
  assert.equal(freshness(DAY_MS, DAY_MS), 0.5);
  assert.equal(freshness(2 * DAY_MS, DAY_MS), 0.25);
  close(freshness(DAY_MS / 2, DAY_MS), Math.SQRT1_2);
  assert.equal(freshness(-5_000, DAY_MS), 1);
  assert.equal(freshness(Number.POSITIVE_INFINITY, DAY_MS), 0);
  assert.equal(freshness(Number.NaN, DAY_MS), 0);
});

void test('default half-lives: telecom 30 d, location 12 h, biometric 7 d, registry 90 d; overrides validated', () => {
  assert.deepEqual(DEFAULT_HALF_LIVES_MS, {
    TELECOM: 30 * DAY_MS,
    LOCATION: 12 * HOUR_MS,
    BIOMETRIC: 7 * DAY_MS,
    REGISTRY: 90 * DAY_MS,
  });
  assert.equal(resolveHalfLives({ LOCATION: HOUR_MS }).LOCATION, HOUR_MS);
  assert.equal(resolveHalfLives({ LOCATION: HOUR_MS }).TELECOM, 30 * DAY_MS);
  for (const bad of [{ LOCATION: -1 }, { LOCATION: Number.NaN }, { location: HOUR_MS }]) {
    assert.throws(
      () => resolveHalfLives(bad),
      (e: unknown) => e instanceof DmidError && e.code === 'DMID_CONFIG_INVALID',
    );
  }
});

void test('score-read-later-decays-by-half-life: a biometric-only subject read one half-life later, by the number', () => {
  const computed = scoreOf({ biometric: [biometric({ observedAt: T0 })] });
  // 0.35 × 1 (fresh strong match) + 0.65 × 0.25 (three dimensions unknown).
  close(computed.confidence, 0.5125);
  const later = decayScore(computed, T0 + 7 * DAY_MS);
  // Biometric freshness 0.5: 0.35 × (0.5 × 1 + 0.5 × 0.25) + 0.65 × 0.25.
  close(later.confidence, 0.38125);
  close(later.dimensions[2]?.weight ?? 0, 0.35 * 0.5);
  assert.equal(later.computedAt, T0 + 7 * DAY_MS);
  // Stale means older than one half-life: not yet at exactly one, from just after it.
  assert.equal(
    later.reasons.some((reason) => reason.code === 'BIO_STALE'),
    false,
  );
  const after = decayScore(computed, T0 + 7 * DAY_MS + 1);
  assert.ok(after.reasons.some((reason) => reason.code === 'BIO_STALE'));
});

void test('read at the time it was computed, a score is unchanged', () => {
  const computed = scoreOf(goodArrivals());
  const same = decayScore(computed, T0);
  assert.equal(same.confidence, computed.confidence);
  assert.equal(same.assuranceLevel, computed.assuranceLevel);
  assert.equal(same.assuranceRule, computed.assuranceRule);
  assert.deepEqual(same.dimensions, computed.dimensions);
  assert.deepEqual(same.reasons, computed.reasons);
});

void test('reading later never gives a higher confidence or assurance; reading earlier reads as computed', () => {
  const computed = scoreOf(goodArrivals());
  const levels = ['NONE', 'LOW', 'SUBSTANTIAL', 'HIGH'];
  let previous = decayScore(computed, T0);
  for (let hours = 1; hours <= 24 * 400; hours *= 1.5) {
    const next = decayScore(computed, T0 + hours * HOUR_MS);
    assert.ok(next.confidence <= previous.confidence, `at +${hours} h`);
    assert.ok(levels.indexOf(next.assuranceLevel) <= levels.indexOf(previous.assuranceLevel));
    previous = next;
  }
  assert.equal(decayScore(computed, T0 - DAY_MS).confidence, computed.confidence);
  assert.equal(decayScore(computed, T0 - DAY_MS).computedAt, T0);
});

void test('the decayed confidence equals a fresh score at the later time when the features do not change with time', () => {
  const arrivals = goodArrivals();
  const computed = scoreOf(arrivals, T0);
  const later = T0 + 3 * DAY_MS;
  close(decayScore(computed, later).confidence, scoreOf(arrivals, later).confidence);
});

void test('HIGH needs a fresh biometric: a day later still HIGH, four days later not', () => {
  const computed = scoreOf(goodArrivals({ biometric: [biometric({ observedAt: T0 })] }));
  assert.equal(computed.assuranceLevel, 'HIGH');
  assert.notEqual(decayScore(computed, T0 + 4 * DAY_MS).assuranceLevel, 'HIGH');
});

void test('staleness appears on read: location goes stale past its 12 h half-life', () => {
  const computed = scoreOf(goodArrivals());
  assert.equal(
    computed.reasons.some((reason) => reason.code === 'LOC_STALE'),
    false,
  );
  const later = decayScore(computed, T0 + 13 * HOUR_MS);
  const stale = later.reasons.find((reason) => reason.code === 'LOC_STALE');
  assert.ok(stale && stale.impact < 0);
  const sizes = later.reasons.map((reason) => Math.abs(reason.impact));
  assert.deepEqual(
    sizes,
    [...sizes].sort((a, b) => b - a),
  );
});

void test('half-lives are configurable: the same evidence decays faster with a shorter half-life', () => {
  const arrivals = goodArrivals({ biometric: [biometric({ observedAt: hoursAgo(24) })] });
  const fast = createRulesScorer({ halfLivesMs: { BIOMETRIC: DAY_MS } });
  const quick = scoreOf(arrivals, T0, fast);
  close(quick.dimensions[2]?.weight ?? 0, 0.35 * 0.5);
  assert.ok(quick.confidence < scoreOf(arrivals).confidence);
  close(
    decayScore(quick, T0 + DAY_MS, resolveHalfLives({ BIOMETRIC: DAY_MS })).dimensions[2]?.weight ?? 0,
    0.35 * 0.25,
  );
});

void test('an IdentityScore keeps its id; a score from another scorer decays by the same factor, never rising in level', () => {
  const rules = scoreOf(goodArrivals());
  const fromModel: IdentityScore = {
    ...rules,
    scoreId: '0b9e6c52-3f0e-4d7a-9a55-0d8c2b7e3c11',
    confidence: 0.8,
    assuranceLevel: 'NONE',
    modelVersion: 'tfjs-0.1.0',
  };
  const later = decayScore(fromModel, T0 + 2 * DAY_MS);
  assert.equal(later.scoreId, fromModel.scoreId);
  assert.equal(later.modelVersion, 'tfjs-0.1.0');
  const factor = decayScore(rules, T0 + 2 * DAY_MS).confidence / rules.confidence;
  close(later.confidence, 0.8 * factor, 1e-9);
  // The rules alone would say LOW at 0.8 × factor; the model said NONE, and a later read never rises.
  assert.equal(later.assuranceLevel, 'NONE');
  assert.equal(later.assuranceRule, 'as-computed');
});
