/**
 * The tunables of both state store adapters, checked and filled with defaults in one place so the Redis
 * store and the in-memory twin can never run with different bounds.
 */
import {
  DEFAULT_DEDUPE_SIZE,
  DEFAULT_SCORE_TTL_SECONDS,
  DEFAULT_STATE_TTL_SECONDS,
  type StateStoreOptions,
} from './state-store.js';

export interface ResolvedStoreOptions {
  /** Event ids remembered per subject for dedupe. */
  readonly dedupeSize: number;
  /** Seconds a subject's state lives after the last call that applied an event. */
  readonly stateTtlSeconds: number;
  /** Seconds a cached score lives after it was written. */
  readonly scoreTtlSeconds: number;
}

const OPTION_KEYS = ['dedupeSize', 'stateTtlSeconds', 'scoreTtlSeconds'] as const;

/**
 * Throws a TypeError naming the first key of `options` that is not in `allowed`: a misspelt option
 * (`dedupSize`) would otherwise silently run with the default.
 */
export function rejectUnknownKeys(options: object, allowed: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new TypeError(`state store: unknown option ${key}`);
  }
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`state store: ${name} must be a positive integer`);
  }
  return value;
}

/** The options with defaults filled in; RangeError for a value that is not a positive integer. */
export function resolveStoreOptions(
  options: StateStoreOptions,
  extraKeys: readonly string[] = [],
): ResolvedStoreOptions {
  rejectUnknownKeys(options, [...OPTION_KEYS, ...extraKeys]);
  return {
    dedupeSize: positiveInteger('dedupeSize', options.dedupeSize, DEFAULT_DEDUPE_SIZE),
    stateTtlSeconds: positiveInteger('stateTtlSeconds', options.stateTtlSeconds, DEFAULT_STATE_TTL_SECONDS),
    scoreTtlSeconds: positiveInteger('scoreTtlSeconds', options.scoreTtlSeconds, DEFAULT_SCORE_TTL_SECONDS),
  };
}
