/**
 * The transparent rules-and-weights scorer: the baseline every learned model is compared with, and the
 * fallback when no model is loaded. Every number it uses is in rules-constants.ts.
 *
 * For each subject: the sub-score of each present dimension from its rules (sub-scores.ts); freshness
 * and fusion (decay.ts); the caps of the contract (caps.ts); the assurance rule (assurance.ts); and one
 * reason per rule that fired, plus `<DIM>_STALE` / `<DIM>_MISSING`, each with its impact:
 * - an ordinary reason: the change in the uncapped confidence against the same subject with that rule
 *   not applied (the factor neutral);
 * - a capping reason (REG_DECEASED, REG_SUSPENDED, BIO_PRESENTATION_ATTACK): the change in the final
 *   confidence against that rule and its cap not applied (the other caps still holding);
 * - `<DIM>_STALE`: against the same sub-score at full freshness; `<DIM>_MISSING`: against a fresh
 *   neutral sub-score (0.5).
 * A missing dimension is reported with score 0, weight 0, `present: false`, `evidenceAt: null`; in the
 * fusion it stands for the unknown prior (0.25), not for 0.
 * Freshness is measured from each dimension's `evidenceAt` to `computedAtMs`; recency inside features
 * (a SIM swap's age) is as of the features' `asOfMs`, normally the same time.
 */
import type { DimensionScore } from '../codec/types.js';
import { DmidError } from '../errors.js';
import type { SubjectFeatures } from '../features/extract-features.js';
import { assuranceOf } from './assurance.js';
import { capOf } from './caps.js';
import {
  clamp01,
  contribution,
  freshnessAt,
  isStale,
  missingImpact,
  resolveHalfLives,
  staleImpact,
  type HalfLives,
} from './decay.js';
import { compareReasons, MISSING_CODE, STALE_CODE, type ScoredReason } from './reasons.js';
import { BASE_WEIGHTS, RULES_VERSION } from './rules-constants.js';
import { DIMENSION_INDEX, DIMENSIONS, type ScoreInput, type ScoreResult, type Scorer } from './scorer.js';
import { biometricRaw, locationRaw, registryRaw, RuleHits, telecomRaw } from './sub-scores.js';

/** Options of {@link createRulesScorer}. */
export interface RulesScorerOptions {
  /**
   * Half-life per dimension, in ms, overriding `DEFAULT_HALF_LIVES_MS` (telecom 30 d, location 12 h,
   * biometric 7 d, registry 90 d).
   */
  readonly halfLivesMs?: Readonly<Partial<Record<string, number>>>;
}

const TEL = DIMENSION_INDEX.TELECOM;
const LOC = DIMENSION_INDEX.LOCATION;
const BIO = DIMENSION_INDEX.BIOMETRIC;
const REG = DIMENSION_INDEX.REGISTRY;

const OPTION_KEYS: ReadonlySet<string> = new Set(['halfLivesMs']);

/** Creates the rules scorer (`modelVersion` `rules-1.0.0`). Unknown options are rejected. */
export function createRulesScorer(options: RulesScorerOptions = {}): Scorer {
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      throw new DmidError('DMID_CONFIG_INVALID', `unknown rules scorer option: ${key}`, { field: key });
    }
  }
  return new RulesScorer(resolveHalfLives(options.halfLivesMs));
}

/** Per-dimension working values of the subject being scored; reused, since scoring is synchronous. */
interface Scratch {
  readonly present: boolean[];
  readonly evidenceAt: (number | null)[];
  readonly raw: Float64Array;
  readonly score: Float64Array;
  readonly fresh: Float64Array;
  readonly contribution: Float64Array;
}

