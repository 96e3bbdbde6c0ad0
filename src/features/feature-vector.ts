/**
 * The fixed numeric encoding of {@link SubjectFeatures} that a learned model is trained on and predicts
 * from. The order and meaning of every entry is part of a model's interface: append new features at the
 * end and never reorder, rename or re-scale an existing one (a model trained on the old vector would
 * silently read the wrong numbers).
 *
 * Encoding rules: every value is finite. A missing value is 0 and has its own presence flag (so 0 never
 * silently means "just now" or "perfect"). Flags are 0/1. Enums are one-hot, with UNKNOWN as all zeros.
 * Times are ages in hours; ages, tenures, speeds, distances, accuracies and counts span orders of
 * magnitude and are encoded as `ln(1 + clamped value)`.
 */
import type { SubjectFeatures } from './extract-features.js';

/** Caps applied before `ln(1 + x)`, so an extreme input cannot dominate the vector. */
const MAX_AGE_HOURS = 87_660; // 10 years
const MAX_TENURE_DAYS = 36_525; // 100 years
const MAX_SPEED_KMH = 100_000;
const MAX_DISTANCE_KM = 20_040; // half the Earth's circumference
const MAX_ACCURACY_METERS = 1_000_000;
const MAX_COUNT = 1_000;

function finite(value: number): number {
  return Number.isFinite(value) ? value : 0;
}

/** `ln(1 + min(max(x, 0), cap))`; null and non-finite values are 0. */
function logScaled(value: number | null, cap: number): number {
  if (value === null || !Number.isFinite(value)) return 0;
  return Math.log1p(Math.min(Math.max(value, 0), cap));
}

function flag(value: boolean | null): number {
  return value === true ? 1 : 0;
}

function known(value: unknown): number {
  return value === null ? 0 : 1;
}

function unit(value: number | null): number {
  return value === null ? 0 : Math.min(Math.max(finite(value), 0), 1);
}

interface FeatureSpec {
  /** The feature's name: `<dimension>_<what>[_<encoding and unit>]`. */
  readonly name: string;
  readonly read: (features: SubjectFeatures) => number;
}

