/**
 * Calibration of the fusion logit into a probability, and how well a probability is calibrated.
 *
 * Platt scaling: p = sigmoid(a × z + c), a and c fitted by maximum likelihood (Newton's method on the
 * two parameters) on the validation set, never on the training set the logit was fitted to.
 */

import { sigmoid, type Calibration } from '../scoring/model/calibration-math.js';

export { calibrate, sigmoid, type Calibration } from '../scoring/model/calibration-math.js';

/**
 * Fits Platt scaling on logits `z` and 0/1 labels `y` (1: genuine). Newton's method with a small ridge
 * term so that separable data still gives finite parameters.
 */
export function fitPlatt(z: ArrayLike<number>, y: ArrayLike<number>, iterations = 50): Calibration {
  let a = 1;
  let c = 0;
  const ridge = 1e-3;
  for (let it = 0; it < iterations; it += 1) {
    let ga = ridge * (a - 1);
    let gc = ridge * c;
    let haa = ridge;
    let hac = 0;
    let hcc = ridge;
    for (let i = 0; i < z.length; i += 1) {
      const zi = z[i] ?? 0;
      const p = sigmoid(a * zi + c);
      const r = p - (y[i] ?? 0);
      const w = Math.max(p * (1 - p), 1e-12);
      ga += r * zi;
      gc += r;
      haa += w * zi * zi;
      hac += w * zi;
      hcc += w;
    }
    const det = haa * hcc - hac * hac;
    if (!(Math.abs(det) > 1e-18)) break;
    const da = (hcc * ga - hac * gc) / det;
    const dc = (haa * gc - hac * ga) / det;
    a -= da;
    c -= dc;
    if (Math.abs(da) < 1e-10 && Math.abs(dc) < 1e-10) break;
  }
  return { a, c };
}

/** One bin of a reliability diagram. */
export interface ReliabilityBin {
  /** Bin bounds of the predicted probability, [lower, upper). */
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Mean predicted probability in the bin (NaN when empty). */
  readonly meanPredicted: number;
  /** Observed share of positives in the bin (NaN when empty). */
  readonly observed: number;
}

/** Equal-width reliability bins of predictions `p` against 0/1 outcomes `y`. */
export function reliabilityBins(p: ArrayLike<number>, y: ArrayLike<number>, bins = 10): ReliabilityBin[] {
  const count = new Array<number>(bins).fill(0);
  const sumP = new Array<number>(bins).fill(0);
  const sumY = new Array<number>(bins).fill(0);
  for (let i = 0; i < p.length; i += 1) {
    const pi = p[i] ?? 0;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(pi * bins)));
    count[b] = (count[b] ?? 0) + 1;
    sumP[b] = (sumP[b] ?? 0) + pi;
    sumY[b] = (sumY[b] ?? 0) + (y[i] ?? 0);
  }
  return count.map((n, b) => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    count: n,
    meanPredicted: n > 0 ? (sumP[b] ?? 0) / n : Number.NaN,
    observed: n > 0 ? (sumY[b] ?? 0) / n : Number.NaN,
  }));
}

/**
 * Expected calibration error: Σ_bins (n_b / N) × |mean predicted − observed| over equal-width bins
 * (15 by default, the usual choice).
 */
export function expectedCalibrationError(p: ArrayLike<number>, y: ArrayLike<number>, bins = 15): number {
  if (p.length === 0) return 0;
  let sum = 0;
  for (const bin of reliabilityBins(p, y, bins)) {
    if (bin.count > 0) sum += (bin.count / p.length) * Math.abs(bin.meanPredicted - bin.observed);
  }
  return sum;
}
