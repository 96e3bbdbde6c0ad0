/**
 * The learned scorer: the identity-fusion model (models/identity-fusion/<version>/) behind the same
 * synchronous, batched Scorer interface as the rules.
 *
 * For a batch: each subject's model row (model-inputs.ts) plus one occluded row per fact the rules see in
 * it (occlusions.ts), all predicted in ONE forward pass (plain loops, dense-forward.ts: tfjs loads the
 * network and checks that pass at start-up, but its per-call cost dominated small batches); then, per
 * subject, the fusion (fusion-model.ts), the calibration, the caps of the contract exactly as the rules
 * apply them (caps.ts), reasons whose impacts are the model's own attributions, and the assurance rule
 * (assurance.ts).
 *
 * Reasons and their impacts:
 * - a fact's code (the contract's list; the same conditions as the rules): the calibrated confidence
 *   minus the confidence with that fact occluded; for a capping code, as for the rules, the final
 *   confidence minus the one without that fact and its cap;
 * - `<DIM>_STALE` (freshness below one half-life): against the same evidence at full freshness;
 * - `<DIM>_MISSING`: against a fresh, neutral sub-score (u = 0).
 * Each dimension's `score` is the model's sub-score sigmoid(u_d); its `weight` is the contract's
 * freshness-decayed base weight, as decay.ts re-derives it when a stored score is read later.
 */
import type { DimensionScore } from '../../codec/types.js';
import { FEATURE_COUNT } from '../../features/feature-vector.js';
import { assuranceOf } from '../assurance.js';
import { capOf } from '../caps.js';
import { isStale, type HalfLives } from '../decay.js';
import { compareReasons, MISSING_CODE, STALE_CODE, type ReasonCode, type ScoredReason } from '../reasons.js';
import { DIMENSION_INDEX, DIMENSIONS, type ScoreInput, type ScoreResult, type Scorer } from '../scorer.js';
import { BASE_WEIGHTS } from '../rules-constants.js';
import { RuleHits } from '../sub-scores.js';
import { calibrate, sigmoid, type Calibration } from './calibration-math.js';
import {
  checkAgainstTfjs,
  denseSubScoresOf,
  forwardSubLogits,
  type DenseSubScores,
} from './dense-forward.js';
import { fuse, type FusionParams } from './fusion-model.js';
import { defaultModelDir, loadModel, MODEL_NAME, type ModelMetadata } from './model-files.js';
import { allocateRows, toInputArrays, writeRow, type ModelRows, type Normalisation } from './model-inputs.js';
import { copyVector, OCCLUSIONS } from './occlusions.js';
import { selectBackend, type BackendName } from './tf-backend.js';
import type * as tf from '@tensorflow/tfjs';

/** Options of {@link createModelScorer}. */
export interface ModelScorerOptions {
  /** Folder of the model version. Default: the shipped `models/identity-fusion/1.0.0/`. */
  readonly modelDir?: string;
  /** Backend to prefer (see tf-backend.ts). Default: native if installed, else wasm, else cpu. */
  readonly backend?: BackendName;
}

/** A model scorer, with its tfjs backend. */
export interface ModelScorer extends Scorer {
  /** The tfjs backend that loaded the network and ran the start-up check (scoring itself is plain JS). */
  readonly backend: BackendName;
}

/** A fact of one subject: its code, dimension, rules adjustment and occluded row. */
interface Fact {
  readonly code: ReasonCode;
  readonly d: number;
  readonly row: number;
}

/**
 * Loads the model, selects the backend, checks the plain forward pass against tfjs (throwing
 * DMID_MODEL_INVALID if the network has another shape or the two disagree), and returns the scorer.
 */
export async function createModelScorer(options: ModelScorerOptions = {}): Promise<ModelScorer> {
  const backend = await selectBackend(options.backend);
  const { network, metadata } = await loadModel(options.modelDir ?? defaultModelDir());
  const scorer = new FusionModelScorer(network, metadata, backend);
  scorer.warmUp();
  return scorer;
}

