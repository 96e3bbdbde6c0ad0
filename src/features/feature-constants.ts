/**
 * Every constant that defines a feature (what counts as an impossible jump, a failed biometric attempt, a
 * live capture, the home region). They live in one place because they are part of the feature
 * definitions: the rules scorer reads the features they produce, and a later model is trained on them.
 * The scorer's own thresholds and weights are in src/scoring/rules-constants.ts.
 */

/** Milliseconds in one hour. */
export const MS_PER_HOUR = 3_600_000;

/** Milliseconds in one day. */
export const MS_PER_DAY = 86_400_000;

/** Mean Earth radius (IUGG), in kilometres, for the haversine distance. */
export const EARTH_RADIUS_KM = 6371.0088;

/**
 * Implied ground speed above which a jump between two fixes is impossible travel, in km/h. Airliners
 * cruise at 800–950 km/h over the ground but the door-to-door speed of any flight (taxi, climb, descent)
 * stays below ~900 km/h, so a scheduled flight is not flagged.
 */
export const IMPOSSIBLE_SPEED_KMH = 900;

/**
 * The smallest time between two fixes used to compute a speed, in milliseconds. Fixes with identical
 * (or sub-second apart) times are treated as one second apart: no division by zero, and a real jump
 * between two simultaneous fixes still comes out as an impossible speed.
 */
export const MIN_FIX_INTERVAL_MS = 1_000;

/** How far back an impossible jump still counts (by the time of the later fix), in milliseconds: 24 h. */
export const TRAVEL_LOOKBACK_MS = 24 * MS_PER_HOUR;

/**
 * Fewest accepted fixes (before the newest) needed to learn a home region. With three, a component-wise
 * median already ignores one outlier.
 */
export const HOME_MIN_FIXES = 3;

/** How many of the most recent accepted fixes (before the newest) the home region is the median of. */
export const HOME_MAX_FIXES = 16;

/** A biometric capture with a match score below this is a failed attempt (and `BIO_MATCH_LOW`). */
export const BIO_FAILED_MATCH_BELOW = 0.6;

/** A biometric capture with a liveness score below this is a failed attempt (and `BIO_LIVENESS_LOW`). */
export const BIO_LIVENESS_LOW_BELOW = 0.5;

/**
 * A "live good capture" (the one that lifts a presentation-attack cap, and the only kind that can be a
 * strong match) has no PAD flag, liveness at least this, and quality at least
 * {@link BIO_GOOD_CAPTURE_MIN_QUALITY}. Set higher than the failure threshold: lifting a cap needs
 * positive proof of liveness, not merely the absence of a failure.
 */
export const BIO_LIVE_CAPTURE_MIN_LIVENESS = 0.8;

/** Minimum capture quality of a live good capture; below it the liveness score itself is unreliable. */
export const BIO_GOOD_CAPTURE_MIN_QUALITY = 0.5;

/**
 * The way back from a presentation-attack flag (the contract's cap "until a later live capture"): a later
 * capture without a PAD flag and with liveness at least {@link BIO_LIVE_CAPTURE_MIN_LIVENESS} lifts the
 * flag when it is a live good capture (quality at least {@link BIO_GOOD_CAPTURE_MIN_QUALITY}), or was taken
 * at an attended channel (BRANCH: staff saw the person), or is the second such capture in a row after the
 * flag, whatever its quality. Why: a wrongly flagged person whose captures stay below quality 0.5 (an
 * elderly patient, a worn reader) must have a way back; two consecutive live captures are what a replayed
 * photo or mask rarely produces, and an attended capture has a human check of presence.
 */
export const BIO_LIFT_CONSECUTIVE_LIVE = 2;

/** How far back failed biometric attempts are counted, in milliseconds: 24 h. */
export const FAILED_ATTEMPT_LOOKBACK_MS = 24 * MS_PER_HOUR;
