/**
 * The additive identity-fusion model at serving time: plain arithmetic on the tables training exported
 * (no tfjs call, no occlusion pass). confidence = calibrate(bias + Σ_t mask_t × f_t(g_t)), each f_t a
 * piecewise-linear function on {@link AdditiveParams.knots} equal intervals of [0, 1] (additive-terms.ts
 * says what g_t and mask_t are). With Platt calibration p = σ(a·z + c), so the calibrated log-odds
 * contribution of term t is a × mask_t × f_t(g_t), and these with a·bias + c sum to logit(p) exactly.
 */
import { sigmoid } from './calibration-math.js';
import { TERM_COUNT } from './additive-terms.js';

/** The learned part of the model (metadata.json `additive`). */
export interface AdditiveParams {
  /** Intervals of each shape function on [0, 1]; a table has knots + 1 values. */
  readonly knots: number;
  /** Per term, f at g = j / knots, j = 0..knots (log-odds before calibration). */
  readonly tables: readonly (readonly number[])[];
  /** The logit of a subject with no evidence at all, before calibration. */
  readonly bias: number;
}

/** How the logit becomes a probability: Platt (a, c) or none (a = 1, c = 0), chosen by measurement. */
export interface AdditiveCalibration {
  readonly kind: 'platt' | 'none';
  readonly a: number;
  readonly c: number;
}

/** f_t(g): linear interpolation in the term's table (g clamped to [0, 1]). */
export function shapeValue(table: readonly number[], knots: number, g: number): number {
  const x = (g > 0 ? (g < 1 ? g : 1) : 0) * knots;
  const j = Math.min(Math.floor(x), knots - 1);
  const lo = table[j] ?? 0;
  const hi = table[j + 1] ?? lo;
  return lo + (hi - lo) * (x - j);
}

/**
 * Writes the raw (uncalibrated, unmasked) shape values of row `row` into `out` (TERM_COUNT values) and
 * returns the raw logit bias + Σ mask × f.
 */
export function rawTerms(
  params: AdditiveParams,
  g: Float32Array,
  mask: Float32Array,
  row: number,
  out: Float64Array,
): number {
  let z = params.bias;
  const o = row * TERM_COUNT;
  for (let t = 0; t < TERM_COUNT; t += 1) {
    const f = shapeValue(params.tables[t] ?? [], params.knots, g[o + t] ?? 0);
    out[t] = f;
    z += (mask[o + t] ?? 0) * f;
  }
  return z;
}

/** The calibrated logit of raw logit `z`. */
export function calibratedLogit(calibration: AdditiveCalibration, z: number): number {
  return calibration.a * z + calibration.c;
}

/** The calibrated probability of raw logit `z`. */
export function probabilityOf(calibration: AdditiveCalibration, z: number): number {
  return sigmoid(calibratedLogit(calibration, z));
}
