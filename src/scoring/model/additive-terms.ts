/**
 * The terms of the additive identity-fusion model (2.x): which evidence each one reads, which way it may
 * push, how far, and which reason code carries its contribution. One place for training and serving (no
 * train/serve skew): both read the pipeline's feature vector (src/features/feature-vector.ts) through
 * {@link writeTermInputs}.
 *
 * Each term reads one "goodness" g in [0, 1] from the vector (1 is the best evidence this term can see)
 * and has a learned, monotone, piecewise-linear shape f(g) inside fixed bounds:
 * - `evidence` terms (tenure, KYC, home region, match, liveness, the registry's answers): f in [lo, hi],
 *   lo < 0 < hi: good evidence raises, bad evidence lowers;
 * - `risk` terms (a recent SIM swap, port or device change, a VoIP line, impossible travel, a coarse fix,
 *   failed captures): f in [lo, 0], and f(1) = 0 exactly: the absence of a risk event is no evidence.
 * Why bounded: no single non-fatal fact may take a strong subject below the contract's hard caps, and
 * independent evidence accumulates instead of one dimension overriding the others. The upper bounds sum
 * to 4.4: only a subject with every piece of evidence at its best and fresh comes near 0.999, so a
 * strong subject's confidence still moves when one fact changes (no saturation). The calibration's slope
 * is at most 1 (additive-training.ts), so these bounds hold for the calibrated contributions too. Why monotone: the
 * direction is domain knowledge (a lower match is never better), so the model cannot learn a shortcut
 * of its simulator that points the wrong way.
 *
 * A term counts only when its dimension has evidence (missing evidence contributes 0: the prior) and is
 * multiplied by the dimension's freshness, so stale evidence shrinks toward 0 with the half-life.
 * Hard facts (DECEASED, SUSPENDED, an unanswered presentation attack) are not terms: they stay the
 * contract's caps (caps.ts).
 */
import type { Dimension } from '../../codec/types.js';
import { FEATURE_COUNT, FEATURE_NAMES, type FeatureName } from '../../features/feature-vector.js';
import type { ReasonCode } from '../reasons.js';
import { DIMENSION_INDEX } from '../scorer.js';

export type TermKind = 'evidence' | 'risk';

export interface TermSpec {
  readonly name: string;
  readonly dimension: Dimension;
  readonly kind: TermKind;
  /** Lowest contribution, log-odds (before calibration), < 0 (0 for a term that only raises). */
  readonly lo: number;
  /** Highest contribution, log-odds (before calibration); 0 for a risk term. */
  readonly hi: number;
  /** Code of a negative contribution (null: the term never lowers). */
  readonly negative: ReasonCode | null;
  /** Code of a positive contribution (null: a risk term, never raises). */
  readonly positive: ReasonCode | null;
  /** What g means, for docs/model.md and the model card. */
  readonly reads: string;
}

const INDEX = new Map<string, number>(FEATURE_NAMES.map((name, i) => [name, i]));

function at(name: FeatureName): number {
  const index = INDEX.get(name);
  if (index === undefined) throw new RangeError(`no feature ${name}`);
  return index;
}

const F = {
  telPresent: at('tel_present'),
  tenure: at('tel_tenure_log1p_d'),
  kycFull: at('tel_kyc_full'),
  kycPartial: at('tel_kyc_partial'),
  kycNone: at('tel_kyc_none'),
  voip: at('tel_line_voip'),
  swapKnown: at('tel_sim_swap_known'),
  swapAge: at('tel_sim_swap_age_log1p_h'),
  portKnown: at('tel_port_known'),
  portAge: at('tel_port_age_log1p_h'),
  deviceKnown: at('tel_device_change_known'),
  deviceAge: at('tel_device_change_age_log1p_h'),
  msisdnKnown: at('tel_msisdn_changed'),
  msisdnAge: at('tel_msisdn_change_age_log1p_h'),
  locPresent: at('loc_present'),
  jumps: at('loc_impossible_jumps_24h_log1p'),
  homeKnown: at('loc_home_known'),
  homeKm: at('loc_home_distance_log1p_km'),
  accuracy: at('loc_accuracy_log1p_m'),
  bioPresent: at('bio_present'),
  match: at('bio_match'),
  quality: at('bio_quality'),
  liveness: at('bio_liveness'),
  failed: at('bio_failed_24h_log1p'),
  regPresent: at('reg_present'),
  found: at('reg_record_found'),
  name: at('reg_name_match'),
  birth: at('reg_birth_date_match'),
  document: at('reg_document_valid'),
  active: at('reg_status_active'),
  locAge: at('loc_age_log1p_h'),
} as const;

