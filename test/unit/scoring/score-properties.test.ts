/**
 * Randomized property test: thousands of seeded random evidence sets, extreme values included, and the
 * invariants every consumer relies on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type {
  BiometricSignal,
  CaptureChannel,
  KycMatch,
  LineType,
  LocationSignal,
  LocationSource,
  Modality,
  RegistrySignal,
  RegistryStatus,
  TelecomSignal,
} from '../../../src/codec/types.js';
import { extractFeatures } from '../../../src/features/extract-features.js';
import { toVector } from '../../../src/features/feature-vector.js';
import { decayScore } from '../../../src/scoring/decay.js';
import { isReasonCode, REASONS, type ReasonCode } from '../../../src/scoring/reasons.js';
import { createRulesScorer } from '../../../src/scoring/rules-scorer.js';
import { DIMENSIONS, type ScoreResult } from '../../../src/scoring/scorer.js';
import {
  biometric,
  evidenceOf,
  location,
  registry,
  seededRandom,
  T0,
  telecom,
  type Arrivals,
} from '../../support/evidence-factory.js';

const SUBJECTS = 4_000;
const YEAR_MS = 365 * 86_400_000;

type Random = () => number;

function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new RangeError('empty choice');
  return item;
}

/** A number in [lo, hi], with a fair chance of hitting either end exactly. */
function extreme(random: Random, lo: number, hi: number): number {
  const roll = random();
  if (roll < 0.1) return lo;
  if (roll < 0.2) return hi;
  return lo + random() * (hi - lo);
}

/** An event time: mostly the last days, sometimes years back, equal to another, or just after now. */
function eventTime(random: Random, times: number[]): number {
  const roll = random();
  let at: number;
  if (roll < 0.15 && times.length > 0) at = pick(random, times);
  else if (roll < 0.25) at = T0 - Math.floor(random() * 10 * YEAR_MS);
  else if (roll < 0.3) at = T0 + Math.floor(random() * 3_600_000);
  else if (roll < 0.35) at = T0;
  else at = T0 - Math.floor(random() * 10 * 86_400_000);
  times.push(at);
  return at;
}

function nullableTime(random: Random, times: number[]): number | null {
  return random() < 0.5 ? null : eventTime(random, times);
}

function randomTelecom(random: Random, times: number[]): TelecomSignal {
  return telecom({
    observedAt: eventTime(random, times),
    msisdnHash: pick(random, ['msisdn-a', 'msisdn-b']),
    lineType: pick<LineType>(random, ['POSTPAID', 'PREPAID', 'VOIP', 'UNKNOWN']),
    tenureDays: Math.floor(extreme(random, 0, 2 ** 31 - 1) * (random() < 0.7 ? 1e-6 : 1)),
    simSwappedAt: nullableTime(random, times),
    portedAt: nullableTime(random, times),
    deviceChangedAt: nullableTime(random, times),
    kycMatch: pick<KycMatch>(random, ['FULL', 'PARTIAL', 'NONE', 'UNKNOWN']),
  });
}

function randomLocation(random: Random, times: number[]): LocationSignal {
  const local = random() < 0.6;
  return location({
    observedAt: eventTime(random, times),
    latitude: local ? 39.9 + random() * 0.05 : extreme(random, -90, 90),
    longitude: local ? 116.4 + random() * 0.05 : extreme(random, -180, 180),
    accuracyMeters: pick(random, [1e-3, 5, 50, 3_000, 25_000, 1e7, extreme(random, 1e-6, 1e5)]),
    source: pick<LocationSource>(random, ['GNSS', 'CELL', 'WIFI', 'IP']),
  });
}

function randomBiometric(random: Random, times: number[]): BiometricSignal {
  return biometric({
    observedAt: eventTime(random, times),
    modality: pick<Modality>(random, ['FACE', 'FINGERPRINT', 'IRIS', 'VOICE']),
    matchScore: extreme(random, 0, 1),
    livenessScore: extreme(random, 0, 1),
    qualityScore: extreme(random, 0, 1),
    presentationAttack: random() < 0.1,
    captureChannel: pick<CaptureChannel>(random, ['KIOSK', 'MOBILE', 'BRANCH']),
  });
}

