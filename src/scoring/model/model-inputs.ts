/**
 * From features to the inputs of the identity-fusion model, in one place for training and serving (no
 * train/serve skew): the pipeline's feature vector (src/features/feature-vector.ts), each dimension's
 * rules sub-score, and each dimension's presence and freshness.
 *
 * Why the inputs are oriented. Every sub-network input is turned so that a larger value is better
 * evidence (`sign` below), and the network's weights on them are kept non-negative (training.ts), so the
 * model is monotone: worse evidence never raises a confidence. That is what makes a reason's attribution
 * (model-reasons.ts) point the way the contract says, whatever the synthetic data happened to show.
 *
 * The rules sub-score enters each sub-network as one more input with a floor on its weight: the
 * transparent policy is a prior the model refines, so every contract reason lowers confidence, even one
 * the simulator never produces (a recent port, a coarse IP fix).
 */
import type { Dimension } from '../../codec/types.js';
import type { SubjectFeatures } from '../../features/extract-features.js';
import { MS_PER_HOUR } from '../../features/feature-constants.js';
import { FEATURE_COUNT, FEATURE_NAMES, toVector, type FeatureName } from '../../features/feature-vector.js';
import { freshnessAt, type HalfLives } from '../decay.js';
import { DIMENSIONS } from '../scorer.js';
import { biometricRaw, locationRaw, registryRaw, telecomRaw, type RuleHits } from '../sub-scores.js';

/** ln(1 + 10 years in hours): what an unknown "time since" counts as (never happened = long ago). */
export const NEVER_LOG1P_H = Math.log1p(87_660);

/**
 * Orientation of each feature inside its dimension's sub-network: +1 larger is better, -1 larger is worse,
 * 0 not an input (presence and evidence age enter the fusion as presence and freshness; counts of fixes
 * and captures are left out because more of them says nothing about who presents).
 */
export const FEATURE_SIGNS: Readonly<Record<FeatureName, -1 | 0 | 1>> = {
  tel_present: 0,
  tel_age_log1p_h: 0,
  tel_sim_swap_known: -1,
  tel_sim_swap_age_log1p_h: 1,
  tel_port_known: -1,
  tel_port_age_log1p_h: 1,
  tel_device_change_known: -1,
  tel_device_change_age_log1p_h: 1,
  tel_tenure_log1p_d: 1,
  tel_kyc_full: 1,
  tel_kyc_partial: -1,
  tel_kyc_none: -1,
  tel_line_postpaid: 1,
  tel_line_prepaid: -1,
  tel_line_voip: -1,
  tel_msisdn_changed: -1,
  tel_msisdn_change_age_log1p_h: 1,
  tel_signals_log1p: 1,
  loc_present: 0,
  loc_age_log1p_h: 0,
  loc_fixes_log1p: 0,
  loc_latest_speed_known: 1,
  loc_latest_speed_log1p_kmh: -1,
  loc_max_speed_24h_known: 1,
  loc_max_speed_24h_log1p_kmh: -1,
  loc_impossible_jumps_24h_log1p: -1,
  loc_home_known: 1,
  loc_home_distance_log1p_km: -1,
  loc_accuracy_log1p_m: -1,
  loc_source_gnss: 1,
  loc_source_cell: -1,
  loc_source_wifi: 1,
  loc_source_ip: -1,
  bio_present: 0,
  bio_age_log1p_h: 0,
  bio_match: 1,
  bio_liveness: 1,
  bio_quality: 1,
  bio_newest_pad: -1,
  bio_newest_live_good: 1,
  bio_modality_face: 1,
  bio_modality_fingerprint: 1,
  bio_modality_iris: 1,
  bio_modality_voice: -1,
  bio_channel_kiosk: 1,
  bio_channel_mobile: -1,
  bio_channel_branch: 1,
  bio_attack_unanswered: -1,
  bio_attack_known: -1,
  bio_attack_age_log1p_h: 1,
  bio_live_known: 1,
  bio_live_age_log1p_h: -1,
  bio_failed_24h_log1p: -1,
  bio_captures_log1p: 0,
  reg_present: 0,
  reg_age_log1p_h: 0,
  reg_record_found: 1,
  reg_name_match: 1,
  reg_birth_date_match: 1,
  reg_document_valid: 1,
  reg_status_active: 1,
  reg_status_suspended: -1,
  reg_status_deceased: -1,
  reg_registries_log1p: 1,
  reg_found_log1p: 1,
};

/**
 * "Time since" features whose 0 means "never" (with a `known` flag): read as {@link NEVER_LOG1P_H} so
 * that "never swapped" is the far, good end of "swapped long ago", not next to "swapped just now".
 */
const TIME_SINCE_PAIRS: readonly (readonly [FeatureName, FeatureName])[] = [
  ['tel_sim_swap_known', 'tel_sim_swap_age_log1p_h'],
  ['tel_port_known', 'tel_port_age_log1p_h'],
  ['tel_device_change_known', 'tel_device_change_age_log1p_h'],
  ['tel_msisdn_changed', 'tel_msisdn_change_age_log1p_h'],
  ['bio_attack_known', 'bio_attack_age_log1p_h'],
  ['bio_live_known', 'bio_live_age_log1p_h'],
];

