/**
 * Training of the additive identity-fusion model with tfjs (a neural additive model with monotone,
 * bounded shape functions; additive-terms.ts says why).
 *
 * Each term t has knots + 2 free logits w_t; π_t = softmax(w_t): π_t0 is where f starts, π_t1..π_tK the
 * non-negative rises over the K equal intervals of g, and the last entry a slack that lets an evidence
 * term stop below its upper bound (a risk term has no slack, so f(1) = 0 exactly):
 *   f_t(g) = lo_t + (hi_t − lo_t) × (π_t0 + Σ_k π_tk × ramp_k(g)),   ramp_k(g) = clamp(K·g − k + 1, 0, 1).
 * So f_t is non-decreasing in g and inside [lo_t, hi_t] by construction, whatever the data: no projection
 * step, no clipping. The loss is the logistic loss of the claim label on bias + Σ_t mask_t × f_t(g_t).
 * Rows the contract caps (deceased, suspended, an unanswered presentation attack) are left out: the cap
 * decides their confidence, and fitting them would teach the terms to chase facts they cannot see.
 * Calibration (Platt or none) is chosen by measurement on half the validation set, fitted on the other.
 * Platt's slope is capped at 1 (then only its offset is fitted): a slope above 1 would stretch every
 * term beyond its documented bound and push strong subjects into saturation, which a simulator that
 * separates too easily invites.
 */
import * as tf from '@tensorflow/tfjs';
import { Prng, type Seed } from '../simulator/prng.js';
import type { AdditiveCalibration, AdditiveParams } from '../scoring/model/additive-model.js';
import { rawTerms } from '../scoring/model/additive-model.js';
import { TERM_COUNT, TERM_DIMENSION, TERMS, writeTermInputs } from '../scoring/model/additive-terms.js';
import { expectedCalibrationError, fitPlatt, sigmoid } from './calibration.js';
import type { LabelledData } from './labelled-data.js';

/** Intervals of every shape function. */
export const KNOTS = 8;

/**
 * The domain prior: the worst value of every term (g = 0) contributes at least this share of its lower
 * bound. A family of attacks the training data lacks still meets terms that point the way the domain
 * says, with some weight (a registry that finds no record is evidence against the identity even when no
 * training attack showed one); data can make a term steeper, never flat.
 */
export const BAD_END_SHARE = 0.5;

/** Per term, the largest share of the softmax mass the start (f at g = 0) may take under the prior. */
const START_CAP: readonly number[] = TERMS.map((t) =>
  t.hi - t.lo > 0 ? Math.min(1, ((1 - BAD_END_SHARE) * Math.abs(t.lo)) / (t.hi - t.lo)) : 1,
);

export interface AdditiveTrainOptions {
  readonly seed: Seed;
  /** Passes over the training rows. Default 40. */
  readonly epochs?: number;
  /** Rows per optimiser step. Default 2048. */
  readonly batchSize?: number;
  /** Adam learning rate. Default 0.05. */
  readonly learningRate?: number;
  /** Called after each epoch. */
  readonly onEpoch?: (epoch: number, epochs: number, loss: number) => void;
}

export interface TrainedAdditive {
  readonly params: AdditiveParams;
  readonly calibration: AdditiveCalibration;
  /** ECE on the held-out half of the validation set, for each calibration tried. */
  readonly calibrationEce: { readonly none: number; readonly platt: number };
  readonly typicalContribution: number[];
  readonly trainRows: number;
}

/** Term inputs of every row of `data` (g, mask), TERM_COUNT per row. */
export function termInputsOf(data: LabelledData): { g: Float32Array; mask: Float32Array } {
  const n = data.rows.count;
  const g = new Float32Array(n * TERM_COUNT);
  const mask = new Float32Array(n * TERM_COUNT);
  for (let i = 0; i < n; i += 1) writeTermInputs(data.rows.vectors, data.rows.fresh, i, g, mask);
  return { g, mask };
}

/** Row indices used for training: uncapped rows that `keep` accepts. */
function trainingRows(data: LabelledData, keep: (i: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < data.rows.count; i += 1) if ((data.cap[i] ?? 1) >= 1 && keep(i)) out.push(i);
  return out;
}

function shuffle(values: number[], prng: Prng): void {
  for (let i = values.length - 1; i > 0; i -= 1) {
    const j = prng.int(0, i + 1);
    const a = values[i] ?? 0;
    values[i] = values[j] ?? 0;
    values[j] = a;
  }
}

