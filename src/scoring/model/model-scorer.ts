/**
 * The learned scorer: the additive identity-fusion model (models/identity-fusion/<version>/) behind the
 * same synchronous, batched Scorer interface as the rules.
 *
 * For each subject: the feature vector and freshness (model-inputs.ts, shared with training), the term
 * inputs (additive-terms.ts), the logit bias + Σ contributions (additive-model.ts), the calibration, the
 * caps of the contract exactly as the rules apply them (caps.ts), and the assurance rule (assurance.ts).
 *
 * Reasons are the model's exact contributions, without occlusion passes:
 * - each term's calibrated contribution a × freshness × f_t(g_t) goes to its code (the term's negative code
 *   when it lowers, its positive code when it raises); terms with the same code add up. `logOdds` is that
 *   sum; `impact` is the confidence minus the confidence with that code's contributions removed. The
 *   reasons' logOdds and the calibrated bias sum to logit(confidence);
 * - a capping code (deceased, suspended, an unanswered presentation attack): logOdds is what the cap took
 *   off the logit (the binding cap only), impact as the rules compute it;
 * - `<DIM>_MISSING`: logOdds 0 (missing evidence contributes nothing); impact against the dimension's
 *   typical genuine contribution (metadata `typicalContribution`);
 * - `<DIM>_STALE` (freshness below one half-life): logOdds 0 (the shrinkage is inside the term
 *   contributions); impact against the same evidence at full freshness, listed when it lowers.
 * Each dimension's `score` is σ(its calibrated contributions at full freshness), at most a cap of its own;
 * its `weight` is the contract's freshness-decayed base weight, as decay.ts re-derives it later.
 */
import type { DimensionScore } from '../../codec/types.js';
import { assuranceOf } from '../assurance.js';
import { capOf } from '../caps.js';
import type { SubjectFeatures } from '../../features/extract-features.js';
import { FEATURE_COUNT, toVector } from '../../features/feature-vector.js';
import { freshnessAt, isStale, type HalfLives } from '../decay.js';
import {
  compareReasons,
  MISSING_CODE,
  REASON_CODES,
  STALE_CODE,
  type ReasonCode,
  type ScoredReason,
} from '../reasons.js';
import { BASE_WEIGHTS } from '../rules-constants.js';
import { DIMENSIONS, type ScoreInput, type ScoreResult, type Scorer } from '../scorer.js';
import { sigmoid } from './calibration-math.js';
import {
  calibratedLogit,
  rawTerms,
  type AdditiveCalibration,
  type AdditiveParams,
} from './additive-model.js';
import { TERM_COUNT, TERM_DIMENSION, TERMS, writeTermInputs } from './additive-terms.js';
import { defaultModelDir, loadModel, MODEL_NAME, type ModelMetadata } from './model-files.js';
import { allocateRows, type ModelRows } from './model-inputs.js';

/** Options of {@link createModelScorer}. */
export interface ModelScorerOptions {
  /** Folder of the model version. Default: the shipped `models/identity-fusion/2.1.0/`. */
  readonly modelDir?: string;
}

const CODE_INDEX = new Map<string, number>(REASON_CODES.map((code, i) => [code, i]));
const NEGATIVE_INDEX = TERMS.map((t) => (t.negative === null ? -1 : (CODE_INDEX.get(t.negative) ?? -1)));
const POSITIVE_INDEX = TERMS.map((t) => (t.positive === null ? -1 : (CODE_INDEX.get(t.positive) ?? -1)));

/**
 * Loads the model (throwing DMID_MODEL_INVALID if it reads another feature vector or other terms) and
 * returns the scorer. Async for the scorer factory's sake; nothing here waits on I/O after the read.
 */
export async function createModelScorer(options: ModelScorerOptions = {}): Promise<Scorer> {
  await Promise.resolve();
  return new AdditiveModelScorer(loadModel(options.modelDir ?? defaultModelDir()));
}

