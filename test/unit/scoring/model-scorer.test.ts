import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dimension, DimensionScore, Reason } from '../../../src/codec/types.js';
import { DmidError } from '../../../src/errors.js';
import { capOf } from '../../../src/scoring/caps.js';
import { TERMS } from '../../../src/scoring/model/additive-terms.js';
import { defaultModelDir, loadModel } from '../../../src/scoring/model/model-files.js';
import { createModelScorer } from '../../../src/scoring/model/model-scorer.js';
import type { ReasonCode } from '../../../src/scoring/reasons.js';
import { DIMENSIONS, type ScoreInput, type ScoreResult } from '../../../src/scoring/scorer.js';
import {
  biometric,
  featuresOf,
  goodArrivals,
  hoursAgo,
  registry,
  scoreOf,
  T0,
  telecom,
  type Arrivals,
} from '../../support/evidence-factory.js';
import { NEGATIVE_CASES } from '../../support/reason-scenarios.js';

const scorer = await createModelScorer();

function inputOf(arrivals: Arrivals, atMs = T0): ScoreInput {
  return {
    subjectId: 'a'.repeat(32),
    features: featuresOf(arrivals, atMs),
    computedAtMs: atMs,
    triggerEventId: randomUUID(),
  };
}

function modelScoreOf(arrivals: Arrivals): ScoreResult {
  return scoreOf(arrivals, T0, scorer);
}

function reasonOf(result: ScoreResult, code: ReasonCode): Reason | undefined {
  return result.reasons.find((reason) => reason.code === code);
}

function dimensionOf(result: ScoreResult, dimension: Dimension): DimensionScore {
  const found = result.dimensions.find((d) => d.dimension === dimension);
  assert.ok(found, dimension);
  return found;
}

const BASELINE = modelScoreOf(goodArrivals());

void test('the shipped model loads and names its version (2.x: the additive model)', () => {
  assert.equal(BASELINE.modelVersion, `identity-fusion-${scorer.version}`);
  assert.match(scorer.version, /^2\./);
});

void test('the good subject: high confidence, four present dimensions in order, only positive reasons', () => {
  assert.ok(BASELINE.confidence > 0.95, String(BASELINE.confidence));
  assert.deepEqual(
    BASELINE.dimensions.map((d) => d.dimension),
    [...DIMENSIONS],
  );
  assert.ok(BASELINE.dimensions.every((d) => d.present && d.score > 0.5 && d.weight > 0));
  assert.ok(BASELINE.reasons.length > 0);
  assert.ok(
    BASELINE.reasons.every((reason) => reason.impact > 0),
    JSON.stringify(BASELINE.reasons),
  );
});

for (const { code, dimension, arrivals, lowers } of NEGATIVE_CASES) {
  void test(`${code}: attributed by the model with a negative impact, and the confidence falls`, () => {
    const result = modelScoreOf(goodArrivals(arrivals));
    const reason = reasonOf(result, code);
    assert.ok(reason, `${code} missing from ${result.reasons.map((r) => r.code).join(',')}`);
    assert.equal(reason.dimension, dimension);
    assert.ok(reason.impact < 0, `impact ${reason.impact}`);
    assert.ok(
      result.confidence < BASELINE.confidence,
      `confidence ${result.confidence} < ${BASELINE.confidence}`,
    );
    const before = dimensionOf(BASELINE, dimension);
    const after = dimensionOf(result, dimension);
    if (lowers === 'score') assert.ok(after.score <= before.score, `${after.score} <= ${before.score}`);
    if (lowers === 'weight')
      assert.ok(after.weight < before.weight / 2, `${after.weight} < ${before.weight} / 2`);
    if (lowers === 'presence')
      assert.deepEqual([after.present, after.weight, after.evidenceAt], [false, 0, null]);
  });
}