class FusionModelScorer implements ModelScorer {
  readonly name = MODEL_NAME;
  readonly version: string;
  readonly backend: BackendName;
  readonly #network: tf.LayersModel;
  readonly #dense: DenseSubScores;
  readonly #norm: Normalisation;
  readonly #fusion: FusionParams;
  readonly #calibration: Calibration;
  readonly #halfLives: HalfLives;
  readonly #hits = new RuleHits();

  constructor(network: tf.LayersModel, metadata: ModelMetadata, backend: BackendName) {
    this.version = metadata.version;
    this.backend = backend;
    this.#network = network;
    this.#dense = denseSubScoresOf(network);
    this.#norm = metadata.normalisation;
    this.#fusion = metadata.fusion;
    this.#calibration = metadata.calibration;
    this.#halfLives = metadata.halfLivesMs;
  }

  get modelVersion(): string {
    return `${this.name}-${this.version}`;
  }

  /**
   * The start-up check of the plain pass against tfjs, then one plain prediction of an empty subject
   * through the real input path, so V8 has compiled the loops before the first real batch.
   */
  warmUp(): void {
    checkAgainstTfjs(this.#network, this.#dense);
    forwardSubLogits(this.#dense, toInputArrays(allocateRows(1), this.#norm), 1);
  }

  score(inputs: readonly ScoreInput[]): ScoreResult[] {
    const n = inputs.length;
    if (n === 0) return [];
    const base = allocateRows(n);
    const facts: Fact[][] = [];
    let extra = 0;
    const pending: { code: ReasonCode; d: number; delta: number }[][] = [];
    for (let i = 0; i < n; i += 1) {
      const input = inputs[i];
      if (input === undefined) continue;
      writeRow(base, i, input.features, input.computedAtMs, this.#halfLives, this.#hits);
      const list: { code: ReasonCode; d: number; delta: number }[] = [];
      for (let k = 0; k < this.#hits.count; k += 1) {
        const code = this.#hits.codes[k];
        if (code === undefined || OCCLUSIONS[code] === undefined) continue;
        list.push({ code, d: this.#hits.dimensions[k] ?? 0, delta: this.#hits.deltas[k] ?? 0 });
      }
      pending.push(list);
      extra += list.length;
    }
    const rows = this.#withOcclusions(base, pending, extra, facts);
    const u = forwardSubLogits(this.#dense, toInputArrays(rows, this.#norm), rows.count);
    const results = new Array<ScoreResult>(n);
    for (let i = 0; i < n; i += 1) {
      const input = inputs[i];
      if (input !== undefined) results[i] = this.#result(input, i, rows, u, facts[i] ?? []);
    }
    return results;
  }

  /** All rows: the subjects', then one occluded copy per fact (its features and rules adjustment undone). */
  #withOcclusions(
    base: ModelRows,
    pending: readonly (readonly { code: ReasonCode; d: number; delta: number }[])[],
    extra: number,
    facts: Fact[][],
  ): ModelRows {
    const rows = allocateRows(base.count + extra);
    rows.vectors.set(base.vectors);
    rows.rulesRaw.set(base.rulesRaw);
    rows.fresh.set(base.fresh);
    rows.present.set(base.present);
    let next = base.count;
    pending.forEach((list, i) => {
      const mine: Fact[] = [];
      for (const { code, d, delta } of list) {
        copyVector(rows.vectors, i, next);
        OCCLUSIONS[code]?.(rows.vectors, next * FEATURE_COUNT);
        for (let k = 0; k < 4; k += 1) {
          rows.rulesRaw[next * 4 + k] = base.rulesRaw[i * 4 + k] ?? 0;
          rows.fresh[next * 4 + k] = base.fresh[i * 4 + k] ?? 0;
          rows.present[next * 4 + k] = base.present[i * 4 + k] ?? 0;
        }
        rows.rulesRaw[next * 4 + d] = (base.rulesRaw[i * 4 + d] ?? 0) - delta;
        mine.push({ code, d, row: next });
        next += 1;
      }
      facts[i] = mine;
    });
    return rows;
  }

  /** Calibrated probability of row `row` (its sub-logits, presence and freshness). */
  #probability(u: Float32Array, rows: ModelRows, row: number): number {
    return calibrate(this.#calibration, fuse(this.#fusion, u, rows.present, rows.fresh, row * 4));
  }

  #result(
    input: ScoreInput,
    i: number,
    rows: ModelRows,
    u: Float32Array,
    facts: readonly Fact[],
  ): ScoreResult {
    const at = input.computedAtMs;
    const z = fuse(this.#fusion, u, rows.present, rows.fresh, i * 4);
    const p = calibrate(this.#calibration, z);
    let cap = 1;
    for (const fact of facts) cap = Math.min(cap, capOf(fact.code));
    const confidence = Math.min(p, cap);
    const reasons = this.#factReasons(facts, p, confidence, u, rows);
    const dimensions: DimensionScore[] = [];
    for (let d = 0; d < 4; d += 1) {
      const dimension = DIMENSIONS[d] ?? 'TELECOM';
      const present = (rows.present[i * 4 + d] ?? 0) > 0;
      const fresh = rows.fresh[i * 4 + d] ?? 0;
      const reason = this.#presenceReason(d, i, z, p, u, rows);
      if (reason !== null) reasons.push(reason);
      dimensions.push({
        dimension,
        score: present ? sigmoid(u[i * 4 + d] ?? 0) : 0,
        present,
        evidenceAt: evidenceAtOf(input, d),
        // As decay.ts defines it for every scorer, so that a stored score read at its own time is unchanged;
        // the model's learned fusion weights are in its metadata.json.
        weight: present ? BASE_WEIGHTS[dimension] * fresh : 0,
      });
    }
    reasons.sort(compareReasons);
    const rule = assuranceOf(confidence, reasons, evidenceAtOf(input, DIMENSION_INDEX.BIOMETRIC), at);
    return {
      subjectId: input.subjectId,
      computedAt: at,
      confidence,
      assuranceLevel: rule.level,
      assuranceRule: rule.name,
      dimensions,
      reasons,
      modelVersion: this.modelVersion,
      triggerEventId: input.triggerEventId,
    };
  }

  /** One reason per fact, its impact from the fact's occluded row (capping facts as the rules do). */
  #factReasons(
    facts: readonly Fact[],
    p: number,
    confidence: number,
    u: Float32Array,
    rows: ModelRows,
  ): ScoredReason[] {
    return facts.map((fact) => {
      const without = this.#probability(u, rows, fact.row);
      let impact = p - without;
      if (capOf(fact.code) < 1) {
        let capWithout = 1;
        for (const other of facts) if (other !== fact) capWithout = Math.min(capWithout, capOf(other.code));
        impact = confidence - Math.min(without, capWithout);
      }
      return { code: fact.code, dimension: DIMENSIONS[fact.d] ?? 'TELECOM', impact };
    });
  }

  /** `<DIM>_MISSING` or `<DIM>_STALE` of dimension `d` of subject `i`, or null when neither holds. */
  #presenceReason(
    d: number,
    i: number,
    z: number,
    p: number,
    u: Float32Array,
    rows: ModelRows,
  ): ScoredReason | null {
    const dimension = DIMENSIONS[d] ?? 'TELECOM';
    if ((rows.present[i * 4 + d] ?? 0) <= 0) {
      const neutral = calibrate(this.#calibration, z + (this.#fusion.missing[d] ?? 0));
      return { code: MISSING_CODE[dimension], dimension, impact: p - neutral };
    }
    if (!isStale(true, rows.fresh[i * 4 + d] ?? 0)) return null;
    const freshRow = rows.fresh.slice(i * 4, i * 4 + 4);
    freshRow[d] = 1;
    const uRow = u.subarray(i * 4, i * 4 + 4);
    const presentRow = rows.present.subarray(i * 4, i * 4 + 4);
    const atFull = calibrate(this.#calibration, fuse(this.#fusion, uRow, presentRow, freshRow));
    return { code: STALE_CODE[dimension], dimension, impact: p - atFull };
  }
}

function evidenceAtOf(input: ScoreInput, d: number): number | null {
  const f = input.features;
  const part = d === 0 ? f.telecom : d === 1 ? f.location : d === 2 ? f.biometric : f.registry;
  return part.evidenceAt;
}