/** Windows of the event terms, hours: an event older than this is no longer a risk (g = 1). */
export const TERM_WINDOWS_HOURS = {
  simSwap: 30 * 24,
  deviceChange: 30 * 24,
  port: 60 * 24,
  numberChange: 90 * 24,
} as const;

/** Capture quality from which a match score counts fully. */
export const QUALITY_FULL = 0.6;
/** Weight of the capture terms at quality 0 (a blurred capture still says something, a quarter as much). */
export const QUALITY_FLOOR = 0.25;
const LN_TENURE_FULL = Math.log1p(3650); // 10 years of tenure is as good as it gets
const LN_HOME_FAR = Math.log1p(3000); // 3,000 km from home is as far as it gets
const LN_ACCURACY_GOOD = Math.log1p(100);
const LN_ACCURACY_BAD = Math.log1p(50_000);
const LN_DORMANT_DAYS = Math.log1p(90); // no location trail for 90 days is as dormant as it gets
/** A cross term's g from 0.85 up reads as fully good (1): a strong subject carries no risk reason. */
const CROSS_GOOD = 0.85;

function crossGoodness(a: number, b: number): number {
  return clamp01(Math.max(a, b) / CROSS_GOOD);
}

function clamp01(x: number): number {
  return x > 0 ? (x < 1 ? x : 1) : 0;
}

/** g of an event term: 1 when it never happened or is older than the window; ln-scaled age inside it. */
function sinceEvent(v: Float32Array, base: number, known: number, age: number, windowHours: number): number {
  if (!((v[base + known] ?? 0) > 0)) return 1;
  const hours = Math.expm1(v[base + age] ?? 0);
  return clamp01(Math.log1p(hours) / Math.log1p(windowHours));
}

function ev(
  name: string,
  dimension: Dimension,
  lo: number,
  hi: number,
  negative: ReasonCode | null,
  positive: ReasonCode | null,
  reads: string,
): TermSpec {
  return { name, dimension, kind: 'evidence', lo, hi, negative, positive, reads };
}

function risk(name: string, dimension: Dimension, lo: number, negative: ReasonCode, reads: string): TermSpec {
  return { name, dimension, kind: 'risk', lo, hi: 0, negative, positive: null, reads };
}

/** The terms, in order (the model's tables are in this order; append only). */
export const TERMS: readonly TermSpec[] = [
  ev('tel_tenure', 'TELECOM', -1.5, 0.5, 'TEL_NUMBER_NEW', 'TEL_TENURE_LONG', 'ln(1+tenure days)/ln(1+3650)'),
  ev('tel_kyc', 'TELECOM', -2, 0.5, 'TEL_KYC_MISMATCH', 'TEL_KYC_MATCH', 'KYC NONE 0, PARTIAL 0.5, FULL 1'),
  risk('tel_voip', 'TELECOM', -1.5, 'TEL_VOIP_LINE', 'VOIP line 0, else 1'),
  risk('tel_sim_swap', 'TELECOM', -3, 'TEL_SIM_SWAP_RECENT', 'ln(1+h since SIM swap)/ln(1+720)'),
  risk('tel_swap_and_device', 'TELECOM', -1.5, 'TEL_SIM_SWAP_RECENT', 'the later of the swap and device g'),
  risk(
    'tel_device_change',
    'TELECOM',
    -1,
    'TEL_DEVICE_CHANGE_RECENT',
    'ln(1+h since device change)/ln(1+720)',
  ),
  risk('tel_port', 'TELECOM', -1.5, 'TEL_PORTED_RECENT', 'ln(1+h since port)/ln(1+1440)'),
  risk('tel_number_change', 'TELECOM', -1.5, 'TEL_NUMBER_NEW', 'ln(1+h since number change)/ln(1+2160)'),
  risk('loc_impossible_travel', 'LOCATION', -3, 'LOC_IMPOSSIBLE_TRAVEL', '1 - min(jumps in 24 h, 3)/3'),
  ev('loc_home', 'LOCATION', -1.5, 0.5, 'LOC_FAR_FROM_HOME', 'LOC_HOME_REGION', '1 - ln(1+km)/ln(1+3000)'),
  risk('loc_accuracy', 'LOCATION', -1, 'LOC_LOW_ACCURACY', 'accuracy 100 m: 1 .. 50 km: 0, ln-scaled'),
  ev('bio_match', 'BIOMETRIC', -3, 1.2, 'BIO_MATCH_LOW', 'BIO_STRONG_MATCH', 'newest match score'),
  ev('bio_liveness', 'BIOMETRIC', -2.5, 0.4, 'BIO_LIVENESS_LOW', 'BIO_STRONG_MATCH', 'newest liveness'),
  risk('bio_failures', 'BIOMETRIC', -2, 'BIO_REPEATED_FAILURES', '1 - min(failed in 24 h, 5)/5'),
  ev('reg_found', 'REGISTRY', -3, 0.3, 'REG_NO_RECORD', 'REG_VERIFIED', 'record found 1, else 0'),
  ev('reg_name', 'REGISTRY', -2.5, 0.4, 'REG_NAME_MISMATCH', 'REG_VERIFIED', 'name match (record found)'),
  ev('reg_birth_date', 'REGISTRY', -2.5, 0.2, 'REG_BIRTHDATE_MISMATCH', 'REG_VERIFIED', 'birth date matches'),
  ev('reg_document', 'REGISTRY', -1.5, 0.2, 'REG_DOCUMENT_INVALID', 'REG_VERIFIED', 'document valid'),
  ev('reg_active', 'REGISTRY', 0, 0.2, null, 'REG_VERIFIED', 'status ACTIVE 1, UNKNOWN 0'),
  // Cross-dimension terms (2.1): g is the better of two pieces of evidence, so the term only bites when
  // both are bad at once. Each fact alone is common among genuine people (a new number, a mediocre face
  // match, an unverified registry answer, a quiet month); together they are what a reused or invented
  // identity looks like, whatever a simulator's particulars.
  risk(
    'new_line_weak_match',
    'BIOMETRIC',
    -2.5,
    'BIO_MATCH_LOW',
    'max(tenure g, newest match)/0.85, at most 1',
  ),
  risk(
    'new_line_dormant',
    'TELECOM',
    -2,
    'TEL_NUMBER_NEW',
    'max(tenure g, 1 - ln(1+days since fix)/ln 91)/0.85',
  ),
  risk('unverified_young_line', 'REGISTRY', -2.5, 'REG_NAME_MISMATCH', 'max(registry g, tenure g)/0.85'),
  risk('dormant_weak_match', 'BIOMETRIC', -2.5, 'BIO_MATCH_LOW', 'max(location recency, match)/0.85'),
];

