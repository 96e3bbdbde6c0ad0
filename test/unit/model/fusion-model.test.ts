import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  buildNetworks,
  fuse,
  fusionParamsOf,
  M_MIN,
  projectWeights,
  RULES_WEIGHT_MIN,
  W_MIN,
  layerName,
} from '../../../src/scoring/model/fusion-model.js';
import { DIMENSION_FEATURES } from '../../../src/scoring/model/model-inputs.js';
import { seededRandom } from '../../support/evidence-factory.js';

void test('the fusion computed in numbers at serving time equals the layers fusion the model trains', () => {
  const { subScores, training } = buildNetworks(3);
  const random = seededRandom(11);
  const n = 32;
  const xs: tf.Tensor[] = [];
  for (let d = 0; d < 4; d += 1) {
    const width = DIMENSION_FEATURES[d]?.length ?? 0;
    xs.push(
      tf.tensor2d(
        Array.from({ length: n * width }, () => random() * 4 - 2),
        [n, width],
      ),
    );
  }
  for (let d = 0; d < 4; d += 1)
    xs.push(
      tf.tensor2d(
        Array.from({ length: n }, () => random() * 2 - 1),
        [n, 1],
      ),
    );
  const fresh = Array.from({ length: n * 4 }, () => random());
  const present = Array.from({ length: n * 4 }, () => (random() < 0.7 ? 1 : 0));
  const inputs = [
    ...xs,
    tf.tensor2d(fresh, [n, 4]),
    tf.tensor2d(present, [n, 4]),
    tf.tensor2d(
      present.map((p) => p - 1),
      [n, 4],
    ),
  ];
  // Move the fusion weights away from their initial values so the check is not trivial.
  training
    .getLayer(layerName.fusion)
    .setWeights([tf.tensor2d([[0.7], [1.3], [0.2], [2]]), tf.tensor1d([-0.4])]);
  training.getLayer(layerName.missing).setWeights([tf.tensor2d([[0.3], [0.9], [0.5], [1.1]])]);
  const probability = (training.predict(inputs) as tf.Tensor[])[0]?.dataSync() ?? new Float32Array(0);
  const u = tf.concat(subScores.predict(xs.slice(0, 8)) as tf.Tensor[], 1).dataSync();
  const params = fusionParamsOf(training);
  for (let r = 0; r < n; r += 1) {
    const z = fuse(params, u, present, fresh, r * 4);
    assert.ok(Math.abs(1 / (1 + Math.exp(-z)) - (probability[r] ?? 0)) < 1e-5, `row ${r}`);
  }
  tf.dispose(inputs);
  training.dispose();
});

void test('projection keeps the network monotone: non-negative kernels and the weight floors', () => {
  const { training } = buildNetworks(5);
  for (let d = 0; d < 4; d += 1) {
    const layer = training.getLayer(layerName.hidden(d));
    const [kernel, bias] = layer.getWeights();
    if (kernel === undefined || bias === undefined) throw new Error('no kernel');
    layer.setWeights([kernel.neg(), bias]);
    training.getLayer(layerName.rules(d)).setWeights([tf.tensor2d([[-3]])]);
  }
  training.getLayer(layerName.missing).setWeights([tf.tensor2d([[-1], [0], [0.1], [2]])]);
  projectWeights(training);
  for (let d = 0; d < 4; d += 1) {
    const kernel = training.getLayer(layerName.hidden(d)).getWeights()[0]?.dataSync() ?? [];
    assert.ok(Array.from(kernel).every((v) => v >= 0));
    assert.equal(training.getLayer(layerName.rules(d)).getWeights()[0]?.dataSync()[0], RULES_WEIGHT_MIN);
  }
  const params = fusionParamsOf(training);
  assert.ok(params.weights.every((w) => w >= W_MIN));
  assert.deepEqual(
    params.missing.map((m) => m >= M_MIN),
    [true, true, true, true],
  );
  training.dispose();
});

void test('fusion rule: bad evidence keeps counting as it ages, good evidence fades, missing costs', () => {
  const params = { bias: 0, weights: [1, 1, 1, 1], missing: [0.5, 0.5, 0.5, 0.5] };
  const all = [1, 1, 1, 1];
  assert.equal(fuse(params, [2, 0, 0, 0], all, [0.5, 1, 1, 1]), 1);
  assert.equal(fuse(params, [-2, 0, 0, 0], all, [0.5, 1, 1, 1]), -2);
  assert.equal(fuse(params, [2, 0, 0, 0], [0, 1, 1, 1], [0, 1, 1, 1]), -0.5);
});
