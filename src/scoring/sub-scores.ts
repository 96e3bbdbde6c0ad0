/**
 * The rules of each dimension's sub-score. A sub-score is clamp01(BASE + Σ adjustments); every adjustment
 * is one reason code, recorded in {@link RuleHits} so the scorer can report it with its impact. All
 * numbers are in rules-constants.ts.
 */
import type { BiometricFeatures } from '../features/biometric-features.js';
import type { LocationFeatures } from '../features/location-features.js';
import type { RegistryFeatures } from '../features/registry-features.js';
import type { TelecomFeatures } from '../features/telecom-features.js';
import type { ReasonCode } from './reasons.js';
import * as k from './rules-constants.js';

/** Most rules one subject can trigger (all of them, with room); sizes the reusable buffers. */
const MAX_HITS = 32;

/**
 * The rules that fired for one subject: dimension index, code and signed sub-score adjustment of each.
 * One instance is reused for every subject a scorer scores (scoring is synchronous), so scoring a batch
 * allocates nothing here.
 */
export class RuleHits {
  readonly codes: ReasonCode[] = [];
  readonly dimensions = new Uint8Array(MAX_HITS);
  readonly deltas = new Float64Array(MAX_HITS);
  count = 0;

  reset(): void {
    this.count = 0;
  }

  /** Records a rule and returns its adjustment, to be added to the raw sub-score. */
  add(dimension: number, code: ReasonCode, delta: number): number {
    const i = this.count;
    this.codes[i] = code;
    this.dimensions[i] = dimension;
    this.deltas[i] = delta;
    this.count = i + 1;
    return delta;
  }
}

/** Linear fade of a recency penalty: 1 at age 0, 0 from `windowHours` on (and when there is no event). */
export function recencyFade(ageHours: number | null, windowHours: number): number {
  if (ageHours === null || !(ageHours < windowHours)) return 0;
  return 1 - Math.max(0, ageHours) / windowHours;
}

/** Raw telecom sub-score (before clamping) of present telecom features. */
export function telecomRaw(f: TelecomFeatures, dim: number, hits: RuleHits): number {
  let raw = k.TEL_BASE;
  const tenure = f.tenureDays;
  if (tenure !== null && tenure >= k.TEL_TENURE_LONG_DAYS) {
    raw += hits.add(dim, 'TEL_TENURE_LONG', k.TEL_TENURE_LONG_BONUS);
  }
  const changedRecently =
    f.msisdnChangeAgeHours !== null && f.msisdnChangeAgeHours < k.TEL_NUMBER_NEW_DAYS * 24;
  if ((tenure !== null && tenure < k.TEL_NUMBER_NEW_DAYS) || changedRecently) {
    raw += hits.add(dim, 'TEL_NUMBER_NEW', -k.TEL_NUMBER_NEW_PENALTY);
  }
  if (f.kycMatch === 'FULL') raw += hits.add(dim, 'TEL_KYC_MATCH', k.TEL_KYC_FULL_BONUS);
  else if (f.kycMatch === 'PARTIAL') raw += hits.add(dim, 'TEL_KYC_MISMATCH', -k.TEL_KYC_PARTIAL_PENALTY);
  else if (f.kycMatch === 'NONE') raw += hits.add(dim, 'TEL_KYC_MISMATCH', -k.TEL_KYC_NONE_PENALTY);
  if (f.lineType === 'VOIP') raw += hits.add(dim, 'TEL_VOIP_LINE', -k.TEL_VOIP_PENALTY);
  const swapFade = recencyFade(f.simSwapAgeHours, k.TEL_SIM_SWAP_RECENT_HOURS);
  if (swapFade > 0) {
    const newDevice = recencyFade(f.deviceChangeAgeHours, k.TEL_SIM_SWAP_RECENT_HOURS) > 0;
    const penalty = k.TEL_SIM_SWAP_PENALTY + (newDevice ? k.TEL_SIM_SWAP_NEW_DEVICE_EXTRA : 0);
    raw += hits.add(dim, 'TEL_SIM_SWAP_RECENT', -penalty * swapFade);
  }
  const portFade = recencyFade(f.portAgeHours, k.TEL_PORT_RECENT_HOURS);
  if (portFade > 0) raw += hits.add(dim, 'TEL_PORTED_RECENT', -k.TEL_PORT_PENALTY * portFade);
  return raw;
}

