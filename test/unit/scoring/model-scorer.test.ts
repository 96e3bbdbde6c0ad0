import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { Dimension, DimensionScore, Reason } from '../../../src/codec/types.js';
import { DmidError } from '../../../src/errors.js';
import { calibrate } from '../../../src/model/calibration.js';
import { fusionLogits } from '../../../src/model/training.js';
import { defaultModelDir, loadModel } from '../../../src/scoring/model/model-files.js';
import { allocateRows, writeRow } from '../../../src/scoring/model/model-inputs.js';
import { createModelScorer } from '../../../src/scoring/model/model-scorer.js';
import type { ReasonCode } from '../../../src/scoring/reasons.js';
import { DIMENSIONS, type ScoreInput, type ScoreResult } from '../../../src/scoring/scorer.js';
import { RuleHits } from '../../../src/scoring/sub-scores.js';
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

void test('the shipped model loads on a backend that allows synchronous reads, and names its version', () => {
  assert.ok(['wasm', 'cpu', 'tensorflow'].includes(scorer.backend), scorer.backend);
  assert.equal(BASELINE.modelVersion, `identity-fusion-${scorer.version}`);
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

void test('no tensor leaks: tf.memory().numTensors is unchanged after scoring', () => {
  const inputs = Array.from({ length: 64 }, () => inputOf(goodArrivals()));
  scorer.score(inputs);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 20; i += 1) scorer.score(inputs);
  assert.equal(tf.memory().numTensors, before);
});

void test('the served confidence is the evaluation confidence: same rows, same network, same fusion', async () => {
  const { network, metadata } = await loadModel(defaultModelDir());
  const arrivals = [goodArrivals(), goodArrivals({ telecom: [telecom({ kycMatch: 'NONE' })] })];
  const rows = allocateRows(arrivals.length);
  arrivals.forEach((a, i) => writeRow(rows, i, featuresOf(a), T0, metadata.halfLivesMs, new RuleHits()));
  const z = fusionLogits(network, metadata.fusion, metadata.normalisation, rows);
  arrivals.forEach((a, i) => {
    const served = scorer.score([inputOf(a)])[0]?.confidence;
    assert.equal(served, calibrate(metadata.calibration, z[i] ?? 0));
  });
  network.dispose();
});

void test('a model folder that is missing or trained on another vector is refused with DMID_MODEL_INVALID', async () => {
  await assert.rejects(createModelScorer({ modelDir: '/nonexistent/model' }), (error: unknown) => {
    return error instanceof DmidError && error.code === 'DMID_MODEL_INVALID';
  });
});
