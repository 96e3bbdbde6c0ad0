/**
 * Every number the rules scorer uses, in one place, so that a reader (a regulator, an auditor) can check
 * the whole scoring policy on one page. Changing any of them changes scores: bump RULES_VERSION.
 *
 * How they combine (details in rules-scorer.ts and decay.ts):
 * 1. Each present dimension's sub-score = clamp01(its BASE + the adjustments of the rules that fire);
 *    every adjustment is one reason code.
 * 2. Each dimension's freshness f = 0.5^(age of its newest evidence / its half-life) (decay.ts).
 * 3. Fused confidence = Σ BASE_WEIGHT × (f × s + (1 − f) × min(s, UNKNOWN_PRIOR)); a missing dimension
 *    contributes UNKNOWN_PRIOR. Good evidence fades towards the prior as it ages; bad evidence (below the
 *    prior) keeps counting until newer evidence replaces it, so ageing never raises a confidence.
 * 4. Caps of the contract, then the assurance rules (assurance.ts).
 * Feature definitions (impossible speed, failed attempt, live capture, home region) are in
 * src/features/feature-constants.ts.
 */
import type { Dimension } from '../codec/types.js';
import {
  BIO_FAILED_MATCH_BELOW,
  BIO_LIVENESS_LOW_BELOW,
  MS_PER_HOUR,
} from '../features/feature-constants.js';

/** Version of this rule set; the scorer's `modelVersion` is `rules-<RULES_VERSION>`. */
export const RULES_VERSION = '1.0.0';

// ---- Fusion ---------------------------------------------------------------------------------------

/**
 * Share of each dimension in the fused confidence when its evidence is fresh (sums to 1). A live biometric
 * match is the strongest proof that the person is the subject; the registry is the authoritative record
 * the identity is anchored to; the telecom number is a possession factor that can be hijacked (SIM swap);
 * location says the least about who someone is.
 */
export const BASE_WEIGHTS: Readonly<Record<Dimension, number>> = {
  TELECOM: 0.2,
  LOCATION: 0.15,
  BIOMETRIC: 0.35,
  REGISTRY: 0.3,
};

/**
 * What an unknown (missing) dimension contributes, and what good evidence fades towards as it ages. Low,
 * so missing evidence never counts as good: with nothing known the confidence is 0.25.
 */
export const UNKNOWN_PRIOR = 0.25;

/** The sub-score a missing dimension is compared with for the impact of `<DIM>_MISSING`. */
export const NEUTRAL_SUB_SCORE = 0.5;

/** A dimension is stale (`<DIM>_STALE`) once its freshness is below this: older than one half-life. */
export const STALE_BELOW_FRESHNESS = 0.5;

// ---- Telecom ---------------------------------------------------------------------------------------

export const TEL_BASE = 0.6;
/** `TEL_TENURE_LONG` from this many days on the number. */
export const TEL_TENURE_LONG_DAYS = 365;
export const TEL_TENURE_LONG_BONUS = 0.15;
/** `TEL_NUMBER_NEW` below this many days on the number, or when the number changed within them. */
export const TEL_NUMBER_NEW_DAYS = 90;
export const TEL_NUMBER_NEW_PENALTY = 0.2;
export const TEL_KYC_FULL_BONUS = 0.25;
export const TEL_KYC_PARTIAL_PENALTY = 0.15;
export const TEL_KYC_NONE_PENALTY = 0.4;
export const TEL_VOIP_PENALTY = 0.2;
/**
 * A SIM swap counts as recent for this many hours (7 days); its penalty fades linearly from full at 0 h
 * to nothing at the end. Takeovers are used within hours to days of the swap.
 */
export const TEL_SIM_SWAP_RECENT_HOURS = 168;
export const TEL_SIM_SWAP_PENALTY = 0.6;
/**
 * Added to the SIM-swap penalty (same fade) when the handset also changed within the same window: SIM
 * swap plus new device is the account-takeover pattern. A device change alone is a benign surprise and
 * costs nothing (the contract has no reason code for it).
 */
export const TEL_SIM_SWAP_NEW_DEVICE_EXTRA = 0.25;
/** A port counts as recent for this many hours (30 days), fading linearly like the SIM swap. */
export const TEL_PORT_RECENT_HOURS = 720;
export const TEL_PORT_PENALTY = 0.3;

