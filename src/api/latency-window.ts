/**
 * A rolling window of pipeline activity for the embedded mode's live status line (events/s, p50/p99
 * end-to-end latency, dead-lettered), readable in-process without scraping a histogram.
 *
 * The window is a ring of one-second slots. Each slot counts events and dead-lettered records and holds a
 * log-bucketed latency histogram (each bucket 4% wider than the one before, 0.01 ms .. 10 min), so
 * recording is O(1) with no allocation and a snapshot is O(slots × buckets), whatever the event rate.
 * A percentile is reported as the upper bound of its bucket (at most 4% high, never low), capped at the
 * largest latency seen in the window.
 */

/** Relative width of a latency bucket: each bound is 4% above the previous one. */
const GROWTH = 1.04;
const LN_GROWTH = Math.log(GROWTH);
/** Upper bound of the first bucket, ms; anything at or below it lands there. */
const MIN_MS = 0.01;
/** Latencies above this (10 minutes) share the last bucket. */
const MAX_MS = 600_000;
const BUCKETS = Math.ceil(Math.log(MAX_MS / MIN_MS) / LN_GROWTH) + 1;
const MS_PER_SECOND = 1000;

export interface LatencyWindowOptions {
  /** Length of the window in seconds (whole, 1..3600). Default 10. */
  readonly windowSeconds?: number;
  /** Clock, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
}

/** What the window holds at one moment. */
export interface LatencySnapshot {
  /** Seconds of activity the rates are over: the window, or less right after start. */
  readonly spanSeconds: number;
  readonly eventsPerSecond: number;
  /** Latencies recorded in the window. */
  readonly latencyCount: number;
  /** Median end-to-end latency in the window, ms; null when none was recorded. */
  readonly p50Ms: number | null;
  /** 99th percentile end-to-end latency in the window, ms; null when none was recorded. */
  readonly p99Ms: number | null;
  readonly deadLetteredInWindow: number;
  /** Dead-lettered records since the window was created. */
  readonly deadLetteredTotal: number;
  /** Events since the window was created. */
  readonly eventsTotal: number;
}

/** Bucket of a latency: 0 for ≤ {@link MIN_MS}, then one per 4% step, the last one open-ended. */
function bucketOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  const index = Math.ceil(Math.log(ms / MIN_MS) / LN_GROWTH);
  return index < BUCKETS ? index : BUCKETS - 1;
}

/** Upper bound of a bucket, ms. */
function upperBoundOf(bucket: number): number {
  return MIN_MS * Math.pow(GROWTH, bucket);
}

/** Rolling events/s, latency percentiles and dead-letter counts over the last N seconds. */
export class LatencyWindow {
  private readonly slots: number;
  private readonly now: () => number;
  private readonly createdAt: number;
  /** Epoch second each slot currently holds; -1 for never used. */
  private readonly slotSecond: Float64Array;
  private readonly events: Float64Array;
  private readonly deadLettered: Float64Array;
  private readonly maxMs: Float64Array;
  /** `slots` histograms of `BUCKETS` counts, back to back. */
  private readonly histograms: Uint32Array;
  private eventsTotal = 0;
  private deadLetteredTotal = 0;