void test('caps of the contract hold exactly as for the rules: deceased/suspended ≤ 0.05 and NONE, attack ≤ 0.10', () => {
  for (const status of ['DECEASED', 'SUSPENDED'] as const) {
    const result = modelScoreOf(goodArrivals({ registry: [registry({ status })] }));
    assert.ok(result.confidence <= 0.05, `${status} ${result.confidence}`);
    assert.equal(result.assuranceLevel, 'NONE');
  }
  const attack = modelScoreOf(
    goodArrivals({
      biometric: [biometric({ observedAt: hoursAgo(5) }), biometric({ presentationAttack: true })],
    }),
  );
  assert.ok(attack.confidence <= 0.1, String(attack.confidence));
  assert.equal(attack.assuranceLevel, 'NONE');
  const answered = modelScoreOf(
    goodArrivals({
      biometric: [biometric({ observedAt: hoursAgo(5), presentationAttack: true }), biometric()],
    }),
  );
  assert.ok(answered.confidence > 0.1, 'a later live capture lifts the cap');
});

void test('attribution sign: positive codes raise, negative codes lower, on a mixed subject', () => {
  const result = modelScoreOf(
    goodArrivals({ telecom: [telecom({ simSwappedAt: hoursAgo(2), tenureDays: 900 })] }),
  );
  for (const reason of result.reasons) {
    const positive = [
      'TEL_TENURE_LONG',
      'TEL_KYC_MATCH',
      'LOC_HOME_REGION',
      'BIO_STRONG_MATCH',
      'REG_VERIFIED',
    ].includes(reason.code);
    if (positive) assert.ok(reason.impact > 0, `${reason.code} ${reason.impact}`);
    else assert.ok(reason.impact < 0, `${reason.code} ${reason.impact}`);
  }
  assert.ok(reasonOf(result, 'TEL_SIM_SWAP_RECENT'));
  assert.ok(reasonOf(result, 'TEL_TENURE_LONG'));
});

void test('a batch scores like its subjects one by one, result i for input i, deterministic', () => {
  const cases = [goodArrivals(), ...NEGATIVE_CASES.map((c) => goodArrivals(c.arrivals))];
  const inputs = cases.map((arrivals) => inputOf(arrivals));
  const batch = scorer.score(inputs);
  assert.equal(batch.length, inputs.length);
  inputs.forEach((input, i) => {
    const [alone] = scorer.score([input]);
    assert.deepEqual(batch[i], alone);
    assert.equal(batch[i]?.triggerEventId, input.triggerEventId);
  });
  assert.deepEqual(scorer.score([]), []);
});

void test('reasons are exact: the calibrated bias and the logOdds of every reason sum to logit(confidence)', () => {
  const metadata = loadModel(defaultModelDir());
  const { a, c } = metadata.calibration;
  const cases = [goodArrivals(), ...NEGATIVE_CASES.map((k) => goodArrivals(k.arrivals))];
  for (const arrivals of cases) {
    const result = modelScoreOf(arrivals);
    const sum = a * metadata.additive.bias + c + result.reasons.reduce((s, r) => s + r.logOdds, 0);
    const p = result.confidence;
    assert.ok(Math.abs(sum - Math.log(p / (1 - p))) < 1e-6, `${sum} vs logit(${p})`);
  }
});

void test('bounded: no single non-fatal fact takes the good subject below the hard caps (or near them)', () => {
  for (const { code, arrivals } of NEGATIVE_CASES) {
    if (capOf(code) < 1) continue;
    const result = modelScoreOf(goodArrivals(arrivals));
    assert.ok(result.confidence > 0.3, `${code}: ${result.confidence}`);
  }
  const kycNone = modelScoreOf(goodArrivals({ telecom: [telecom({ kycMatch: 'NONE' })] }));
  assert.ok(kycNone.confidence > 0.5, `KYC NONE alone: ${kycNone.confidence}`);
  // The scripted good subject has every piece of evidence at its best and fresh: the bounded terms keep
  // even it below logit 8 (0.99966), so one fact still moves its confidence.
  const p = BASELINE.confidence;
  assert.ok(Math.log(p / (1 - p)) < 8, `the good subject is not saturated: ${p}`);
  const swap = modelScoreOf(goodArrivals({ telecom: [telecom({ simSwappedAt: hoursAgo(1) })] }));
  const top = reasonOf(swap, 'TEL_SIM_SWAP_RECENT');
  assert.ok(top !== undefined && top.logOdds <= -1, `a recent SIM swap moves the logit by ${top?.logOdds}`);
  assert.ok(BASELINE.confidence - swap.confidence > 0.01, 'and the confidence visibly');
});

