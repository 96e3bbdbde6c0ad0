/**
 * Per-client rate limiting: one token bucket per client. A request takes a token; tokens come back at
 * `ratePerSecond` up to `burst`. This is the in-process bucket of the embedded mode (one process); with
 * Redis, redis-rate-limiter.ts keeps the same bucket in Redis, shared by every API process.
 */
export interface TokenBucketOptions {
  /** Tokens added per second. */
  readonly ratePerSecond: number;
  /** Most tokens held: the requests allowed at once. */
  readonly burst: number;
  readonly now?: () => number;
}

export type Take = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

export interface RateLimiter {
  take(key: string): Promise<Take>;
}

/** Buckets idle this long are full again and are forgotten, ms. */
const FORGET_AFTER_MS = 10 * 60_000;

export function createRateLimiter(options: TokenBucketOptions): RateLimiter {
  const now = options.now ?? Date.now;
  const buckets = new Map<string, { tokens: number; at: number }>();
  let lastSweep = now();
  const sweep = (t: number): void => {
    if (t - lastSweep < FORGET_AFTER_MS) return;
    lastSweep = t;
    for (const [key, bucket] of buckets) if (t - bucket.at > FORGET_AFTER_MS) buckets.delete(key);
  };
  return {
    take(key) {
      return Promise.resolve(takeAt(key));
    },
  };
  function takeAt(key: string): Take {
    const t = now();
    sweep(t);
    const bucket = buckets.get(key) ?? { tokens: options.burst, at: t };
    const refilled = Math.min(
      options.burst,
      bucket.tokens + ((t - bucket.at) / 1000) * options.ratePerSecond,
    );
    if (refilled >= 1) {
      buckets.set(key, { tokens: refilled - 1, at: t });
      return { ok: true };
    }
    buckets.set(key, { tokens: refilled, at: t });
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - refilled) / options.ratePerSecond)) };
  }
}
