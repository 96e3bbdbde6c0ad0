/**
 * From features to the rows the identity-fusion model (and its training data) is built from, in one place
 * for training and serving (no train/serve skew): the pipeline's feature vector
 * (src/features/feature-vector.ts), each dimension's presence and freshness, and the rules' raw sub-scores
 * (kept for the evaluation's comparison). The rule hits it leaves behind carry the contract's caps.
 */
import type { SubjectFeatures } from '../../features/extract-features.js';
import { FEATURE_COUNT, toVector } from '../../features/feature-vector.js';
import { freshnessAt, type HalfLives } from '../decay.js';
import { DIMENSIONS } from '../scorer.js';
import { biometricRaw, locationRaw, registryRaw, telecomRaw, type RuleHits } from '../sub-scores.js';

/** A batch of model rows in flat arrays: row `i` of each at `i * width`. */
export interface ModelRows {
  readonly count: number;
  /** The feature vectors, {@link FEATURE_COUNT} per row. */
  readonly vectors: Float32Array;
  /** The rules' raw sub-score of each dimension (0 when missing), 4 per row. */
  readonly rulesRaw: Float32Array;
  /** Freshness of each dimension, 0..1 (0 when missing), 4 per row. */
  readonly fresh: Float32Array;
  /** 1 when the dimension has evidence, else 0, 4 per row. */
  readonly present: Float32Array;
}

export function allocateRows(count: number): ModelRows {
  return {
    count,
    vectors: new Float32Array(count * FEATURE_COUNT),
    rulesRaw: new Float32Array(count * 4),
    fresh: new Float32Array(count * 4),
    present: new Float32Array(count * 4),
  };
}

/**
 * Writes row `i` of `rows` from a subject's features at `atMs`, and leaves the rule hits of the subject in
 * `hits` (the facts the reasons are about). The one function both the data generator and the scorer call.
 */
export function writeRow(
  rows: ModelRows,
  i: number,
  features: SubjectFeatures,
  atMs: number,
  halfLives: HalfLives,
  hits: RuleHits,
): void {
  toVector(features, rows.vectors, i * FEATURE_COUNT);
  hits.reset();
  const parts = [features.telecom, features.location, features.biometric, features.registry] as const;
  for (let d = 0; d < 4; d += 1) {
    const dimension = DIMENSIONS[d] ?? 'TELECOM';
    const part = parts[d] ?? features.telecom;
    const present = part.present;
    rows.rulesRaw[i * 4 + d] = present ? rawOf(d, features, hits) : 0;
    rows.present[i * 4 + d] = present ? 1 : 0;
    rows.fresh[i * 4 + d] = present ? freshnessAt(part.evidenceAt, atMs, halfLives[dimension]) : 0;
  }
}

function rawOf(d: number, f: SubjectFeatures, hits: RuleHits): number {
  switch (d) {
    case 0:
      return telecomRaw(f.telecom, d, hits);
    case 1:
      return locationRaw(f.location, d, hits);
    case 2:
      return biometricRaw(f.biometric, d, hits);
    default:
      return registryRaw(f.registry, d, hits);
  }
}