// ---- Location --------------------------------------------------------------------------------------

export const LOC_BASE = 0.7;
/** `LOC_HOME_REGION` when the newest fix (less its accuracy) is within this many km of home. */
export const LOC_HOME_RADIUS_KM = 25;
export const LOC_HOME_BONUS = 0.3;
/** `LOC_FAR_FROM_HOME` beyond this many km (less accuracy) from home: further than a day's commute. */
export const LOC_FAR_FROM_HOME_KM = 300;
export const LOC_FAR_FROM_HOME_PENALTY = 0.2;
/** `LOC_IMPOSSIBLE_TRAVEL` when any jump ending in the last 24 h was impossible. */
export const LOC_IMPOSSIBLE_TRAVEL_PENALTY = 0.6;
/** `LOC_LOW_ACCURACY` when the newest fix's radius exceeds this, in metres (IP and coarse cell fixes). */
export const LOC_LOW_ACCURACY_METERS = 5_000;
export const LOC_LOW_ACCURACY_PENALTY = 0.15;

// ---- Biometric -------------------------------------------------------------------------------------

export const BIO_BASE = 0.6;
/** `BIO_STRONG_MATCH` when the newest capture is a live good capture matched at least this. */
export const BIO_STRONG_MATCH_MIN = 0.9;
export const BIO_STRONG_MATCH_BONUS = 0.4;
/** `BIO_MATCH_LOW` below this match: the same threshold that makes an attempt a failed one. */
export const BIO_MATCH_LOW_BELOW = BIO_FAILED_MATCH_BELOW;
export const BIO_MATCH_LOW_PENALTY = 0.45;
/** `BIO_LIVENESS_LOW` below this liveness: the same threshold that makes an attempt a failed one. */
export const BIO_LIVENESS_LOW_THRESHOLD = BIO_LIVENESS_LOW_BELOW;
export const BIO_LIVENESS_LOW_PENALTY = 0.35;
export const BIO_PRESENTATION_ATTACK_PENALTY = 0.6;
/** `BIO_REPEATED_FAILURES` from this many failed attempts in the last 24 h. */
export const BIO_REPEATED_FAILURES_MIN = 3;
export const BIO_REPEATED_FAILURES_PENALTY = 0.25;

// ---- Registry --------------------------------------------------------------------------------------

export const REG_BASE = 0.5;
/** `REG_VERIFIED` needs a found record, name match at least this, birth date, ACTIVE, valid document. */
export const REG_VERIFIED_NAME_MIN = 0.9;
export const REG_VERIFIED_BONUS = 0.5;
export const REG_NO_RECORD_PENALTY = 0.5;
/** `REG_NAME_MISMATCH` below this name match (between this and the verified minimum: neither). */
export const REG_NAME_MISMATCH_BELOW = 0.7;
export const REG_NAME_MISMATCH_PENALTY = 0.35;
export const REG_BIRTHDATE_MISMATCH_PENALTY = 0.35;
export const REG_DOCUMENT_INVALID_PENALTY = 0.2;
export const REG_DECEASED_PENALTY = 0.5;
export const REG_SUSPENDED_PENALTY = 0.4;

// ---- Caps (the contract) ---------------------------------------------------------------------------

/** DECEASED or SUSPENDED: confidence at most this, assurance NONE. */
export const CAP_REGISTRY_STATUS = 0.05;
/** A presentation attack not followed by a live capture: confidence at most this. */
export const CAP_PRESENTATION_ATTACK = 0.1;

// ---- Assurance -------------------------------------------------------------------------------------

/** HIGH needs at least this confidence (with REG_VERIFIED, a fresh BIO_STRONG_MATCH, no risk/caution). */
export const ASSURANCE_HIGH_MIN_CONFIDENCE = 0.9;
/** HIGH needs the strong biometric match to be at most this old, in ms (72 h). */
export const ASSURANCE_HIGH_MAX_BIO_AGE_MS = 72 * MS_PER_HOUR;
/** SUBSTANTIAL needs at least this confidence (with REG_VERIFIED and a second binding, no risk). */
export const ASSURANCE_SUBSTANTIAL_MIN_CONFIDENCE = 0.7;
/** LOW needs at least this confidence; below it, NONE. */
export const ASSURANCE_LOW_MIN_CONFIDENCE = 0.4;