  constructor(options: LatencyWindowOptions = {}) {
    const seconds = options.windowSeconds ?? 10;
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600) {
      throw new RangeError('windowSeconds must be a whole number of seconds in 1..3600');
    }
    this.slots = seconds;
    this.now = options.now ?? Date.now;
    this.createdAt = this.now();
    this.slotSecond = new Float64Array(seconds).fill(-1);
    this.events = new Float64Array(seconds);
    this.deadLettered = new Float64Array(seconds);
    this.maxMs = new Float64Array(seconds);
    this.histograms = new Uint32Array(seconds * BUCKETS);
  }

  /** Counts consumed events (valid or not) towards events/s. */
  recordEvents(count = 1): void {
    if (!(count > 0)) return;
    const slot = this.currentSlot();
    this.events[slot] = (this.events[slot] ?? 0) + count;
    this.eventsTotal += count;
  }

  /** Records one end-to-end latency, ms (negative, from clock skew, counts as 0; NaN is ignored). */
  recordLatency(ms: number): void {
    if (Number.isNaN(ms)) return;
    const slot = this.currentSlot();
    const value = ms > 0 ? ms : 0;
    const index = slot * BUCKETS + bucketOf(value);
    this.histograms[index] = (this.histograms[index] ?? 0) + 1;
    if (value > (this.maxMs[slot] ?? 0)) this.maxMs[slot] = value;
  }

  /** Counts dead-lettered records. */
  recordDeadLettered(count = 1): void {
    if (!(count > 0)) return;
    const slot = this.currentSlot();
    this.deadLettered[slot] = (this.deadLettered[slot] ?? 0) + count;
    this.deadLetteredTotal += count;
  }

  /** The window as of now. */
  snapshot(): LatencySnapshot {
    const nowMs = this.now();
    const second = Math.floor(nowMs / MS_PER_SECOND);
    const merged = new Float64Array(BUCKETS);
    let events = 0;
    let deadLettered = 0;
    let maxMs = 0;
    for (let slot = 0; slot < this.slots; slot++) {
      if (!this.isLive(slot, second)) continue;
      events += this.events[slot] ?? 0;
      deadLettered += this.deadLettered[slot] ?? 0;
      maxMs = Math.max(maxMs, this.maxMs[slot] ?? 0);
      const base = slot * BUCKETS;
      for (let b = 0; b < BUCKETS; b++) merged[b] = (merged[b] ?? 0) + (this.histograms[base + b] ?? 0);
    }
    const latencyCount = merged.reduce((sum, n) => sum + n, 0);
    const spanSeconds = this.spanSeconds(nowMs);
    return {
      spanSeconds,
      eventsPerSecond: events / spanSeconds,
      latencyCount,
      p50Ms: percentile(merged, latencyCount, 0.5, maxMs),
      p99Ms: percentile(merged, latencyCount, 0.99, maxMs),
      deadLetteredInWindow: deadLettered,
      deadLetteredTotal: this.deadLetteredTotal,
      eventsTotal: this.eventsTotal,
    };
  }

  /** Seconds covered: the full past slots plus the elapsed part of this one, not before creation. */
  private spanSeconds(nowMs: number): number {
    const windowMs = (this.slots - 1) * MS_PER_SECOND + (nowMs % MS_PER_SECOND);
    const aliveMs = nowMs - this.createdAt;
    // At least one second, so that the first events after start do not read as a huge rate.
    return Math.max(MS_PER_SECOND, Math.min(windowMs, aliveMs)) / MS_PER_SECOND;
  }

  private isLive(slot: number, second: number): boolean {
    const held = this.slotSecond[slot] ?? -1;
    return held > second - this.slots && held <= second;
  }

  /** The slot of the current second, cleared first when it still holds an older second. */
  private currentSlot(): number {
    const second = Math.floor(this.now() / MS_PER_SECOND);
    const slot = second % this.slots;
    if (this.slotSecond[slot] !== second) {
      this.slotSecond[slot] = second;
      this.events[slot] = 0;
      this.deadLettered[slot] = 0;
      this.maxMs[slot] = 0;
      this.histograms.fill(0, slot * BUCKETS, (slot + 1) * BUCKETS);
    }
    return slot;
  }
}

/** The q-quantile of a bucketed distribution of `count` values: upper bound of its bucket, ≤ `maxMs`. */
function percentile(buckets: Float64Array, count: number, q: number, maxMs: number): number | null {
  if (count === 0) return null;
  const rank = Math.max(1, Math.ceil(q * count));
  let seen = 0;
  for (let b = 0; b < buckets.length; b++) {
    seen += buckets[b] ?? 0;
    if (seen >= rank) return Math.min(upperBoundOf(b), maxMs);
  }
  return maxMs;
}

/** One status line: `1234 events/s | p50 3.1 ms | p99 12.4 ms | dead-lettered 5`. */
export function formatStatusLine(snapshot: LatencySnapshot): string {
  const ms = (value: number | null): string => (value === null ? '-' : `${value.toFixed(1)} ms`);
  return [
    `${Math.round(snapshot.eventsPerSecond)} events/s`,
    `p50 ${ms(snapshot.p50Ms)}`,
    `p99 ${ms(snapshot.p99Ms)}`,
    `dead-lettered ${snapshot.deadLetteredTotal}`,
  ].join(' | ');
}
