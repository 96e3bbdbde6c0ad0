/**
 * Batched inference speed and memory of the identity-fusion model (not a test: nothing is asserted).
 *
 *   taskset -c 0 node --expose-gc --import tsx bench/model-inference.ts [batchSize] [predictions]
 *
 * Inputs are real claims from the labelled-data generator (a small population), cycled. Measures:
 * 1. the network alone: rows/s through one batched forward pass (`predictSubLogits`, tfjs), over
 *    `predictions` rows (default 1,000,000), with RSS and tf.memory().numTensors before and after; and
 *    the same rows through the plain pass the scorer serves with (`forwardSubLogits`, dense-forward.ts);
 * 2. the whole scorer (`score()`: rows, occlusion rows for the reasons, fusion, calibration, caps,
 *    reasons, assurance): subjects/s over a fifth of that, memory measured after three warm-up batches
 *    (the wasm heap grows once to the largest batch and keeps that size).
 * Prints one JSON object. `taskset -c 0` pins it to one core.
 */
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import type { SubjectFeatures } from '../src/features/extract-features.js';
import { generateLabelledData } from '../src/model/labelled-data.js';
import { defaultModelDir, loadModel } from '../src/scoring/model/model-files.js';
import { allocateRows, toInputArrays, type ModelRows } from '../src/scoring/model/model-inputs.js';
import { createModelScorer } from '../src/scoring/model/model-scorer.js';
import { denseSubScoresOf, forwardSubLogits } from '../src/scoring/model/dense-forward.js';
import { predictSubLogits } from '../src/scoring/model/predict-sub-logits.js';
import type { ScoreInput } from '../src/scoring/scorer.js';
import { FEATURE_COUNT } from '../src/features/feature-vector.js';

const batchSize = Number(process.argv[2] ?? 4096);
const predictions = Number(process.argv[3] ?? 1_000_000);

function mb(bytes: number): number {
  return Math.round((bytes / 1_048_576) * 10) / 10;
}

/** Memory after a full collection: RSS, JS heap in use, and live tensors. */
function snapshot(): { rss: number; heap: number; tensors: number } {
  global.gc?.();
  const memory = process.memoryUsage();
  return { rss: memory.rss, heap: memory.heapUsed, tensors: tf.memory().numTensors };
}

/** `batchSize` rows cycled from the claims. */
function batchOf(data: ModelRows): ModelRows {
  const rows = allocateRows(batchSize);
  for (let i = 0; i < batchSize; i += 1) {
    const from = i % data.count;
    rows.vectors.set(
      data.vectors.subarray(from * FEATURE_COUNT, (from + 1) * FEATURE_COUNT),
      i * FEATURE_COUNT,
    );
    for (const key of ['rulesRaw', 'fresh', 'present'] as const) {
      rows[key].set(data[key].subarray(from * 4, from * 4 + 4), i * 4);
    }
  }
  return rows;
}

const claims: { features: SubjectFeatures; atMs: number }[] = [];
const data = generateLabelledData({
  seed: 'bench',
  subjects: 800,
  historyDays: 7,
  episodeDays: 7,
  tailDays: 1,
  onClaim: (features, atMs) => claims.push({ features, atMs }),
});
const scorer = await createModelScorer();
const { network, metadata } = await loadModel(defaultModelDir());
const inputs = toInputArrays(batchOf(data.rows), metadata.normalisation);

// Network alone.
for (let i = 0; i < 5; i += 1) predictSubLogits(network, inputs, batchSize);
const before = snapshot();
const batches = Math.ceil(predictions / batchSize);
let t0 = performance.now();
for (let i = 0; i < batches; i += 1) predictSubLogits(network, inputs, batchSize);
const networkMs = performance.now() - t0;
const after = snapshot();

// The plain pass the scorer serves with, on the same rows.
const dense = denseSubScoresOf(network);
for (let i = 0; i < 5; i += 1) forwardSubLogits(dense, inputs, batchSize);
t0 = performance.now();
for (let i = 0; i < batches; i += 1) forwardSubLogits(dense, inputs, batchSize);
const plainMs = performance.now() - t0;

// Whole scorer.
const scoreInputs: ScoreInput[] = Array.from({ length: batchSize }, (_, i) => {
  const claim = claims[i % claims.length];
  if (claim === undefined) throw new Error('no claims');
  return {
    subjectId: 'a'.repeat(32),
    features: claim.features,
    computedAtMs: claim.atMs,
    triggerEventId: 'bench',
  };
});
for (let i = 0; i < 3; i += 1) scorer.score(scoreInputs);
const scorerBefore = snapshot();
const scoreBatches = Math.ceil(predictions / 5 / batchSize);
t0 = performance.now();
for (let i = 0; i < scoreBatches; i += 1) scorer.score(scoreInputs);
const scorerMs = performance.now() - t0;
const end = snapshot();

console.log(
  JSON.stringify(
    {
      backend: tf.getBackend(),
      wasmMultithread: tf.getBackend() === 'wasm' ? tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') : null,
      gcExposed: typeof global.gc === 'function',
      batchSize,
      network: {
        rows: batches * batchSize,
        seconds: Math.round(networkMs) / 1000,
        rowsPerSecond: Math.round((batches * batchSize) / (networkMs / 1000)),
        rssMbBefore: mb(before.rss),
        rssMbAfter: mb(after.rss),
        heapUsedMbBefore: mb(before.heap),
        heapUsedMbAfter: mb(after.heap),
        numTensorsBefore: before.tensors,
        numTensorsAfter: after.tensors,
      },
      plainNetwork: {
        rows: batches * batchSize,
        seconds: Math.round(plainMs) / 1000,
        rowsPerSecond: Math.round((batches * batchSize) / (plainMs / 1000)),
      },
      scorer: {
        subjects: scoreBatches * batchSize,
        seconds: Math.round(scorerMs) / 1000,
        subjectsPerSecond: Math.round((scoreBatches * batchSize) / (scorerMs / 1000)),
        rssMbBefore: mb(scorerBefore.rss),
        rssMbAfter: mb(end.rss),
        heapUsedMbBefore: mb(scorerBefore.heap),
        heapUsedMbAfter: mb(end.heap),
        numTensorsBefore: scorerBefore.tensors,
        numTensorsAfter: end.tensors,
      },
    },
    null,
    2,
  ),
);