function randomRegistry(random: Random, times: number[]): RegistrySignal {
  return registry({
    observedAt: eventTime(random, times),
    registry: pick(random, ['civil', 'social-insurance', 'tax']),
    recordFound: random() < 0.85,
    nameMatch: extreme(random, 0, 1),
    birthDateMatch: random() < 0.85,
    status: pick<RegistryStatus>(random, ['ACTIVE', 'ACTIVE', 'ACTIVE', 'SUSPENDED', 'DECEASED', 'UNKNOWN']),
    documentValid: random() < 0.85,
  });
}

function many<T>(random: Random, max: number, make: () => T): T[] {
  const count = random() < 0.2 ? 0 : Math.floor(random() * max);
  return Array.from({ length: count }, make);
}

function randomArrivals(random: Random): Arrivals {
  const times: number[] = [];
  return {
    telecom: many(random, 12, () => randomTelecom(random, times)),
    location: many(random, 40, () => randomLocation(random, times)),
    biometric: many(random, 40, () => randomBiometric(random, times)),
    registry: many(random, 10, () => randomRegistry(random, times)),
  };
}

function inUnit(value: number): boolean {
  return Number.isFinite(value) && value >= 0 && value <= 1;
}

function checkResult(result: ScoreResult): void {
  assert.ok(inUnit(result.confidence), `confidence ${result.confidence}`);
  assert.deepEqual(
    result.dimensions.map((d) => d.dimension),
    [...DIMENSIONS],
  );
  for (const d of result.dimensions) {
    assert.ok(inUnit(d.score) && inUnit(d.weight), `${d.dimension} ${d.score} ${d.weight}`);
    assert.equal(d.present, d.evidenceAt !== null);
  }
  let previous = Number.POSITIVE_INFINITY;
  for (const reason of result.reasons) {
    const code = reason.code;
    assert.ok(isReasonCode(code), code);
    const spec = REASONS[code];
    assert.equal(reason.dimension, spec.dimension);
    assert.ok(Number.isFinite(reason.impact));
    assert.ok(
      spec.severity === 'positive' ? reason.impact >= 0 : reason.impact <= 0,
      `${reason.code} ${reason.impact}`,
    );
    assert.ok(Math.abs(reason.impact) <= previous);
    previous = Math.abs(reason.impact);
  }
  const has = (code: ReasonCode): boolean => result.reasons.some((reason) => reason.code === code);
  if (has('REG_DECEASED') || has('REG_SUSPENDED')) {
    assert.ok(result.confidence <= 0.05);
    assert.equal(result.assuranceLevel, 'NONE');
  }
  if (has('BIO_PRESENTATION_ATTACK')) assert.ok(result.confidence <= 0.1);
}

void test('score-always-in-unit-interval: random evidence, extreme values, every invariant holds', () => {
  const random = seededRandom(20250115);
  const scorer = createRulesScorer();
  const batch = [];
  for (let i = 0; i < SUBJECTS; i += 1) {
    const now = random() < 0.8 ? T0 : T0 - Math.floor(random() * YEAR_MS);
    const features = extractFeatures(evidenceOf(randomArrivals(random)), now);
    const vector = toVector(features);
    assert.ok(
      vector.every((v) => Number.isFinite(v)),
      `vector of subject ${i}`,
    );
    batch.push({ subjectId: `s${i}`, features, computedAtMs: now, triggerEventId: `e${i}` });
  }
  const results = scorer.score(batch);
  assert.equal(results.length, SUBJECTS);
  for (const result of results) {
    checkResult(result);
    let previous = result;
    for (const hours of [1, 13, 200, 5_000]) {
      const later = decayScore(result, result.computedAt + hours * 3_600_000);
      checkResult({ ...later, assuranceRule: later.assuranceRule });
      assert.ok(
        later.confidence <= previous.confidence,
        `decayed ${later.confidence} > ${previous.confidence}`,
      );
      previous = later;
    }
  }
});