/** The vector, in order. Each entry says in its name how it is encoded (`log1p_h`: ln(1 + hours)). */
const FEATURE_SPECS = [
  // Telecom
  { name: 'tel_present', read: (f) => flag(f.telecom.present) },
  { name: 'tel_age_log1p_h', read: (f) => logScaled(f.telecom.ageHours, MAX_AGE_HOURS) },
  { name: 'tel_sim_swap_known', read: (f) => known(f.telecom.simSwapAgeHours) },
  { name: 'tel_sim_swap_age_log1p_h', read: (f) => logScaled(f.telecom.simSwapAgeHours, MAX_AGE_HOURS) },
  { name: 'tel_port_known', read: (f) => known(f.telecom.portAgeHours) },
  { name: 'tel_port_age_log1p_h', read: (f) => logScaled(f.telecom.portAgeHours, MAX_AGE_HOURS) },
  { name: 'tel_device_change_known', read: (f) => known(f.telecom.deviceChangeAgeHours) },
  {
    name: 'tel_device_change_age_log1p_h',
    read: (f) => logScaled(f.telecom.deviceChangeAgeHours, MAX_AGE_HOURS),
  },
  { name: 'tel_tenure_log1p_d', read: (f) => logScaled(f.telecom.tenureDays, MAX_TENURE_DAYS) },
  { name: 'tel_kyc_full', read: (f) => flag(f.telecom.kycMatch === 'FULL') },
  { name: 'tel_kyc_partial', read: (f) => flag(f.telecom.kycMatch === 'PARTIAL') },
  { name: 'tel_kyc_none', read: (f) => flag(f.telecom.kycMatch === 'NONE') },
  { name: 'tel_line_postpaid', read: (f) => flag(f.telecom.lineType === 'POSTPAID') },
  { name: 'tel_line_prepaid', read: (f) => flag(f.telecom.lineType === 'PREPAID') },
  { name: 'tel_line_voip', read: (f) => flag(f.telecom.lineType === 'VOIP') },
  { name: 'tel_msisdn_changed', read: (f) => known(f.telecom.msisdnChangeAgeHours) },
  {
    name: 'tel_msisdn_change_age_log1p_h',
    read: (f) => logScaled(f.telecom.msisdnChangeAgeHours, MAX_AGE_HOURS),
  },
  { name: 'tel_signals_log1p', read: (f) => logScaled(f.telecom.signalCount, MAX_COUNT) },
  // Location
  { name: 'loc_present', read: (f) => flag(f.location.present) },
  { name: 'loc_age_log1p_h', read: (f) => logScaled(f.location.ageHours, MAX_AGE_HOURS) },
  { name: 'loc_fixes_log1p', read: (f) => logScaled(f.location.fixCount, MAX_COUNT) },
  { name: 'loc_latest_speed_known', read: (f) => known(f.location.latestSpeedKmh) },
  { name: 'loc_latest_speed_log1p_kmh', read: (f) => logScaled(f.location.latestSpeedKmh, MAX_SPEED_KMH) },
  { name: 'loc_max_speed_24h_known', read: (f) => known(f.location.maxSpeedKmh24h) },
  { name: 'loc_max_speed_24h_log1p_kmh', read: (f) => logScaled(f.location.maxSpeedKmh24h, MAX_SPEED_KMH) },
  {
    name: 'loc_impossible_jumps_24h_log1p',
    read: (f) => logScaled(f.location.impossibleJumps24h, MAX_COUNT),
  },
  { name: 'loc_home_known', read: (f) => known(f.location.homeDistanceKm) },
  { name: 'loc_home_distance_log1p_km', read: (f) => logScaled(f.location.homeDistanceKm, MAX_DISTANCE_KM) },
  { name: 'loc_accuracy_log1p_m', read: (f) => logScaled(f.location.accuracyMeters, MAX_ACCURACY_METERS) },
  { name: 'loc_source_gnss', read: (f) => flag(f.location.source === 'GNSS') },
  { name: 'loc_source_cell', read: (f) => flag(f.location.source === 'CELL') },
  { name: 'loc_source_wifi', read: (f) => flag(f.location.source === 'WIFI') },
  { name: 'loc_source_ip', read: (f) => flag(f.location.source === 'IP') },
  // Biometric
  { name: 'bio_present', read: (f) => flag(f.biometric.present) },
  { name: 'bio_age_log1p_h', read: (f) => logScaled(f.biometric.ageHours, MAX_AGE_HOURS) },
  { name: 'bio_match', read: (f) => unit(f.biometric.matchScore) },
  { name: 'bio_liveness', read: (f) => unit(f.biometric.livenessScore) },
  { name: 'bio_quality', read: (f) => unit(f.biometric.qualityScore) },
  { name: 'bio_newest_pad', read: (f) => flag(f.biometric.presentationAttack) },
  { name: 'bio_newest_live_good', read: (f) => flag(f.biometric.newestIsLiveGood) },
  { name: 'bio_modality_face', read: (f) => flag(f.biometric.modality === 'FACE') },
  { name: 'bio_modality_fingerprint', read: (f) => flag(f.biometric.modality === 'FINGERPRINT') },
  { name: 'bio_modality_iris', read: (f) => flag(f.biometric.modality === 'IRIS') },
  { name: 'bio_modality_voice', read: (f) => flag(f.biometric.modality === 'VOICE') },
  { name: 'bio_channel_kiosk', read: (f) => flag(f.biometric.captureChannel === 'KIOSK') },
  { name: 'bio_channel_mobile', read: (f) => flag(f.biometric.captureChannel === 'MOBILE') },
  { name: 'bio_channel_branch', read: (f) => flag(f.biometric.captureChannel === 'BRANCH') },
  { name: 'bio_attack_unanswered', read: (f) => flag(f.biometric.attackUnanswered) },
  { name: 'bio_attack_known', read: (f) => known(f.biometric.lastAttackAgeHours) },
  { name: 'bio_attack_age_log1p_h', read: (f) => logScaled(f.biometric.lastAttackAgeHours, MAX_AGE_HOURS) },
  { name: 'bio_live_known', read: (f) => known(f.biometric.lastLiveCaptureAgeHours) },
  {
    name: 'bio_live_age_log1p_h',
    read: (f) => logScaled(f.biometric.lastLiveCaptureAgeHours, MAX_AGE_HOURS),
  },
  { name: 'bio_failed_24h_log1p', read: (f) => logScaled(f.biometric.failedAttempts24h, MAX_COUNT) },
  { name: 'bio_captures_log1p', read: (f) => logScaled(f.biometric.captureCount, MAX_COUNT) },
  // Registry
  { name: 'reg_present', read: (f) => flag(f.registry.present) },
  { name: 'reg_age_log1p_h', read: (f) => logScaled(f.registry.ageHours, MAX_AGE_HOURS) },
  { name: 'reg_record_found', read: (f) => flag(f.registry.recordFound) },
  { name: 'reg_name_match', read: (f) => unit(f.registry.nameMatch) },
  { name: 'reg_birth_date_match', read: (f) => flag(f.registry.birthDateMatch) },
  { name: 'reg_document_valid', read: (f) => flag(f.registry.documentValid) },
  { name: 'reg_status_active', read: (f) => flag(f.registry.status === 'ACTIVE') },
  { name: 'reg_status_suspended', read: (f) => flag(f.registry.status === 'SUSPENDED') },
  { name: 'reg_status_deceased', read: (f) => flag(f.registry.status === 'DECEASED') },
  { name: 'reg_registries_log1p', read: (f) => logScaled(f.registry.registryCount, MAX_COUNT) },
  { name: 'reg_found_log1p', read: (f) => logScaled(f.registry.foundCount, MAX_COUNT) },
] as const satisfies readonly FeatureSpec[];

/** One name of the feature vector. */
export type FeatureName = (typeof FEATURE_SPECS)[number]['name'];

/** The names of the vector's entries, in order (the training data's column header). */
export const FEATURE_NAMES: readonly FeatureName[] = Object.freeze(FEATURE_SPECS.map((spec) => spec.name));

/** Length of the feature vector. */
export const FEATURE_COUNT = FEATURE_SPECS.length;

/**
 * Encodes features as a vector of {@link FEATURE_COUNT} finite numbers in {@link FEATURE_NAMES} order.
 * Writes into `out` at `offset` when given (a whole batch in one buffer for a batched model call), else
 * into a new array. Returns the array written to.
 */
export function toVector(features: SubjectFeatures, out?: Float32Array, offset = 0): Float32Array {
  const target = out ?? new Float32Array(FEATURE_COUNT);
  if (offset < 0 || offset + FEATURE_COUNT > target.length) {
    throw new RangeError(`feature vector does not fit: offset ${offset}, length ${target.length}`);
  }
  for (let i = 0; i < FEATURE_SPECS.length; i += 1) {
    const spec: FeatureSpec | undefined = FEATURE_SPECS[i];
    if (spec !== undefined) target[offset + i] = finite(spec.read(features));
  }
  return target;
}