void test('the shipped tables are monotone and inside their documented bounds; risk terms end at exactly 0', () => {
  const metadata = loadModel(defaultModelDir());
  TERMS.forEach((term, t) => {
    const table = metadata.additive.tables[t] ?? [];
    for (let j = 1; j < table.length; j += 1) assert.ok((table[j] ?? 0) >= (table[j - 1] ?? 0), term.name);
    assert.ok(Math.min(...table) >= term.lo && Math.max(...table) <= term.hi, term.name);
    if (term.kind === 'risk') assert.equal(table[table.length - 1], 0, term.name);
  });
  assert.ok(metadata.calibration.a > 0 && metadata.calibration.a <= 1, 'slope capped at 1');
});

void test('stale evidence shrinks toward 0: a term counts with the freshness of its dimension', () => {
  const fresh = modelScoreOf(goodArrivals({ telecom: [telecom({ kycMatch: 'NONE' })] }));
  const old = modelScoreOf(
    goodArrivals({ telecom: [telecom({ kycMatch: 'NONE', observedAt: hoursAgo(60 * 24) })] }),
  );
  const now = reasonOf(fresh, 'TEL_KYC_MISMATCH')?.logOdds ?? 0;
  const later = reasonOf(old, 'TEL_KYC_MISMATCH')?.logOdds ?? 0;
  assert.ok(now < 0 && later < 0 && later > now, `${later} shrinks toward 0 from ${now}`);
  assert.ok(Math.abs(later / now - 0.25) < 0.01, `two half-lives: a quarter (${later / now})`);
});

void test('a model folder whose terms or bounds differ from this build is refused', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dmid-model-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const metadata = loadModel(defaultModelDir());
  const widened = {
    ...metadata,
    terms: metadata.terms.map((term, i) => (i === 0 ? { ...term, lo: -9 } : term)),
  };
  writeFileSync(join(dir, 'metadata.json'), JSON.stringify(widened));
  assert.throws(
    () => loadModel(dir),
    (e: unknown) => e instanceof DmidError && e.code === 'DMID_MODEL_INVALID',
  );
  const other = { ...metadata, featureNames: ['tel_present', 'something_else'] };
  writeFileSync(join(dir, 'metadata.json'), JSON.stringify(other));
  assert.throws(() => loadModel(dir), /another feature vector/);
});

void test('a model folder that is missing or trained on another vector is refused with DMID_MODEL_INVALID', async () => {
  await assert.rejects(createModelScorer({ modelDir: '/nonexistent/model' }), (error: unknown) => {
    return error instanceof DmidError && error.code === 'DMID_MODEL_INVALID';
  });
});

void test('a false presentation-attack flag is lifted for a person whose captures stay below quality 0.5', () => {
  const flagged = biometric({ observedAt: hoursAgo(6), presentationAttack: true, livenessScore: 0.3 });
  const poor = (hours: number) =>
    biometric({ observedAt: hoursAgo(hours), qualityScore: 0.3, livenessScore: 0.85, matchScore: 0.8 });
  const once = modelScoreOf(goodArrivals({ biometric: [flagged, poor(2)] }));
  assert.ok(
    once.confidence <= 0.1 && reasonOf(once, 'BIO_PRESENTATION_ATTACK'),
    'one poor capture: still capped',
  );
  const twice = modelScoreOf(goodArrivals({ biometric: [flagged, poor(3), poor(1)] }));
  assert.equal(reasonOf(twice, 'BIO_PRESENTATION_ATTACK'), undefined);
  assert.ok(twice.confidence > 0.5, `two live captures in a row lift the cap: ${twice.confidence}`);
});
