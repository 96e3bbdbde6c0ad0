/**
 * Evidence decay and the fusion rule it drives: the one place where time enters the fused confidence.
 *
 * Freshness of a dimension = 0.5^(age of its newest evidence / its half-life). Its weight is
 * BASE_WEIGHT × freshness, and it contributes f × s + (1 − f) × min(s, UNKNOWN_PRIOR) to the confidence:
 * a good sub-score fades towards the prior as it ages, a bad one keeps counting until newer evidence
 * replaces it. Each contribution therefore never rises with age, and neither does the confidence: a score
 * read later is lower or equal, with its caps intact.
 */
import type { AssuranceLevel, Dimension, DimensionScore, Reason } from '../codec/types.js';
import { DmidError } from '../errors.js';
import { MS_PER_DAY, MS_PER_HOUR } from '../features/feature-constants.js';
import { AS_COMPUTED_RULE, assuranceOf, isHigherLevel } from './assurance.js';
import { capOfReasons } from './caps.js';
import { compareReasons, isStaleCode, STALE_CODE } from './reasons.js';
import { BASE_WEIGHTS, NEUTRAL_SUB_SCORE, STALE_BELOW_FRESHNESS, UNKNOWN_PRIOR } from './rules-constants.js';

/** Half-life of each dimension's evidence, in milliseconds. */
export type HalfLives = Readonly<Record<Dimension, number>>;

/**
 * Default half-lives. Each is how long until a piece of evidence says half as much about the person now:
 * - TELECOM 30 days: carrier facts (tenure, KYC, line type) change over months; the events that matter
 *   sooner (SIM swap, port) are features with their own recency, not left to decay;
 * - LOCATION 12 hours: people move every day; a fix from last night says little about where someone is;
 * - BIOMETRIC 7 days: a live match proves presence at that moment; a week on it still anchors the
 *   identity but no longer the current holder of the device;
 * - REGISTRY 90 days: civil and social-insurance records change rarely; checked about quarterly.
 */
export const DEFAULT_HALF_LIVES_MS: HalfLives = Object.freeze({
  TELECOM: 30 * MS_PER_DAY,
  LOCATION: 12 * MS_PER_HOUR,
  BIOMETRIC: 7 * MS_PER_DAY,
  REGISTRY: 90 * MS_PER_DAY,
});

/**
 * Half-lives from configuration: the defaults, overridden per dimension. Rejects unknown dimensions and
 * values that are not positive finite milliseconds (DMID_CONFIG_INVALID).
 */
export function resolveHalfLives(overrides: Readonly<Partial<Record<string, number>>> = {}): HalfLives {
  const resolved: Record<Dimension, number> = { ...DEFAULT_HALF_LIVES_MS };
  for (const [key, value] of Object.entries(overrides)) {
    if (!isDimension(key)) {
      throw new DmidError('DMID_CONFIG_INVALID', `unknown dimension in half-lives: ${key}`, {
        field: 'halfLivesMs',
      });
    }
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value <= 0) {
      throw new DmidError('DMID_CONFIG_INVALID', `half-life of ${key} must be a positive number of ms`, {
        field: 'halfLivesMs',
      });
    }
    resolved[key] = value;
  }
  return Object.freeze(resolved);
}

function isDimension(key: string): key is Dimension {
  return key === 'TELECOM' || key === 'LOCATION' || key === 'BIOMETRIC' || key === 'REGISTRY';
}

/**
 * `0.5^(ageMs / halfLifeMs)`, in [0, 1]: 1 for evidence from now (or the future, by clock skew), 0.5 one
 * half-life later. A non-finite age counts as infinitely old (0).
 */
export function freshness(ageMs: number, halfLifeMs: number): number {
  if (!(ageMs > 0)) return Number.isNaN(ageMs) ? 0 : 1;
  const value = Math.pow(0.5, ageMs / halfLifeMs);
  return Number.isFinite(value) ? value : 0;
}

/** Freshness of evidence observed at `evidenceAt` (epoch ms; null: none) when read at `atMs`. */
export function freshnessAt(evidenceAt: number | null, atMs: number, halfLifeMs: number): number {
  return evidenceAt === null ? 0 : freshness(atMs - evidenceAt, halfLifeMs);
}

/** Clamps to [0, 1]; NaN becomes 0 (a broken input never looks like good evidence). */
export function clamp01(value: number): number {
  if (value > 0) return value < 1 ? value : 1;
  return 0;
}

/**
 * What one dimension adds to the confidence per unit of base weight: `f × s + (1 − f) × min(s, prior)`
 * when present, the prior when missing. Computed as `prior + f × (s − prior)` above the prior and `s`
 * at or below it (the same value), so that in floating point it is exactly `s` for bad evidence and
 * never rises as `f` falls or as `s` falls: reason impacts then have exact signs.
 */