/** ramps [B, T, K], mask [B, T], labels [B, 1] of the rows `batch`. */
function batchTensors(
  rows: readonly number[],
  inputs: { g: Float32Array; mask: Float32Array },
  data: LabelledData,
): { ramps: tf.Tensor3D; mask: tf.Tensor2D; labels: tf.Tensor2D } {
  const b = rows.length;
  const ramps = new Float32Array(b * TERM_COUNT * KNOTS);
  const mask = new Float32Array(b * TERM_COUNT);
  const labels = new Float32Array(b);
  rows.forEach((row, r) => {
    for (let t = 0; t < TERM_COUNT; t += 1) {
      const x = (inputs.g[row * TERM_COUNT + t] ?? 0) * KNOTS;
      for (let k = 0; k < KNOTS; k += 1)
        ramps[(r * TERM_COUNT + t) * KNOTS + k] = Math.min(1, Math.max(0, x - k));
      mask[r * TERM_COUNT + t] = inputs.mask[row * TERM_COUNT + t] ?? 0;
    }
    labels[r] = data.genuine[row] ?? 0;
  });
  return {
    ramps: tf.tensor3d(ramps, [b, TERM_COUNT, KNOTS]),
    mask: tf.tensor2d(mask, [b, TERM_COUNT]),
    labels: tf.tensor2d(labels, [b, 1]),
  };
}

/** The constant parts: lo [T], span [T], and the slack mask [T, K + 2] (−1e9 on a risk term's slack). */
function constants(): { lo: tf.Tensor1D; span: tf.Tensor1D; slack: tf.Tensor2D; startCap: tf.Tensor2D } {
  const slack = new Float32Array(TERM_COUNT * (KNOTS + 2));
  TERMS.forEach((term, t) => {
    if (term.kind === 'risk') slack[t * (KNOTS + 2) + KNOTS + 1] = -1e9;
  });
  return {
    lo: tf.tensor1d(TERMS.map((t) => t.lo)),
    span: tf.tensor1d(TERMS.map((t) => t.hi - t.lo)),
    slack: tf.tensor2d(slack, [TERM_COUNT, KNOTS + 2]),
    startCap: tf.tensor2d([...START_CAP], [TERM_COUNT, 1]),
  };
}

/** The logits [B, 1] of a batch under weights `w` [T, K + 2] and `bias` [1]. */
function logits(
  w: tf.Variable,
  bias: tf.Variable,
  c: ReturnType<typeof constants>,
  ramps: tf.Tensor3D,
  mask: tf.Tensor2D,
): tf.Tensor2D {
  const pi = tf.softmax(tf.add(w, c.slack), 1);
  const startRaw = pi.slice([0, 0], [TERM_COUNT, 1]);
  const start = tf.mul(startRaw, c.startCap).reshape([TERM_COUNT]);
  // The start's mass above its cap is spread evenly over the rises: the shape still ends where it did.
  const spread = tf.div(tf.mul(startRaw, tf.sub(1, c.startCap)), KNOTS);
  const rises = tf.add(pi.slice([0, 1], [TERM_COUNT, KNOTS]), spread);
  const shape = tf.add(start, tf.sum(tf.mul(ramps, rises), 2));
  const f = tf.add(c.lo, tf.mul(c.span, shape));
  return tf.add<tf.Tensor2D>(tf.sum(tf.mul(mask, f), 1, true), bias);
}

/** The tables (f at each knot) of trained weights. */
function tablesOf(w: number[][]): number[][] {
  return TERMS.map((term, t) => {
    const row = w[t] ?? [];
    const slack = term.kind === 'risk' ? -Infinity : (row[KNOTS + 1] ?? 0);
    const logitsRow = [...row.slice(0, KNOTS + 1), slack];
    const max = Math.max(...logitsRow);
    const e = logitsRow.map((v) => Math.exp(v - max));
    const total = e.reduce((s, v) => s + v, 0);
    const pi = e.map((v) => v / total);
    const cap = START_CAP[t] ?? 1;
    const spread = ((pi[0] ?? 0) * (1 - cap)) / KNOTS;
    const table: number[] = [];
    let cumulative = (pi[0] ?? 0) * cap;
    for (let j = 0; j <= KNOTS; j += 1) {
      if (j > 0) cumulative += (pi[j] ?? 0) + spread;
      const value = term.lo + (term.hi - term.lo) * Math.min(1, cumulative);
      table.push(Math.min(term.hi, Math.max(term.lo, value)));
    }
    if (term.kind === 'risk') table[KNOTS] = 0;
    return table;
  });
}

/** Raw logits of every row of `data` under `params`. */
export function additiveLogits(params: AdditiveParams, data: LabelledData): Float64Array {
  const { g, mask } = termInputsOf(data);
  const z = new Float64Array(data.rows.count);
  const f = new Float64Array(TERM_COUNT);
  for (let i = 0; i < data.rows.count; i += 1) z[i] = rawTerms(params, g, mask, i, f);
  return z;
}

