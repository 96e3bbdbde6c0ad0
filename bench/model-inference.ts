/**
 * Batched inference speed and memory of the identity-fusion model (not a test: nothing is asserted).
 *
 *   taskset -c 0 node --expose-gc --import tsx bench/model-inference.ts [batchSize] [subjects]
 *
 * Inputs are real claims from the labelled-data generator (a small population), cycled. Measures:
 * 1. the additive model alone: rows/s of term inputs and logits from feature vectors (writeTermInputs +
 *    rawTerms), over `subjects` rows (default 1,000,000);
 * 2. the whole scorer (`score()`: feature vector, rule hits for the caps, terms, calibration, caps, the
 *    exact reasons, dimension scores, assurance): subjects/s over a fifth of that, with memory after
 *    three warm-up batches.
 * Prints one JSON object. `taskset -c 0` pins it to one core.
 */
import { performance } from 'node:perf_hooks';
import type { SubjectFeatures } from '../src/features/extract-features.js';
import { generateLabelledData } from '../src/model/labelled-data.js';
import { rawTerms } from '../src/scoring/model/additive-model.js';
import { TERM_COUNT, writeTermInputs } from '../src/scoring/model/additive-terms.js';
import { defaultModelDir, loadModel } from '../src/scoring/model/model-files.js';
import { createModelScorer } from '../src/scoring/model/model-scorer.js';
import type { ScoreInput } from '../src/scoring/scorer.js';

const batchSize = Number(process.argv[2] ?? 4096);
const subjects = Number(process.argv[3] ?? 1_000_000);

function mb(bytes: number): number {
  return Math.round((bytes / 1_048_576) * 10) / 10;
}

function snapshot(): { rss: number; heap: number } {
  global.gc?.();
  const memory = process.memoryUsage();
  return { rss: memory.rss, heap: memory.heapUsed };
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
const metadata = loadModel(defaultModelDir());
const scorer = await createModelScorer();

// The additive model alone, on the generator's rows.
const g = new Float32Array(data.rows.count * TERM_COUNT);
const mask = new Float32Array(data.rows.count * TERM_COUNT);
const f = new Float64Array(TERM_COUNT);
let sink = 0;
const modelRows = Math.ceil(subjects / data.rows.count) * data.rows.count;
let t0 = performance.now();
for (let done = 0; done < modelRows; done += data.rows.count) {
  for (let i = 0; i < data.rows.count; i += 1) {
    writeTermInputs(data.rows.vectors, data.rows.fresh, i, g, mask);
    sink += rawTerms(metadata.additive, g, mask, i, f);
  }
}
const modelMs = performance.now() - t0;

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
const before = snapshot();
const scoreBatches = Math.ceil(subjects / 5 / batchSize);
t0 = performance.now();
for (let i = 0; i < scoreBatches; i += 1) sink += scorer.score(scoreInputs).length;
const scorerMs = performance.now() - t0;
const end = snapshot();

console.log(
  JSON.stringify(
    {
      model: `${metadata.name}-${metadata.version}`,
      gcExposed: typeof global.gc === 'function',
      batchSize,
      additiveModel: {
        rows: modelRows,
        seconds: Math.round(modelMs) / 1000,
        rowsPerSecond: Math.round(modelRows / (modelMs / 1000)),
      },
      scorer: {
        subjects: scoreBatches * batchSize,
        seconds: Math.round(scorerMs) / 1000,
        subjectsPerSecond: Math.round((scoreBatches * batchSize) / (scorerMs / 1000)),
        rssMbBefore: mb(before.rss),
        rssMbAfter: mb(end.rss),
        heapUsedMbBefore: mb(before.heap),
        heapUsedMbAfter: mb(end.heap),
      },
      sink: Number.isFinite(sink),
    },
    null,
    2,
  ),
);