export function contribution(present: boolean, score: number, fresh: number): number {
  if (!present) return UNKNOWN_PRIOR;
  return score > UNKNOWN_PRIOR ? UNKNOWN_PRIOR + fresh * (score - UNKNOWN_PRIOR) : score;
}

/** Impact of `<DIM>_STALE`: the confidence change against the same sub-score at full freshness (≤ 0). */
export function staleImpact(dimension: Dimension, score: number, fresh: number): number {
  return BASE_WEIGHTS[dimension] * (contribution(true, score, fresh) - contribution(true, score, 1));
}

/** Impact of `<DIM>_MISSING`: the confidence change against a fresh neutral sub-score (< 0). */
export function missingImpact(dimension: Dimension): number {
  return BASE_WEIGHTS[dimension] * (UNKNOWN_PRIOR - NEUTRAL_SUB_SCORE);
}

/** True when a present dimension's freshness makes it stale. */
export function isStale(present: boolean, fresh: number): boolean {
  return present && fresh < STALE_BELOW_FRESHNESS;
}

/** What {@link decayScore} needs of a score: an IdentityScore or a ScoreResult has it all. */
export interface DecayableScore {
  readonly computedAt: number;
  readonly confidence: number;
  readonly assuranceLevel: AssuranceLevel;
  readonly dimensions: readonly DimensionScore[];
  readonly reasons: readonly Reason[];
}

/** A decayed score: the input's fields, with time-dependent ones re-derived, and the assurance rule. */
export type Decayed<T extends DecayableScore> = Omit<
  T,
  'computedAt' | 'confidence' | 'assuranceLevel' | 'dimensions' | 'reasons'
> & {
  readonly computedAt: number;
  readonly confidence: number;
  readonly assuranceLevel: AssuranceLevel;
  readonly assuranceRule: string;
  readonly dimensions: DimensionScore[];
  readonly reasons: Reason[];
};

/**
 * A stored score as it reads at `atMs` (epoch ms; a time before `computedAt` reads as `computedAt`).
 *
 * Re-derives every dimension's weight from the stored sub-scores and evidence times, and scales the
 * confidence by F(t) / F(computedAt), where F is the uncapped fusion of the stored dimension scores. For
 * a rules score without a cap that is exactly the fusion at t; a capped score decays below its cap; a
 * score from another scorer (a learned model) decays by the same factor as its evidence. The caps its
 * reasons carry are re-applied, the `<DIM>_STALE` reasons and the assurance level re-derived. Other
 * reasons keep the impacts they had when computed (the features behind them are not stored).
 * `computedAt` becomes the time read; `scoreId` and `triggerEventId` still name the stored record.
 * Reading later never gives a higher confidence or assurance.
 */
export function decayScore<T extends DecayableScore>(
  score: T,
  atMs: number,
  halfLives: HalfLives = DEFAULT_HALF_LIVES_MS,
): Decayed<T> {
  const at = Math.max(atMs, score.computedAt);
  const dimensions: DimensionScore[] = [];
  const reasons: Reason[] = [];
  for (const reason of score.reasons) if (!isStaleCode(reason.code)) reasons.push(reason);
  let fusedThen = 0;
  let fusedNow = 0;
  let biometricEvidenceAt: number | null = null;
  for (const stored of score.dimensions) {
    const { dimension, present, evidenceAt } = stored;
    const subScore = clamp01(stored.score);
    const halfLife = halfLives[dimension];
    const freshThen = present ? freshnessAt(evidenceAt, score.computedAt, halfLife) : 0;
    const fresh = present ? freshnessAt(evidenceAt, at, halfLife) : 0;
    fusedThen += BASE_WEIGHTS[dimension] * contribution(present, subScore, freshThen);
    fusedNow += BASE_WEIGHTS[dimension] * contribution(present, subScore, fresh);
    dimensions.push({
      dimension,
      score: stored.score,
      present,
      evidenceAt,
      weight: BASE_WEIGHTS[dimension] * fresh,
    });
    if (isStale(present, fresh)) {
      reasons.push({
        code: STALE_CODE[dimension],
        dimension,
        impact: staleImpact(dimension, subScore, fresh),
        logOdds: 0,
      });
    }
    if (dimension === 'BIOMETRIC') biometricEvidenceAt = evidenceAt;
  }
  reasons.sort(compareReasons);
  const stored = clamp01(score.confidence);
  const factor = fusedThen > 0 ? Math.min(1, fusedNow / fusedThen) : 1;
  const confidence = Math.min(stored * factor, capOfReasons(reasons));
  const rule = assuranceOf(confidence, reasons, biometricEvidenceAt, at);
  // Only a score from another scorer can get here: the rules never rise with age.
  const kept = isHigherLevel(rule.level, score.assuranceLevel);
  return {
    ...score,
    computedAt: at,
    confidence,
    assuranceLevel: kept ? score.assuranceLevel : rule.level,
    assuranceRule: kept ? AS_COMPUTED_RULE : rule.name,
    dimensions,
    reasons,
  };
}