/** Number of terms. */
export const TERM_COUNT = TERMS.length;

/** The dimension index of each term. */
export const TERM_DIMENSION: readonly number[] = TERMS.map((t) => DIMENSION_INDEX[t.dimension]);

/**
 * Writes term inputs of row `row` of `vectors` (a batch of feature vectors) into `g` and `mask` at
 * `row * TERM_COUNT`: g in [0, 1], mask = freshness of the term's dimension when the term applies
 * (its dimension present, its fact known), else 0. `fresh` holds 4 freshness values per row.
 */
export function writeTermInputs(
  vectors: Float32Array,
  fresh: Float32Array,
  row: number,
  g: Float32Array,
  mask: Float32Array,
): void {
  const v = vectors;
  const b = row * FEATURE_COUNT;
  const o = row * TERM_COUNT;
  const tel = (v[b + F.telPresent] ?? 0) > 0 ? (fresh[row * 4] ?? 0) : 0;
  const loc = (v[b + F.locPresent] ?? 0) > 0 ? (fresh[row * 4 + 1] ?? 0) : 0;
  const bio = (v[b + F.bioPresent] ?? 0) > 0 ? (fresh[row * 4 + 2] ?? 0) : 0;
  const reg = (v[b + F.regPresent] ?? 0) > 0 ? (fresh[row * 4 + 3] ?? 0) : 0;
  const kycKnown = (v[b + F.kycFull] ?? 0) + (v[b + F.kycPartial] ?? 0) + (v[b + F.kycNone] ?? 0) > 0;
  const swap = sinceEvent(v, b, F.swapKnown, F.swapAge, TERM_WINDOWS_HOURS.simSwap);
  const device = sinceEvent(v, b, F.deviceKnown, F.deviceAge, TERM_WINDOWS_HOURS.deviceChange);
  g[o] = clamp01((v[b + F.tenure] ?? 0) / LN_TENURE_FULL);
  mask[o] = tel;
  g[o + 1] = (v[b + F.kycFull] ?? 0) > 0 ? 1 : (v[b + F.kycPartial] ?? 0) > 0 ? 0.5 : 0;
  mask[o + 1] = kycKnown ? tel : 0;
  g[o + 2] = (v[b + F.voip] ?? 0) > 0 ? 0 : 1;
  mask[o + 2] = tel;
  g[o + 3] = swap;
  mask[o + 3] = tel;
  g[o + 4] = Math.max(swap, device);
  mask[o + 4] = tel;
  g[o + 5] = device;
  mask[o + 5] = tel;
  g[o + 6] = sinceEvent(v, b, F.portKnown, F.portAge, TERM_WINDOWS_HOURS.port);
  mask[o + 6] = tel;
  g[o + 7] = sinceEvent(v, b, F.msisdnKnown, F.msisdnAge, TERM_WINDOWS_HOURS.numberChange);
  mask[o + 7] = tel;
  g[o + 8] = 1 - Math.min(Math.expm1(v[b + F.jumps] ?? 0), 3) / 3;
  mask[o + 8] = loc;
  g[o + 9] = 1 - clamp01((v[b + F.homeKm] ?? 0) / LN_HOME_FAR);
  mask[o + 9] = (v[b + F.homeKnown] ?? 0) > 0 ? loc : 0;
  const accuracy = v[b + F.accuracy] ?? 0;
  g[o + 10] =
    accuracy > 0 ? 1 - clamp01((accuracy - LN_ACCURACY_GOOD) / (LN_ACCURACY_BAD - LN_ACCURACY_GOOD)) : 1;
  mask[o + 10] = loc;
  g[o + 11] = clamp01(v[b + F.match] ?? 0);
  // A match score says less at low capture quality (blur, bad light, a worn reader): its weight falls
  // from 1 at quality ≥ QUALITY_FULL to 0.5 at quality 0.
  // Liveness and failed attempts are read the same way: a blurred capture scores low liveness and fails
  // more often for genuine people too (elderly patients, worn readers), so it says less about them.
  const qualityWeight =
    QUALITY_FLOOR + (1 - QUALITY_FLOOR) * Math.min(1, clamp01(v[b + F.quality] ?? 0) / QUALITY_FULL);
  mask[o + 11] = bio * qualityWeight;
  g[o + 12] = clamp01(v[b + F.liveness] ?? 0);
  mask[o + 12] = bio * qualityWeight;
  g[o + 13] = 1 - Math.min(Math.expm1(v[b + F.failed] ?? 0), 5) / 5;
  mask[o + 13] = bio * qualityWeight;
  const found = (v[b + F.found] ?? 0) > 0;
  g[o + 14] = found ? 1 : 0;
  mask[o + 14] = reg;
  g[o + 15] = clamp01(v[b + F.name] ?? 0);
  mask[o + 15] = found ? reg : 0;
  g[o + 16] = (v[b + F.birth] ?? 0) > 0 ? 1 : 0;
  mask[o + 16] = found ? reg : 0;
  g[o + 17] = (v[b + F.document] ?? 0) > 0 ? 1 : 0;
  mask[o + 17] = found ? reg : 0;
  g[o + 18] = (v[b + F.active] ?? 0) > 0 ? 1 : 0;
  mask[o + 18] = reg;
  writeCrossTerms(v, b, o, { tel, bio: bio * qualityWeight, reg, found }, g, mask);
}