/** Raw location sub-score of present location features. */
export function locationRaw(f: LocationFeatures, dim: number, hits: RuleHits): number {
  let raw = k.LOC_BASE;
  if (f.impossibleJumps24h > 0)
    raw += hits.add(dim, 'LOC_IMPOSSIBLE_TRAVEL', -k.LOC_IMPOSSIBLE_TRAVEL_PENALTY);
  const home = f.homeDistanceKm;
  if (home !== null && home <= k.LOC_HOME_RADIUS_KM)
    raw += hits.add(dim, 'LOC_HOME_REGION', k.LOC_HOME_BONUS);
  else if (home !== null && home > k.LOC_FAR_FROM_HOME_KM) {
    raw += hits.add(dim, 'LOC_FAR_FROM_HOME', -k.LOC_FAR_FROM_HOME_PENALTY);
  }
  if (f.accuracyMeters !== null && f.accuracyMeters > k.LOC_LOW_ACCURACY_METERS) {
    raw += hits.add(dim, 'LOC_LOW_ACCURACY', -k.LOC_LOW_ACCURACY_PENALTY);
  }
  return raw;
}

/** Raw biometric sub-score of present biometric features. */
export function biometricRaw(f: BiometricFeatures, dim: number, hits: RuleHits): number {
  let raw = k.BIO_BASE;
  if (f.attackUnanswered) {
    raw += hits.add(dim, 'BIO_PRESENTATION_ATTACK', -k.BIO_PRESENTATION_ATTACK_PENALTY);
  }
  const match = f.matchScore ?? 0;
  if (f.newestIsLiveGood && match >= k.BIO_STRONG_MATCH_MIN) {
    raw += hits.add(dim, 'BIO_STRONG_MATCH', k.BIO_STRONG_MATCH_BONUS);
  }
  if (match < k.BIO_MATCH_LOW_BELOW) raw += hits.add(dim, 'BIO_MATCH_LOW', -k.BIO_MATCH_LOW_PENALTY);
  if ((f.livenessScore ?? 0) < k.BIO_LIVENESS_LOW_THRESHOLD) {
    raw += hits.add(dim, 'BIO_LIVENESS_LOW', -k.BIO_LIVENESS_LOW_PENALTY);
  }
  if (f.failedAttempts24h >= k.BIO_REPEATED_FAILURES_MIN) {
    raw += hits.add(dim, 'BIO_REPEATED_FAILURES', -k.BIO_REPEATED_FAILURES_PENALTY);
  }
  return raw;
}

/** Raw registry sub-score of present registry features. */
export function registryRaw(f: RegistryFeatures, dim: number, hits: RuleHits): number {
  let raw = k.REG_BASE;
  if (f.status === 'DECEASED') raw += hits.add(dim, 'REG_DECEASED', -k.REG_DECEASED_PENALTY);
  else if (f.status === 'SUSPENDED') raw += hits.add(dim, 'REG_SUSPENDED', -k.REG_SUSPENDED_PENALTY);
  if (!f.recordFound) return raw + hits.add(dim, 'REG_NO_RECORD', -k.REG_NO_RECORD_PENALTY);
  const name = f.nameMatch ?? 0;
  if (name < k.REG_NAME_MISMATCH_BELOW)
    raw += hits.add(dim, 'REG_NAME_MISMATCH', -k.REG_NAME_MISMATCH_PENALTY);
  if (f.birthDateMatch === false) {
    raw += hits.add(dim, 'REG_BIRTHDATE_MISMATCH', -k.REG_BIRTHDATE_MISMATCH_PENALTY);
  }
  if (f.documentValid === false)
    raw += hits.add(dim, 'REG_DOCUMENT_INVALID', -k.REG_DOCUMENT_INVALID_PENALTY);
  const verified =
    name >= k.REG_VERIFIED_NAME_MIN &&
    f.birthDateMatch === true &&
    f.documentValid === true &&
    f.status === 'ACTIVE';
  if (verified) raw += hits.add(dim, 'REG_VERIFIED', k.REG_VERIFIED_BONUS);
  return raw;
}