const PREFIX: Readonly<Record<Dimension, string>> = {
  TELECOM: 'tel_',
  LOCATION: 'loc_',
  BIOMETRIC: 'bio_',
  REGISTRY: 'reg_',
};

/** Index in the feature vector of each feature name. */
export const FEATURE_INDEX: Readonly<Record<FeatureName, number>> = Object.fromEntries(
  FEATURE_NAMES.map((name, i) => [name, i]),
) as Record<FeatureName, number>;

/** Per dimension, the vector indices that feed its sub-network, in vector order. */
export const DIMENSION_FEATURES: readonly (readonly number[])[] = DIMENSIONS.map((dimension) =>
  FEATURE_NAMES.flatMap((name, i) =>
    name.startsWith(PREFIX[dimension]) && FEATURE_SIGNS[name] !== 0 ? [i] : [],
  ),
);

const PRESENT_INDEX = DIMENSIONS.map((d) => FEATURE_INDEX[`${PREFIX[d]}present` as FeatureName]);
const AGE_INDEX = DIMENSIONS.map((d) => FEATURE_INDEX[`${PREFIX[d]}age_log1p_h` as FeatureName]);

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

/** Mean and standard deviation of every vector entry, fitted on the training rows. */
export interface Normalisation {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** For each vector index that is a "time since" age, the index of its known flag; else -1. */
const KNOWN_OF: readonly number[] = FEATURE_NAMES.map((name) => {
  const pair = TIME_SINCE_PAIRS.find(([, age]) => age === name);
  return pair === undefined ? -1 : FEATURE_INDEX[pair[0]];
});

/** The value of vector entry `index` as the sub-network reads it, before normalisation. */
function prepared(vectors: Float32Array, base: number, index: number): number {
  const known = KNOWN_OF[index] ?? -1;
  if (known >= 0 && !((vectors[base + known] ?? 0) > 0)) return NEVER_LOG1P_H;
  return vectors[base + index] ?? 0;
}

/** Fits the normalisation on training rows (a constant entry gets std 1). */
export function fitNormalisation(rows: ModelRows): Normalisation {
  const mean = new Array<number>(FEATURE_COUNT).fill(0);
  const sq = new Array<number>(FEATURE_COUNT).fill(0);
  for (let r = 0; r < rows.count; r += 1) {
    for (let j = 0; j < FEATURE_COUNT; j += 1) {
      const v = prepared(rows.vectors, r * FEATURE_COUNT, j);
      mean[j] = (mean[j] ?? 0) + v;
      sq[j] = (sq[j] ?? 0) + v * v;
    }
  }
  const n = Math.max(1, rows.count);
  const std = mean.map((sum, j) => {
    const m = sum / n;
    const variance = (sq[j] ?? 0) / n - m * m;
    return variance > 1e-8 ? Math.sqrt(variance) : 1;
  });
  return { mean: mean.map((sum) => sum / n), std };
}

/** The model's inputs for a batch, as flat arrays in input order (see fusion-model.ts). */
export interface InputArrays {
  /** Per dimension: oriented, normalised sub-network features, `DIMENSION_FEATURES[d].length` per row. */
  readonly evidence: Float32Array[];
  /** Per dimension: the rules raw sub-score, 1 per row. */
  readonly rules: Float32Array[];
}

/** Oriented, normalised sub-network inputs of `rows` (presence and freshness stay in `rows`). */
export function toInputArrays(rows: ModelRows, norm: Normalisation): InputArrays {
  const evidence: Float32Array[] = [];
  const rules: Float32Array[] = [];
  for (let d = 0; d < 4; d += 1) {
    const indices = DIMENSION_FEATURES[d] ?? [];
    const width = indices.length;
    const out = new Float32Array(rows.count * width);
    const signs = indices.map((j) => FEATURE_SIGNS[FEATURE_NAMES[j] ?? 'tel_present']);
    for (let r = 0; r < rows.count; r += 1) {
      const base = r * FEATURE_COUNT;
      for (let k = 0; k < width; k += 1) {
        const j = indices[k] ?? 0;
        const z = (prepared(rows.vectors, base, j) - (norm.mean[j] ?? 0)) / (norm.std[j] ?? 1);
        out[r * width + k] = (signs[k] ?? 1) * z;
      }
    }
    evidence.push(out);
    const rulesOut = new Float32Array(rows.count);
    for (let r = 0; r < rows.count; r += 1) rulesOut[r] = rows.rulesRaw[r * 4 + d] ?? 0;
    rules.push(rulesOut);
  }
  return { evidence, rules };
}

/** Presence of dimension `d` read from the vector itself (for tests: agrees with `rows.present`). */
export function presentInVector(vector: Float32Array, d: number): boolean {
  return (vector[PRESENT_INDEX[d] ?? 0] ?? 0) > 0;
}

/** Evidence age of dimension `d` from the vector, ms (the vector keeps ln(1 + hours)). */
export function ageMsInVector(vector: Float32Array, d: number): number {
  return Math.expm1(vector[AGE_INDEX[d] ?? 0] ?? 0) * MS_PER_HOUR;
}