class RulesScorer implements Scorer {
  readonly name = 'rules';
  readonly version = RULES_VERSION;
  readonly modelVersion = `rules-${RULES_VERSION}`;
  readonly #halfLives: HalfLives;
  readonly #hits = new RuleHits();
  readonly #scratch: Scratch = {
    present: [false, false, false, false],
    evidenceAt: [null, null, null, null],
    raw: new Float64Array(4),
    score: new Float64Array(4),
    fresh: new Float64Array(4),
    contribution: new Float64Array(4),
  };

  constructor(halfLives: HalfLives) {
    this.#halfLives = halfLives;
  }

  score(inputs: readonly ScoreInput[]): ScoreResult[] {
    const results: ScoreResult[] = new Array<ScoreResult>(inputs.length);
    for (let i = 0; i < inputs.length; i += 1) {
      const input = inputs[i];
      if (input !== undefined) results[i] = this.#scoreOne(input);
    }
    return results;
  }

  #scoreOne(input: ScoreInput): ScoreResult {
    const at = input.computedAtMs;
    const uncapped = this.#subScores(input.features, at);
    const s = this.#scratch;
    const hits = this.#hits;
    let cap = 1;
    for (let i = 0; i < hits.count; i += 1) cap = Math.min(cap, capOf(hits.codes[i] ?? ''));
    const confidence = Math.min(uncapped, cap);
    const reasons = this.#reasons(uncapped, confidence);
    const dimensions: DimensionScore[] = new Array<DimensionScore>(4);
    for (let d = 0; d < 4; d += 1) {
      const dimension = DIMENSIONS[d] ?? 'TELECOM';
      dimensions[d] = {
        dimension,
        score: s.present[d] === true ? (s.score[d] ?? 0) : 0,
        present: s.present[d] === true,
        evidenceAt: s.evidenceAt[d] ?? null,
        weight: BASE_WEIGHTS[dimension] * (s.fresh[d] ?? 0),
      };
    }
    const rule = assuranceOf(confidence, reasons, s.evidenceAt[BIO] ?? null, at);
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

  /** Fills the scratch and the rule hits for one subject; returns the uncapped fused confidence. */
  #subScores(features: SubjectFeatures, at: number): number {
    const s = this.#scratch;
    const hits = this.#hits;
    hits.reset();
    const { telecom, location, biometric, registry } = features;
    s.present[TEL] = telecom.present;
    s.present[LOC] = location.present;
    s.present[BIO] = biometric.present;
    s.present[REG] = registry.present;
    s.evidenceAt[TEL] = telecom.evidenceAt;
    s.evidenceAt[LOC] = location.evidenceAt;
    s.evidenceAt[BIO] = biometric.evidenceAt;
    s.evidenceAt[REG] = registry.evidenceAt;
    s.raw[TEL] = telecom.present ? telecomRaw(telecom, TEL, hits) : 0;
    s.raw[LOC] = location.present ? locationRaw(location, LOC, hits) : 0;
    s.raw[BIO] = biometric.present ? biometricRaw(biometric, BIO, hits) : 0;
    s.raw[REG] = registry.present ? registryRaw(registry, REG, hits) : 0;
    let fused = 0;
    for (let d = 0; d < 4; d += 1) {
      const dimension = DIMENSIONS[d] ?? 'TELECOM';
      const present = s.present[d] === true;
      const score = present ? clamp01(s.raw[d] ?? 0) : 0;
      const fresh = present ? freshnessAt(s.evidenceAt[d] ?? null, at, this.#halfLives[dimension]) : 0;
      const part = contribution(present, score, fresh);
      s.score[d] = score;
      s.fresh[d] = fresh;
      s.contribution[d] = part;
      fused += BASE_WEIGHTS[dimension] * part;
    }
    return clamp01(fused);
  }

  /** One reason per rule hit, plus staleness and missing evidence, in contract order. */
  #reasons(uncapped: number, confidence: number): ScoredReason[] {
    const s = this.#scratch;
    const hits = this.#hits;
    const reasons: ScoredReason[] = [];
    for (let i = 0; i < hits.count; i += 1) {
      const code = hits.codes[i];
      const d = hits.dimensions[i];
      if (code === undefined || d === undefined) continue;
      const dimension = DIMENSIONS[d] ?? 'TELECOM';
      const fresh = s.fresh[d] ?? 0;
      const neutralScore = clamp01((s.raw[d] ?? 0) - (hits.deltas[i] ?? 0));
      const shift =
        BASE_WEIGHTS[dimension] * ((s.contribution[d] ?? 0) - contribution(true, neutralScore, fresh));
      let impact = shift;
      if (capOf(code) < 1) {
        const neutral = Math.min(clamp01(uncapped - shift), this.#capWithout(i));
        impact = confidence - neutral;
      }
      reasons.push({ code, dimension, impact, logOdds: 0 });
    }
    for (let d = 0; d < 4; d += 1) {
      const dimension = DIMENSIONS[d] ?? 'TELECOM';
      if (s.present[d] !== true) {
        reasons.push({
          code: MISSING_CODE[dimension],
          dimension,
          impact: missingImpact(dimension),
          logOdds: 0,
        });
      } else if (isStale(true, s.fresh[d] ?? 0)) {
        const impact = staleImpact(dimension, s.score[d] ?? 0, s.fresh[d] ?? 0);
        reasons.push({ code: STALE_CODE[dimension], dimension, impact, logOdds: 0 });
      }
    }
    return reasons.sort(compareReasons);
  }

  /** The lowest cap among the rule hits other than hit `skip`. */
  #capWithout(skip: number): number {
    const hits = this.#hits;
    let cap = 1;
    for (let i = 0; i < hits.count; i += 1) if (i !== skip) cap = Math.min(cap, capOf(hits.codes[i] ?? ''));
    return cap;
  }
}
