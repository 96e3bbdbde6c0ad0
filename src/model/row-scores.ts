/**
 * The additive model's confidence and top reason of every row of a labelled data set, computed as the
 * scorer computes them (same terms, same tables, same calibration, the contract's caps), without building
 * ScoreInputs: what the evaluation and the leave-family-out protocol score thousands of claims with.
 */
import {
  calibratedLogit,
  rawTerms,
  type AdditiveCalibration,
  type AdditiveParams,
} from '../scoring/model/additive-model.js';
import { TERM_COUNT, TERMS } from '../scoring/model/additive-terms.js';
import { sigmoid } from './calibration.js';
import type { LabelledData } from './labelled-data.js';
import { termInputsOf } from './additive-training.js';

export interface RowScores {
  /** Capped, calibrated confidence of each row. */
  readonly confidence: Float64Array;
  /** |logOdds| of each row's top reason (codes aggregated as the scorer does; a binding cap counts). */
  readonly topReason: Float64Array;
}

function logit(p: number): number {
  const q = Math.min(Math.max(p, 1e-12), 1 - 1e-12);
  return Math.log(q / (1 - q));
}

export function scoreRows(
  model: { readonly additive: AdditiveParams; readonly calibration: AdditiveCalibration },
  data: LabelledData,
): RowScores {
  const n = data.rows.count;
  const { g, mask } = termInputsOf(data);
  const confidence = new Float64Array(n);
  const topReason = new Float64Array(n);
  const f = new Float64Array(TERM_COUNT);
  const a = model.calibration.a;
  for (let i = 0; i < n; i += 1) {
    const zc = calibratedLogit(model.calibration, rawTerms(model.additive, g, mask, i, f));
    const p = sigmoid(zc);
    const c = Math.min(p, data.cap[i] ?? 1);
    confidence[i] = c;
    const byCode = new Map<string, number>();
    for (let t = 0; t < TERM_COUNT; t += 1) {
      const value = a * (mask[i * TERM_COUNT + t] ?? 0) * (f[t] ?? 0);
      const term = TERMS[t];
      if (value === 0 || term === undefined) continue;
      const code = (value < 0 ? term.negative : term.positive) ?? term.name;
      byCode.set(code, (byCode.get(code) ?? 0) + value);
    }
    let top = c < p ? Math.abs(logit(c) - zc) : 0;
    for (const value of byCode.values()) top = Math.max(top, Math.abs(value));
    topReason[i] = top;
  }
  return { confidence, topReason };
}