/**
 * Freshness of each dimension in a row (0 when absent; biometric's already weighted by capture quality)
 * and whether a registry found the record.
 */
interface RowPresence {
  readonly tel: number;
  readonly bio: number;
  readonly reg: number;
  readonly found: boolean;
}

/**
 * The cross-dimension terms (indices 19..22): each needs both of its dimensions present and reads the
 * better of the two pieces of evidence (missing evidence stays no evidence). Tenure g is term 0's.
 */
function writeCrossTerms(
  v: Float32Array,
  b: number,
  o: number,
  p: RowPresence,
  g: Float32Array,
  mask: Float32Array,
): void {
  const tenure = g[o] ?? 1;
  const hasTel = p.tel > 0;
  // A new line presenting a face that only half matches: someone else with a fresh number.
  g[o + 19] = crossGoodness(tenure, clamp01(v[b + F.match] ?? 0));
  mask[o + 19] = hasTel ? p.bio : 0;
  // A new line on an identity whose location trail went quiet long ago: a dormant identity reactivated.
  const locKnown = (v[b + F.locPresent] ?? 0) > 0;
  const quietDays = Math.expm1(v[b + F.locAge] ?? 0) / 24;
  const recency = 1 - clamp01(Math.log1p(quietDays) / LN_DORMANT_DAYS);
  g[o + 20] = crossGoodness(tenure, recency);
  mask[o + 20] = locKnown ? p.tel : 0;
  // A young line behind a registry answer that does not verify (no record, a soft name mismatch, a
  // different birth date): an invented identity with a line bought for it.
  const birthOk = (v[b + F.birth] ?? 0) > 0;
  const registry = p.found ? Math.min(clamp01(v[b + F.name] ?? 0), birthOk ? 1 : 0.3) : 0;
  g[o + 21] = crossGoodness(tenure, registry);
  mask[o + 21] = hasTel ? p.reg : 0;
  // A face that only half matches on an identity quiet for months (whatever line it comes with): someone
  // else reviving a dormant identity; a returning resident's own face matches.
  g[o + 22] = crossGoodness(recency, clamp01(v[b + F.match] ?? 0));
  mask[o + 22] = locKnown ? p.bio : 0;
}
