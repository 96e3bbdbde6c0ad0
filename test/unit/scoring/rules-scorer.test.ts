import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dimension, DimensionScore, Reason } from '../../../src/codec/types.js';
import { DmidError } from '../../../src/errors.js';
import type { ReasonCode } from '../../../src/scoring/reasons.js';
import { createRulesScorer, type RulesScorerOptions } from '../../../src/scoring/rules-scorer.js';
import { DIMENSION_INDEX, DIMENSIONS, type ScoreResult } from '../../../src/scoring/scorer.js';
import {
  biometric,
  featuresOf,
  goodArrivals,
  homeFixes,
  hoursAgo,
  registry,
  scoreOf,
  T0,
  telecom,
  type Arrivals,
} from '../../support/evidence-factory.js';
import { NEGATIVE_CASES } from '../../support/reason-scenarios.js';

function reasonOf(result: ScoreResult, code: ReasonCode): Reason | undefined {
  return result.reasons.find((reason) => reason.code === code);
}

function dimensionOf(result: ScoreResult, dimension: Dimension): DimensionScore {
  const found = result.dimensions.find((d) => d.dimension === dimension);
  assert.ok(found, dimension);
  return found;
}

const BASELINE = scoreOf(goodArrivals());

void test('the good subject: all four dimensions strong and fresh, no negative reason, HIGH', () => {
  assert.ok(BASELINE.confidence > 0.95, String(BASELINE.confidence));
  assert.equal(BASELINE.assuranceLevel, 'HIGH');
  assert.ok(BASELINE.reasons.every((reason) => reason.impact > 0));
  assert.ok(BASELINE.dimensions.every((d) => d.present && d.score === 1));
});

for (const { code, dimension, arrivals, lowers } of NEGATIVE_CASES) {
  void test(`${code}: the scripted situation yields it with a negative impact and lowers the confidence`, () => {
    const result = scoreOf(goodArrivals(arrivals));
    const reason = reasonOf(result, code);
    assert.ok(reason, `${code} missing from ${result.reasons.map((r) => r.code).join(',')}`);
    assert.equal(reason.dimension, dimension);
    assert.ok(reason.impact < 0, `impact ${reason.impact}`);
    assert.ok(result.confidence < BASELINE.confidence, `confidence ${result.confidence}`);
    const before = dimensionOf(BASELINE, dimension);
    const after = dimensionOf(result, dimension);
    if (lowers === 'score') assert.ok(after.score < before.score, `${after.score} < ${before.score}`);
    if (lowers === 'weight')
      assert.ok(after.weight < before.weight / 2, `${after.weight} < ${before.weight} / 2`);
    if (lowers === 'presence')
      assert.deepEqual([after.present, after.weight, after.evidenceAt], [false, 0, null]);
    assert.equal(reasonOf(BASELINE, code), undefined);
  });
}

interface PositiveCase {
  readonly code: ReasonCode;
  readonly dimension: Dimension;
  /** The good subject without the factor (neither the positive nor a negative reason applies). */
  readonly without: Arrivals;
}

const POSITIVE_CASES: readonly PositiveCase[] = [
  { code: 'TEL_TENURE_LONG', dimension: 'TELECOM', without: { telecom: [telecom({ tenureDays: 200 })] } },
  { code: 'TEL_KYC_MATCH', dimension: 'TELECOM', without: { telecom: [telecom({ kycMatch: 'UNKNOWN' })] } },
  { code: 'LOC_HOME_REGION', dimension: 'LOCATION', without: { location: homeFixes(3) } },
  {
    code: 'BIO_STRONG_MATCH',
    dimension: 'BIOMETRIC',
    without: { biometric: [biometric({ matchScore: 0.8 })] },
  },
  { code: 'REG_VERIFIED', dimension: 'REGISTRY', without: { registry: [registry({ nameMatch: 0.8 })] } },
];

for (const { code, dimension, without } of POSITIVE_CASES) {
  void test(`${code}: the good subject has it with a positive impact; without the factor, confidence is lower`, () => {
    const reason = reasonOf(BASELINE, code);
    assert.ok(reason, code);
    assert.equal(reason.dimension, dimension);
    assert.ok(reason.impact > 0);
    const lacking = scoreOf(goodArrivals(without));
    assert.equal(reasonOf(lacking, code), undefined);
    assert.ok(lacking.confidence < BASELINE.confidence);
    assert.ok(dimensionOf(lacking, dimension).score < dimensionOf(BASELINE, dimension).score);
  });
}

void test('impact is the confidence change if the factor were neutral (a VoIP line against a postpaid one)', () => {
  const voip = scoreOf(goodArrivals({ telecom: [telecom({ lineType: 'VOIP' })] }));
  const postpaid = scoreOf(goodArrivals({ telecom: [telecom({ lineType: 'POSTPAID' })] }));
  const impact = reasonOf(voip, 'TEL_VOIP_LINE')?.impact ?? 0;
  assert.ok(Math.abs(impact - (voip.confidence - postpaid.confidence)) < 1e-12);
});