class AdditiveModelScorer implements Scorer {
  readonly name = MODEL_NAME;
  readonly version: string;
  readonly #params: AdditiveParams;
  readonly #calibration: AdditiveCalibration;
  readonly #typical: readonly number[];
  readonly #halfLives: HalfLives;
  readonly #f = new Float64Array(TERM_COUNT);
  readonly #byCode = new Float64Array(REASON_CODES.length);
  readonly #touched: number[] = [];
  readonly #seen = new Uint8Array(REASON_CODES.length);

  constructor(metadata: ModelMetadata) {
    this.version = metadata.version;
    this.#params = metadata.additive;
    this.#calibration = metadata.calibration;
    this.#typical = metadata.typicalContribution;
    this.#halfLives = metadata.halfLivesMs;
  }

  score(inputs: readonly ScoreInput[]): ScoreResult[] {
    const n = inputs.length;
    const rows = allocateRows(n);
    const g = new Float32Array(n * TERM_COUNT);
    const mask = new Float32Array(n * TERM_COUNT);
    const results = new Array<ScoreResult>(n);
    for (let i = 0; i < n; i += 1) {
      const input = inputs[i];
      if (input === undefined) continue;
      writeModelRow(rows, i, input.features, input.computedAtMs, this.#halfLives);
      writeTermInputs(rows.vectors, rows.fresh, i, g, mask);
      results[i] = this.#result(input, i, rows, g, mask);
    }
    return results;
  }

  #result(input: ScoreInput, i: number, rows: ModelRows, g: Float32Array, mask: Float32Array): ScoreResult {
    const a = this.#calibration.a;
    const f = this.#f;
    const zc = calibratedLogit(this.#calibration, rawTerms(this.#params, g, mask, i, f));
    const p = sigmoid(zc);
    const caps = capCodesOf(input.features);
    let cap = 1;
    for (const code of caps) cap = Math.min(cap, capOf(code));
    const confidence = Math.min(p, cap);
    const reasons: ScoredReason[] = [];
    const full = [0, 0, 0, 0];
    const byCode = this.#byCode;
    const touched = this.#touched;
    touched.length = 0;
    const seen = this.#seen;
    seen.fill(0);
    for (let t = 0; t < TERM_COUNT; t += 1) {
      const m = mask[i * TERM_COUNT + t] ?? 0;
      const value = f[t] ?? 0;
      if (!(m > 0) || value === 0) continue;
      const d = TERM_DIMENSION[t] ?? 0;
      const fresh = rows.fresh[i * 4 + d] ?? 0;
      full[d] = (full[d] ?? 0) + (a * m * value) / (fresh > 0 ? fresh : 1);
      const k = value < 0 ? (NEGATIVE_INDEX[t] ?? -1) : (POSITIVE_INDEX[t] ?? -1);
      if (k < 0) continue;
      if (seen[k] === 0) {
        seen[k] = 1;
        touched.push(k);
      }
      byCode[k] = (byCode[k] ?? 0) + a * m * value;
    }
    for (const k of touched) {
      const code = REASON_CODES[k] ?? 'TEL_MISSING';
      const logOdds = byCode[k] ?? 0;
      byCode[k] = 0;
      reasons.push({ code, dimension: dimensionOf(code), impact: p - sigmoid(zc - logOdds), logOdds });
    }
    this.#capReasons(caps, p, confidence, zc, reasons);
    const dimensions = this.#dimensions(input, i, rows, full, caps, zc, p, reasons);
    reasons.sort(compareReasons);
    const rule = assuranceOf(confidence, reasons, input.features.biometric.evidenceAt, input.computedAtMs);
    return {
      subjectId: input.subjectId,
      computedAt: input.computedAtMs,
      confidence,
      assuranceLevel: rule.level,
      assuranceRule: rule.name,
      dimensions,
      reasons,
      modelVersion: `${this.name}-${this.version}`,
      triggerEventId: input.triggerEventId,
    };
  }

  /** One reason per capping code; the binding one carries what the cap took off the logit. */
  #capReasons(
    caps: readonly ReasonCode[],
    p: number,
    confidence: number,
    zc: number,
    reasons: ScoredReason[],
  ): void {
    let binding = -1;
    caps.forEach((code, k) => {
      if (binding < 0 || capOf(code) < capOf(caps[binding] ?? code)) binding = k;
    });
    caps.forEach((code, k) => {
      let capWithout = 1;
      for (const other of caps) if (other !== code) capWithout = Math.min(capWithout, capOf(other));
      const logOdds = k === binding && confidence < p ? logit(confidence) - zc : 0;
      reasons.push({
        code,
        dimension: dimensionOf(code),
        impact: confidence - Math.min(p, capWithout),
        logOdds,
      });
    });
  }

