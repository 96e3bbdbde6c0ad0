/**
 * Training of the identity-fusion network: normalisation fitted on the training rows, the whole network
 * (sub-networks and fusion) trained jointly on the claim label plus one auxiliary label per dimension,
 * weights projected onto the monotone set after every step, then Platt calibration on the validation set.
 * Reproducible: rows are shuffled with a seeded generator and the initialisers are seeded.
 */
import * as tf from '@tensorflow/tfjs';
import { Prng, type Seed } from '../simulator/prng.js';
import {
  buildNetworks,
  fuse,
  fusionParamsOf,
  projectWeights,
  type FusionNetworks,
  type FusionParams,
} from '../scoring/model/fusion-model.js';
import {
  DIMENSION_FEATURES,
  fitNormalisation,
  toInputArrays,
  type ModelRows,
  type Normalisation,
} from '../scoring/model/model-inputs.js';
import { denseSubScoresOf, forwardSubLogits } from '../scoring/model/dense-forward.js';
import { fitPlatt, type Calibration } from './calibration.js';
import type { LabelledData } from './labelled-data.js';

/** Options of {@link trainModel}. */
export interface TrainOptions {
  readonly seed: Seed;
  /** Passes over the training rows. Default 14. */
  readonly epochs?: number;
  /** Rows per optimiser step. Default 256. */
  readonly batchSize?: number;
  /** Adam learning rate. Default 0.01. */
  readonly learningRate?: number;
  /** Weight of each auxiliary (per-dimension) loss against the main loss. Default 0.25. */
  readonly auxWeight?: number;
  /** Called after each epoch with its number (1-based) and training loss. */
  readonly onEpoch?: (epoch: number, epochs: number, loss: number) => void;
}

export interface TrainedModel {
  readonly networks: FusionNetworks;
  readonly normalisation: Normalisation;
  readonly fusion: FusionParams;
  readonly calibration: Calibration;
}

/** A seeded permutation of 0..n-1 (Fisher–Yates). */
function permutation(n: number, seed: Seed): Uint32Array {
  const prng = new Prng(seed, 'training-shuffle');
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i += 1) order[i] = i;
  for (let i = n - 1; i > 0; i -= 1) {
    const j = prng.int(0, i + 1);
    const a = order[i] ?? 0;
    order[i] = order[j] ?? 0;
    order[j] = a;
  }
  return order;
}

function take(source: Float32Array | Uint8Array, width: number, order: Uint32Array): Float32Array {
  const out = new Float32Array(order.length * width);
  for (let r = 0; r < order.length; r += 1) {
    const from = (order[r] ?? 0) * width;
    for (let k = 0; k < width; k += 1) out[r * width + k] = source[from + k] ?? 0;
  }
  return out;
}

/** The network inputs and targets of `data` in `order`, as tensors (the caller disposes them). */
function tensorsOf(
  data: LabelledData,
  norm: Normalisation,
  order: Uint32Array,
): { xs: tf.Tensor[]; ys: tf.Tensor[] } {
  const n = order.length;
  const arrays = toInputArrays(data.rows, norm);
  const xs: tf.Tensor[] = [];
  for (let d = 0; d < 4; d += 1) {
    const width = DIMENSION_FEATURES[d]?.length ?? 0;
    xs.push(tf.tensor2d(take(arrays.evidence[d] ?? new Float32Array(0), width, order), [n, width]));
  }
  for (let d = 0; d < 4; d += 1)
    xs.push(tf.tensor2d(take(arrays.rules[d] ?? new Float32Array(0), 1, order), [n, 1]));
  const present = take(data.rows.present, 4, order);
  xs.push(tf.tensor2d(take(data.rows.fresh, 4, order), [n, 4]));
  xs.push(tf.tensor2d(present, [n, 4]));
  xs.push(
    tf.tensor2d(
      present.map((p) => p - 1),
      [n, 4],
    ),
  );
  const ys: tf.Tensor[] = [tf.tensor2d(take(data.genuine, 1, order), [n, 1])];
  const aux = take(data.aux, 4, order);
  for (let d = 0; d < 4; d += 1) {
    const column = new Float32Array(n);
    for (let r = 0; r < n; r += 1) column[r] = aux[r * 4 + d] ?? 1;
    ys.push(tf.tensor2d(column, [n, 1]));
  }
  return { xs, ys };
}

/** Fusion logits z of `rows` with a trained sub-score network. */
export function fusionLogits(
  network: tf.LayersModel,
  fusion: FusionParams,
  norm: Normalisation,
  rows: ModelRows,
): Float64Array {
  // The scorer's own forward pass (dense-forward.ts), so evaluation and serving compute the same numbers.
  const u = forwardSubLogits(denseSubScoresOf(network), toInputArrays(rows, norm), rows.count);
  const z = new Float64Array(rows.count);
  for (let r = 0; r < rows.count; r += 1) z[r] = fuse(fusion, u, rows.present, rows.fresh, r * 4);
  return z;
}

/** Trains on `train`, calibrates on `validation`. */
export async function trainModel(
  train: LabelledData,
  validation: LabelledData,
  options: TrainOptions,
): Promise<TrainedModel> {
  const seedNumber = new Prng(options.seed, 'training-init').int(0, 1_000_000);
  const networks = buildNetworks(seedNumber);
  const normalisation = fitNormalisation(train.rows);
  const epochs = options.epochs ?? 14;
  const auxWeight = options.auxWeight ?? 0.25;
  const bce = (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor => tf.metrics.binaryCrossentropy(yTrue, yPred);
  const auxLoss = (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor => bce(yTrue, yPred).mul(auxWeight);
  networks.training.compile({
    optimizer: tf.train.adam(options.learningRate ?? 0.01),
    loss: [bce, auxLoss, auxLoss, auxLoss, auxLoss],
  });
  projectWeights(networks.training);
  const order = permutation(train.rows.count, options.seed);
  const { xs, ys } = tensorsOf(train, normalisation, order);
  try {
    await networks.training.fit(xs, ys, {
      epochs,
      batchSize: options.batchSize ?? 256,
      shuffle: false,
      verbose: 0,
      callbacks: {
        onBatchEnd: () => {
          projectWeights(networks.training);
          return Promise.resolve();
        },
        onEpochEnd: (epoch, logs) => {
          options.onEpoch?.(epoch + 1, epochs, Number(logs?.loss ?? Number.NaN));
          return Promise.resolve();
        },
      },
    });
  } finally {
    tf.dispose([...xs, ...ys]);
  }
  const fusion = fusionParamsOf(networks.training);
  const z = fusionLogits(networks.subScores, fusion, normalisation, validation.rows);
  const calibration = fitPlatt(z, validation.genuine);
  // A negative slope would turn the monotone logit upside down: better evidence, lower confidence.
  if (!(calibration.a > 0)) throw new RangeError('calibration slope is not positive: training failed');
  return { networks, normalisation, fusion, calibration };
}