void test('a SIM swap an hour ago: telecom sub-score and confidence fall, assurance loses HIGH; a new handset too is worse', () => {
  const swapped = scoreOf(goodArrivals({ telecom: [telecom({ simSwappedAt: hoursAgo(1) })] }));
  assert.ok(dimensionOf(swapped, 'TELECOM').score <= 0.45);
  assert.notEqual(swapped.assuranceLevel, 'HIGH');
  assert.notEqual(swapped.assuranceLevel, 'SUBSTANTIAL');
  const takeover = scoreOf(
    goodArrivals({ telecom: [telecom({ simSwappedAt: hoursAgo(1), deviceChangedAt: hoursAgo(0.5) })] }),
  );
  assert.ok(dimensionOf(takeover, 'TELECOM').score < dimensionOf(swapped, 'TELECOM').score);
  const newPhoneOnly = scoreOf(goodArrivals({ telecom: [telecom({ deviceChangedAt: hoursAgo(0.5) })] }));
  assert.equal(newPhoneOnly.confidence, BASELINE.confidence);
  const longAgo = scoreOf(goodArrivals({ telecom: [telecom({ simSwappedAt: hoursAgo(8 * 24) })] }));
  assert.equal(reasonOf(longAgo, 'TEL_SIM_SWAP_RECENT'), undefined);
});

void test('reasons are ordered by absolute impact; dimensions are all four in contract order', () => {
  const result = scoreOf(
    goodArrivals({
      telecom: [telecom({ lineType: 'VOIP', kycMatch: 'PARTIAL' })],
      location: [],
      biometric: [biometric({ matchScore: 0.5 })],
    }),
  );
  const sizes = result.reasons.map((reason) => Math.abs(reason.impact));
  assert.deepEqual(
    sizes,
    [...sizes].sort((a, b) => b - a),
  );
  assert.deepEqual(
    result.dimensions.map((d) => d.dimension),
    [...DIMENSIONS],
  );
  assert.deepEqual(
    DIMENSIONS.map((d) => DIMENSION_INDEX[d]),
    [0, 1, 2, 3],
  );
  assert.deepEqual(
    scoreOf({}).dimensions.map((d) => d.dimension),
    [...DIMENSIONS],
  );
});

void test('nothing known: confidence is the unknown prior (0.25), assurance NONE, four MISSING reasons', () => {
  const result = scoreOf({});
  assert.equal(result.confidence, 0.25);
  assert.equal(result.assuranceLevel, 'NONE');
  assert.deepEqual(result.reasons.map((r) => r.code).sort(), [
    'BIO_MISSING',
    'LOC_MISSING',
    'REG_MISSING',
    'TEL_MISSING',
  ]);
});

void test('missing evidence does not count as good: a missing dimension scores below a present neutral one', () => {
  const missing = scoreOf(goodArrivals({ telecom: [] }));
  const neutral = scoreOf(
    goodArrivals({ telecom: [telecom({ tenureDays: 200, kycMatch: 'UNKNOWN', lineType: 'PREPAID' })] }),
  );
  assert.ok(missing.confidence < neutral.confidence);
});

void test('batched: one result per input, in input order, with scorer name, version and modelVersion', () => {
  const scorer = createRulesScorer();
  assert.equal(scorer.name, 'rules');
  assert.equal(scorer.version, '1.0.0');
  assert.deepEqual(scorer.score([]), []);
  const inputs = [goodArrivals(), {}, goodArrivals({ registry: [registry({ status: 'DECEASED' })] })].map(
    (arrivals, i) => ({
      subjectId: `subject-${i}`,
      features: featuresOf(arrivals),
      computedAtMs: T0,
      triggerEventId: `event-${i}`,
    }),
  );
  const results = scorer.score(inputs);
  assert.deepEqual(
    results.map((r) => [r.subjectId, r.triggerEventId, r.computedAt, r.modelVersion]),
    [
      ['subject-0', 'event-0', T0, 'rules-1.0.0'],
      ['subject-1', 'event-1', T0, 'rules-1.0.0'],
      ['subject-2', 'event-2', T0, 'rules-1.0.0'],
    ],
  );
  assert.deepEqual(results[0], scorer.score([inputs[0] ?? assert.fail()])[0]);
  assert.ok((results[2]?.confidence ?? 1) <= 0.05);
});

void test('options: unknown keys and bad half-lives are rejected', () => {
  const unknownKey: RulesScorerOptions & Record<string, unknown> = { halfLife: 3 };
  assert.throws(
    () => createRulesScorer(unknownKey),
    (e: unknown) => e instanceof DmidError && e.code === 'DMID_CONFIG_INVALID',
  );
  assert.throws(() => createRulesScorer({ halfLivesMs: { LOCATION: 0 } }), DmidError);
  assert.throws(() => createRulesScorer({ halfLivesMs: { SOCIAL: 1000 } }), DmidError);
});
