import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { DmidError } from '../../../src/errors.js';
import {
  checkAgainstTfjs,
  checkRows,
  denseSubScoresOf,
  forwardSubLogits,
  SUB_LOGIT_TOLERANCE,
  worstDifference,
} from '../../../src/scoring/model/dense-forward.js';
import { buildNetworks, HIDDEN_UNITS } from '../../../src/scoring/model/fusion-model.js';
import { defaultModelDir, loadModel } from '../../../src/scoring/model/model-files.js';
import { DIMENSION_FEATURES, type InputArrays } from '../../../src/scoring/model/model-inputs.js';
import { createModelScorer } from '../../../src/scoring/model/model-scorer.js';
import { predictSubLogits } from '../../../src/scoring/model/predict-sub-logits.js';
import { selectBackend } from '../../../src/scoring/model/tf-backend.js';
import { seededRandom } from '../../support/evidence-factory.js';

const backend = await selectBackend();
const { network } = await loadModel(defaultModelDir());
const dense = denseSubScoresOf(network);
const WIDTHS = [0, 1, 2, 3].map((d) => DIMENSION_FEATURES[d]?.length ?? 0);

/** `count` rows whose every input is drawn by `draw` (rules sub-scores by `drawRules`). */
function rowsOf(count: number, draw: () => number, drawRules: () => number): InputArrays {
  return {
    evidence: WIDTHS.map((width) => Float32Array.from({ length: count * width }, draw)),
    rules: WIDTHS.map(() => Float32Array.from({ length: count }, drawRules)),
  };
}

/** Gaussian by Box–Muller from a seeded uniform generator. */
function normal(random: () => number, sd: number): number {
  return sd * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i += 1) max = Math.max(max, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  return max;
}

void test('the plain pass equals tfjs predictSubLogits on 4,000 rows like the scorer feeds it', (t) => {
  const random = seededRandom(20_240_601);
  const count = 4_000;
  const inputs = rowsOf(
    count,
    () => (random() < 0.1 ? 0 : random() < 0.95 ? normal(random, 2) : random() * 60 - 30),
    () => random() * 3 - 1.5,
  );
  const reference = predictSubLogits(network, inputs, count);
  const u = forwardSubLogits(dense, inputs, count);
  assert.equal(u.length, count * 4);
  // On sub-logits of normal size the plain pass is within 1e-5 outright, not only by the scaled bound.
  for (let i = 0; i < u.length; i += 1) {
    const r = reference[i] ?? NaN;
    assert.ok(Math.abs((u[i] ?? NaN) - r) <= 1e-5 * Math.max(1, Math.abs(r)), `entry ${i}: ${u[i]} vs ${r}`);
  }
  const worst = worstDifference(dense, inputs, u, reference);
  assert.ok(worst.error <= SUB_LOGIT_TOLERANCE, JSON.stringify(worst));
  t.diagnostic(
    `${backend}: max |Δu| ${maxAbsDifference(u, reference).toExponential(2)}, ` +
      `worst ${worst.error.toExponential(2)} of the term magnitude`,
  );
});

