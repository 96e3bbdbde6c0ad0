/**
 * The Scorer interface: what every scorer (the rules baseline, a learned model) does. Scoring is batched
 * (one call per consumed batch) and synchronous, with no I/O.
 *
 * A scorer returns everything of an IdentityScore except `scoreId`: ids are the pipeline's business (it
 * assigns them when it writes the score out), so scorers stay pure and their output is reproducible.
 */
import type { Dimension, IdentityScore } from '../codec/types.js';
import type { SubjectFeatures } from '../features/extract-features.js';

/** The four dimensions, in the order every score lists them. */
export const DIMENSIONS = [
  'TELECOM',
  'LOCATION',
  'BIOMETRIC',
  'REGISTRY',
] as const satisfies readonly Dimension[];

/** Index of each dimension in {@link DIMENSIONS} (and in `dimensions` of every score). */
export const DIMENSION_INDEX: Readonly<Record<Dimension, number>> = {
  TELECOM: 0,
  LOCATION: 1,
  BIOMETRIC: 2,
  REGISTRY: 3,
};

/** One subject to score. */
export interface ScoreInput {
  readonly subjectId: string;
  /** Features at (normally) `computedAtMs`, from `extractFeatures`. */
  readonly features: SubjectFeatures;
  /** The time the score is for, epoch ms: freshness is measured from each dimension's evidence to it. */
  readonly computedAtMs: number;
  /** The signal event that caused this score. */
  readonly triggerEventId: string;
}

/** An IdentityScore without its id, plus the name of the assurance rule that set the level. */
export interface ScoreResult extends Omit<IdentityScore, 'scoreId'> {
  /** Which assurance rule set `assuranceLevel` (see src/scoring/assurance.ts), for audit and tests. */
  readonly assuranceRule: string;
}

/** A scorer of subjects. Implementations are pure: same inputs, same results. */
export interface Scorer {
  /** Short name, e.g. `rules`. */
  readonly name: string;
  /** Semantic version of the scoring logic or model, e.g. `1.0.0`. */
  readonly version: string;
  /** Scores a batch; result `i` belongs to input `i`. */
  score(inputs: readonly ScoreInput[]): ScoreResult[];
}

/** The `modelVersion` a scorer writes into its scores: `<name>-<version>`, e.g. `rules-1.0.0`. */
export function modelVersionOf(scorer: Pick<Scorer, 'name' | 'version'>): string {
  return `${scorer.name}-${scorer.version}`;
}