  /** The four dimension scores, and the `<DIM>_MISSING` / `<DIM>_STALE` reasons. */
  #dimensions(
    input: ScoreInput,
    i: number,
    rows: ModelRows,
    full: readonly number[],
    caps: readonly ReasonCode[],
    zc: number,
    p: number,
    reasons: ScoredReason[],
  ): DimensionScore[] {
    const parts = [
      input.features.telecom,
      input.features.location,
      input.features.biometric,
      input.features.registry,
    ];
    return DIMENSIONS.map((dimension, d) => {
      const present = (rows.present[i * 4 + d] ?? 0) > 0;
      const fresh = rows.fresh[i * 4 + d] ?? 0;
      const sum = full[d] ?? 0;
      if (!present) {
        const impact = p - sigmoid(zc + (this.#typical[d] ?? 0));
        reasons.push({ code: MISSING_CODE[dimension], dimension, impact, logOdds: 0 });
      } else if (isStale(true, fresh)) {
        const impact = p - sigmoid(zc + (1 - fresh) * sum);
        if (impact < 0) reasons.push({ code: STALE_CODE[dimension], dimension, impact, logOdds: 0 });
      }
      let score = present ? sigmoid(sum) : 0;
      for (const code of caps) if (dimensionOf(code) === dimension) score = Math.min(score, capOf(code));
      return {
        dimension,
        score,
        present,
        evidenceAt: parts[d]?.evidenceAt ?? null,
        weight: present ? BASE_WEIGHTS[dimension] * fresh : 0,
      };
    });
  }
}

/**
 * The rows the model reads (feature vector, presence, freshness) without the rules' raw sub-scores that
 * model-inputs.ts `writeRow` also computes for the training data's baseline: the same vector and the
 * same freshness, so serving equals training.
 */
function writeModelRow(
  rows: ModelRows,
  i: number,
  features: SubjectFeatures,
  atMs: number,
  halfLives: HalfLives,
): void {
  toVector(features, rows.vectors, i * FEATURE_COUNT);
  const parts = [features.telecom, features.location, features.biometric, features.registry] as const;
  for (let d = 0; d < 4; d += 1) {
    const part = parts[d] ?? features.telecom;
    const dimension = DIMENSIONS[d] ?? 'TELECOM';
    rows.present[i * 4 + d] = part.present ? 1 : 0;
    rows.fresh[i * 4 + d] = part.present ? freshnessAt(part.evidenceAt, atMs, halfLives[dimension]) : 0;
  }
}

/** The contract's capping facts, on exactly the rules' conditions (sub-scores.ts). */
function capCodesOf(features: SubjectFeatures): ReasonCode[] {
  const codes: ReasonCode[] = [];
  const registry = features.registry;
  if (registry.present && registry.status === 'DECEASED') codes.push('REG_DECEASED');
  else if (registry.present && registry.status === 'SUSPENDED') codes.push('REG_SUSPENDED');
  if (features.biometric.present && features.biometric.attackUnanswered)
    codes.push('BIO_PRESENTATION_ATTACK');
  return codes;
}

function logit(p: number): number {
  const q = Math.min(Math.max(p, 1e-12), 1 - 1e-12);
  return Math.log(q / (1 - q));
}

function dimensionOf(code: ReasonCode): ScoredReason['dimension'] {
  return code.startsWith('TEL_')
    ? 'TELECOM'
    : code.startsWith('LOC_')
      ? 'LOCATION'
      : code.startsWith('BIO_')
        ? 'BIOMETRIC'
        : 'REGISTRY';
}