void test('the plain pass equals tfjs on edge rows: zeros, tiny, huge and mixed magnitudes', (t) => {
  const random = seededRandom(7);
  const cases: Record<string, InputArrays> = {
    zeros: rowsOf(
      16,
      () => 0,
      () => 0,
    ),
    'zero evidence, rules only': rowsOf(
      64,
      () => 0,
      () => random() * 200 - 100,
    ),
    'float32 subnormals': rowsOf(
      64,
      () => (random() - 0.5) * 1e-40,
      () => (random() - 0.5) * 1e-40,
    ),
    'hundreds, cancelling sums': rowsOf(
      512,
      () => normal(random, 300),
      () => normal(random, 30),
    ),
    'millions, saturated tanh': rowsOf(
      256,
      () => normal(random, 1e6),
      () => normal(random, 1e6),
    ),
    // Large enough to saturate every unit, small enough that float32 sums stay finite (no NaN from ∞ − ∞).
    'near the float32 limit': rowsOf(
      64,
      () => (random() < 0.5 ? -1e30 : 1e30),
      () => random() * 2 - 1,
    ),
    'one huge input among normal ones': rowsOf(
      256,
      () => (random() < 0.03 ? (random() < 0.5 ? -1e4 : 1e4) : normal(random, 1)),
      () => random() * 3 - 1.5,
    ),
  };
  for (const [name, inputs] of Object.entries(cases)) {
    const count = inputs.rules[0]?.length ?? 0;
    const reference = predictSubLogits(network, inputs, count);
    const u = forwardSubLogits(dense, inputs, count);
    assert.ok(
      u.every((x) => Number.isFinite(x)),
      `${name}: every sub-logit finite`,
    );
    const worst = worstDifference(dense, inputs, u, reference);
    assert.ok(worst.error <= SUB_LOGIT_TOLERANCE, `${name}: ${JSON.stringify(worst)}`);
    t.diagnostic(`${name}: worst ${worst.error.toExponential(2)} of the term magnitude`);
  }
});

void test('zero rows give an empty result, and a batch equals its rows one by one', () => {
  assert.deepEqual(forwardSubLogits(dense, rowsOf(0, Math.random, Math.random), 0), new Float32Array(0));
  const random = seededRandom(3);
  const inputs = rowsOf(
    20,
    () => normal(random, 2),
    () => random(),
  );
  const batch = forwardSubLogits(dense, inputs, 20);
  for (let r = 0; r < 20; r += 1) {
    const one: InputArrays = {
      evidence: inputs.evidence.map((a, d) => a.slice(r * (WIDTHS[d] ?? 0), (r + 1) * (WIDTHS[d] ?? 0))),
      rules: inputs.rules.map((a) => a.slice(r, r + 1)),
    };
    assert.deepEqual(forwardSubLogits(dense, one, 1), batch.slice(r * 4, r * 4 + 4));
  }
});

void test('inputs that do not hold `count` rows are a RangeError, as tfjs refuses a wrong shape', () => {
  const inputs = rowsOf(
    4,
    () => 1,
    () => 1,
  );
  assert.throws(() => forwardSubLogits(dense, inputs, 5), RangeError);
  assert.throws(
    () => forwardSubLogits(dense, { evidence: inputs.evidence.slice(0, 3), rules: inputs.rules }, 4),
    RangeError,
  );
});

void test('the weights are copies: changing the model afterwards does not change the plain pass', () => {
  const { subScores } = buildNetworks(5);
  const copy = denseSubScoresOf(subScores);
  const inputs = checkRows(32);
  const before = forwardSubLogits(copy, inputs, 32);
  const layer = subScores.getLayer('telecom_hidden');
  layer.setWeights(layer.getWeights().map((w) => tf.zerosLike(w)));
  assert.deepEqual(forwardSubLogits(copy, inputs, 32), before);
  subScores.dispose();
});

/** What to change in a sub-score network built like fusion-model.ts's (dimension 0 unless said). */
interface Variant {
  readonly units?: number;
  readonly activation?: 'tanh' | 'relu' | 'linear';
  readonly rulesBias?: boolean;
  readonly registryWidth?: number;
  readonly swapOutputs?: boolean;
  readonly dropout?: boolean;
}