/** Trains on `train` rows that `keep` accepts (all by default), calibrates on `validation`. */
export async function trainAdditive(
  train: LabelledData,
  validation: LabelledData,
  options: AdditiveTrainOptions,
  keep: (i: number) => boolean = () => true,
): Promise<TrainedAdditive> {
  const epochs = options.epochs ?? 40;
  const batchSize = options.batchSize ?? 2048;
  const inputs = termInputsOf(train);
  const rows = trainingRows(train, keep);
  const prng = new Prng(options.seed, 'additive-training');
  const c = constants();
  const w = tf.variable(tf.zeros([TERM_COUNT, KNOTS + 2]));
  const bias = tf.variable(tf.zeros([1]));
  const optimizer = tf.train.adam(options.learningRate ?? 0.05);
  for (let epoch = 1; epoch <= epochs; epoch += 1) {
    shuffle(rows, prng);
    let lossSum = 0;
    let steps = 0;
    for (let start = 0; start < rows.length; start += batchSize) {
      const batch = batchTensors(rows.slice(start, start + batchSize), inputs, train);
      const loss = optimizer.minimize(
        () => tf.losses.sigmoidCrossEntropy(batch.labels, logits(w, bias, c, batch.ramps, batch.mask)),
        true,
        [w, bias],
      );
      lossSum += loss === null ? 0 : ((await loss.data())[0] ?? 0);
      steps += 1;
      loss?.dispose();
      tf.dispose([batch.ramps, batch.mask, batch.labels]);
    }
    options.onEpoch?.(epoch, epochs, lossSum / Math.max(1, steps));
  }
  const params: AdditiveParams = {
    knots: KNOTS,
    tables: tablesOf((await w.array()) as number[][]),
    bias: (await bias.data())[0] ?? 0,
  };
  tf.dispose([w, bias, c.lo, c.span, c.slack, c.startCap]);
  optimizer.dispose();
  const chosen = chooseCalibration(params, validation);
  return {
    params,
    ...chosen,
    typicalContribution: typicalContribution(params, chosen.calibration.a, train, inputs),
    trainRows: rows.length,
  };
}

/** Platt or none: each fitted on even validation rows, measured (ECE) on odd ones; the better is refitted on all. */
function chooseCalibration(
  params: AdditiveParams,
  validation: LabelledData,
): { calibration: AdditiveCalibration; calibrationEce: { none: number; platt: number } } {
  const z = additiveLogits(params, validation);
  const uncapped = (i: number): boolean => (validation.cap[i] ?? 1) >= 1;
  const pick = (odd: boolean): { z: number[]; y: number[] } => {
    const out = { z: [] as number[], y: [] as number[] };
    for (let i = 0; i < z.length; i += 1) {
      if (uncapped(i) && (i % 2 === 1) === odd) {
        out.z.push(z[i] ?? 0);
        out.y.push(validation.genuine[i] ?? 0);
      }
    }
    return out;
  };
  const fit = pick(false);
  const test = pick(true);
  const half = cappedPlatt(fit.z, fit.y);
  const ece = {
    none: expectedCalibrationError(test.z.map(sigmoid), test.y),
    platt: expectedCalibrationError(
      test.z.map((v) => sigmoid(half.a * v + half.c)),
      test.y,
    ),
  };
  if (ece.none <= ece.platt || !(half.a > 0))
    return { calibration: { kind: 'none', a: 1, c: 0 }, calibrationEce: ece };
  const all = { z: [...fit.z, ...test.z], y: [...fit.y, ...test.y] };
  const platt = cappedPlatt(all.z, all.y);
  return { calibration: { kind: 'platt', a: platt.a, c: platt.c }, calibrationEce: ece };
}

/** Platt scaling with the slope capped at 1 (the offset refitted by Newton's method when capped). */
export function cappedPlatt(z: readonly number[], y: readonly number[]): { a: number; c: number } {
  const fitted = fitPlatt(z, y);
  if (fitted.a <= 1) return fitted;
  let c = 0;
  for (let it = 0; it < 50; it += 1) {
    let grad = 0;
    let hess = 1e-9;
    for (let i = 0; i < z.length; i += 1) {
      const p = sigmoid((z[i] ?? 0) + c);
      grad += p - (y[i] ?? 0);
      hess += p * (1 - p);
    }
    const step = grad / hess;
    c -= step;
    if (Math.abs(step) < 1e-10) break;
  }
  return { a: 1, c };
}

/** Per dimension, the mean calibrated contribution of genuine rows where the dimension is present. */
function typicalContribution(
  params: AdditiveParams,
  a: number,
  data: LabelledData,
  inputs: { g: Float32Array; mask: Float32Array },
): number[] {
  const sum = [0, 0, 0, 0];
  const count = [0, 0, 0, 0];
  const f = new Float64Array(TERM_COUNT);
  for (let i = 0; i < data.rows.count; i += 1) {
    if (data.genuine[i] !== 1) continue;
    rawTerms(params, inputs.g, inputs.mask, i, f);
    const dims = [0, 0, 0, 0];
    for (let t = 0; t < TERM_COUNT; t += 1) {
      const d = TERM_DIMENSION[t] ?? 0;
      dims[d] = (dims[d] ?? 0) + a * (inputs.mask[i * TERM_COUNT + t] ?? 0) * (f[t] ?? 0);
    }
    for (let d = 0; d < 4; d += 1) {
      if ((data.rows.present[i * 4 + d] ?? 0) > 0) {
        sum[d] = (sum[d] ?? 0) + (dims[d] ?? 0);
        count[d] = (count[d] ?? 0) + 1;
      }
    }
  }
  return sum.map((s, d) => s / Math.max(1, count[d] ?? 0));
}
