/** Units of simulated time, in milliseconds, and the earliest time the simulator ever writes. */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** A mean Gregorian year. */
export const YEAR_MS = 31_556_952_000;

/**
 * Earliest timestamp the simulator writes into a valid record: a day after the contract's floor
 * (2000-01-01, src/ingest/validate.ts), so that no rounding lands a valid record on the wrong side.
 */
export const MIN_SIMULATED_MS = Date.UTC(2000, 0, 2);