function variantNetwork(v: Variant): tf.LayersModel {
  const short = ['telecom', 'location', 'biometric', 'registry'];
  const parts = short.map((name, d) => {
    const width = d === 3 ? (v.registryWidth ?? WIDTHS[d] ?? 0) : (WIDTHS[d] ?? 0);
    const x = tf.input({ shape: [width], name: `${name}_evidence` });
    const r = tf.input({ shape: [1], name: `${name}_rules_raw` });
    let hidden = tf.layers
      .dense({
        units: d === 0 ? (v.units ?? HIDDEN_UNITS) : HIDDEN_UNITS,
        activation: d === 1 ? (v.activation ?? 'tanh') : 'tanh',
        name: `${name}_hidden`,
      })
      .apply(x) as tf.SymbolicTensor;
    if (d === 0 && v.dropout === true)
      hidden = tf.layers.dropout({ rate: 0.5 }).apply(hidden) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 1, name: `${name}_sub_logit` }).apply(hidden) as tf.SymbolicTensor;
    const rules = tf.layers
      .dense({ units: 1, useBias: d === 2 && v.rulesBias === true, name: `${name}_rules` })
      .apply(r) as tf.SymbolicTensor;
    return { x, r, u: tf.layers.add().apply([out, rules]) as tf.SymbolicTensor };
  });
  const outputs = parts.map((p) => p.u);
  if (v.swapOutputs === true) outputs.reverse();
  return tf.model({ inputs: [...parts.map((p) => p.x), ...parts.map((p) => p.r)], outputs });
}

function refusedWith(pattern: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof DmidError, String(error));
    assert.equal(error.code, 'DMID_MODEL_INVALID');
    assert.match(error.message, pattern);
    return true;
  };
}

void test('the network fusion-model.ts builds is accepted, whatever tfjs named its Add layers', () => {
  const { subScores, training } = buildNetworks(9);
  const built = denseSubScoresOf(subScores);
  checkAgainstTfjs(subScores, built);
  // The training network (fusion on top, 20 inputs) is not the served one.
  assert.throws(() => denseSubScoresOf(training), refusedWith(/inputs \[.*"fresh"/));
  // The two share their layers: disposing the larger one disposes both.
  training.dispose();
});

void test('a network of another shape is refused with DMID_MODEL_INVALID naming what differs', () => {
  const cases: [Variant, RegExp][] = [
    [{}, /^$/],
    [{ units: 8 }, /telecom_hidden has units 8, expected 12/],
    [{ activation: 'relu' }, /location_hidden has activation "relu", expected "tanh"/],
    [{ rulesBias: true }, /biometric_rules has useBias true, expected false/],
    [{ registryWidth: 10 }, /input registry_evidence has shape \[null,10\], expected \[null,9\]/],
    [{ swapOutputs: true }, /output 0 adds \["registry_rules","registry_sub_logit"\]/],
    [{ dropout: true }, /it has layers \["dropout_Dropout\d+"\] besides the expected ones/],
  ];
  for (const [variant, pattern] of cases) {
    const model = variantNetwork(variant);
    if (Object.keys(variant).length === 0) denseSubScoresOf(model);
    else assert.throws(() => denseSubScoresOf(model), refusedWith(pattern), JSON.stringify(variant));
    model.dispose();
  }
});

void test('the start-up check refuses a plain pass that disagrees with the network tfjs runs', () => {
  const { subScores } = buildNetworks(4);
  assert.throws(
    () => checkAgainstTfjs(network, denseSubScoresOf(subScores)),
    refusedWith(/on check row \d+, \w+ sub-logit .* against tfjs/),
  );
  subScores.dispose();
});

void test('a model folder whose model.json changes an activation is refused by createModelScorer', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dmid-dense-forward-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const file of ['weights.bin', 'metadata.json'])
    copyFileSync(join(defaultModelDir(), file), join(dir, file));
  const json = readFileSync(join(defaultModelDir(), 'model.json'), 'utf8');
  // Same weights, so tfjs loads it; only the served pass would compute something else.
  const changed = json.replace(
    /("name":"registry_hidden","class_name":"Dense","config":\{"units":12,"activation":)"tanh"/,
    '$1"sigmoid"',
  );
  assert.notEqual(changed, json, 'the edit applies');
  writeFileSync(join(dir, 'model.json'), changed);
  await assert.rejects(
    createModelScorer({ modelDir: dir }),
    refusedWith(/registry_hidden has activation "sigmoid"/),
  );
});
