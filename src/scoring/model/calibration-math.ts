/** The calibration the scorer applies: Platt scaling of the fusion logit (fitted by src/model/calibration.ts). */

/** Platt parameters: p = sigmoid(a × z + c). */
export interface Calibration {
  readonly a: number;
  readonly c: number;
}

/** The logistic function, without overflow for large |x|. */
export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** The calibrated probability of logit `z`. */
export function calibrate(calibration: Calibration, z: number): number {
  return sigmoid(calibration.a * z + calibration.c);
}
