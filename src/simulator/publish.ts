/**
 * Publishing a simulated stream in real time: a token bucket paces records at a rate, a tick at a time,
 * in batches per topic, to a sink (Kafka through the CLI, or the embedded in-process log). Bounded by a
 * count, a duration and an abort signal, whichever comes first.
 *
 * Every iteration sleeps at least a millisecond, so the loop never spins; and no event is handed out
 * before its simulated time (`at`) has come on the clock, because a provider cannot report what it has
 * not yet observed, and so that `observedAt` of a live stream is never ahead of the wall clock.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createCodec, type Codec } from '../codec/codec.js';
import { SIGNAL_KINDS, type SignalKind } from '../codec/types.js';
import { encodeEvent, type SimulatedRecord } from './encode.js';
import type { SimulatedEvent } from './events.js';

/**
 * Where records go: one call per topic kind per tick, awaited before the next tick (backpressure).
 * A sink written for `SignalKind | 'raw-bad'` fits too: every bad record here has a real topic kind,
 * because undecodable bytes must land on the topic of the kind they were cut from to be dead-lettered
 * for their own reason (decoding checks the writer's type against the topic before the body).
 */
export type SimulatorSink = (topicKind: SignalKind, records: readonly SimulatedRecord[]) => Promise<void>;

/** Time for the publisher: the real clock, or a fake one in tests. */
export interface PublishClock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` milliseconds; rejects (any error) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const REAL_CLOCK: PublishClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, undefined, signal === undefined ? {} : { signal }),
};

export interface PublishProgress {
  /** Records handed to the sink so far (bad ones included). */
  readonly sent: number;
  /** Of those, deliberately bad records. */
  readonly bad: number;
  readonly elapsedMs: number;
  /** Average rate since the start, records per second. */
  readonly ratePerSecond: number;
  readonly done: boolean;
}

export interface PublishOptions {
  readonly stream: Iterable<SimulatedEvent>;
  readonly sink: SimulatorSink;
  /** Records per second, > 0. */
  readonly ratePerSecond: number;
  /** Stop after exactly this many records. Default: no limit. */
  readonly count?: number;
  /** Stop after this many milliseconds. Default: no limit. */
  readonly durationMs?: number;
  /** Stop (after the batch in flight) when aborted. */
  readonly signal?: AbortSignal;
  /** Default: the contract codec. */
  readonly codec?: Codec;
  /** Default: the real clock. */
  readonly clock?: PublishClock;
  /** Time between batches, ms. Default 10. */
  readonly tickMs?: number;
  /**
   * Most time's worth of tokens the bucket holds, ms: how far it catches up after a stall (a GC pause, a
   * slow produce request). Default 1000: a second's backlog is made up within the next ticks, so a
   * live stream's observedAt keeps up with the wall clock; longer stalls lower the rate for good.
   */
  readonly burstMs?: number;
  /** Never hand out an event before the clock reaches its time (`at`). Default true. */
  readonly holdUntilObserved?: boolean;
  /** Called about every `progressIntervalMs` and once at the end. */
  readonly onProgress?: (progress: PublishProgress) => void;
  /** Default 1000 ms. */
  readonly progressIntervalMs?: number;
}

export interface PublishResult extends Omit<PublishProgress, 'done'> {
  readonly byTopicKind: Readonly<Record<SignalKind, number>>;
  readonly stoppedBy: 'count' | 'duration' | 'signal' | 'stream-end';
}

function validate(o: PublishOptions): void {
  const bad = (message: string): never => {
    throw new RangeError(`publish: ${message}`);
  };
  if (!(Number.isFinite(o.ratePerSecond) && o.ratePerSecond > 0)) bad('ratePerSecond must be > 0');
  if (o.count !== undefined && !(Number.isInteger(o.count) && o.count >= 0))
    bad('count must be an integer >= 0');
  if (o.durationMs !== undefined && !(o.durationMs >= 0)) bad('durationMs must be >= 0');
  if (o.tickMs !== undefined && !(o.tickMs >= 1)) bad('tickMs must be >= 1');
  if (o.burstMs !== undefined && !(o.burstMs > 0)) bad('burstMs must be > 0');
}

/** The events the stream has ready: a one-event look-ahead, so an event held back is not lost. */
class Source {
  private readonly iterator: Iterator<SimulatedEvent>;
  private pending: SimulatedEvent | undefined;
  exhausted = false;

  constructor(stream: Iterable<SimulatedEvent>) {
    this.iterator = stream[Symbol.iterator]();
  }

  /** Up to `n` events due by `now` (all of them when `hold` is off). */
  take(n: number, now: number, hold: boolean): SimulatedEvent[] {
    const out: SimulatedEvent[] = [];
    while (out.length < n) {
      if (this.pending === undefined) {
        const next = this.iterator.next();
        if (next.done === true) {
          this.exhausted = true;
          break;
        }
        this.pending = next.value;
      }
      if (hold && this.pending.at > now) break;
      out.push(this.pending);
      this.pending = undefined;
    }
    return out;
  }
}

interface Tally {
  sent: number;
  bad: number;
  readonly byTopicKind: Record<SignalKind, number>;
}

/** Encodes a batch, groups it by topic kind and hands each group to the sink. */
async function deliver(
  batch: readonly SimulatedEvent[],
  codec: Codec,
  sink: SimulatorSink,
  tally: Tally,
): Promise<void> {
  const groups = new Map<SignalKind, SimulatedRecord[]>(SIGNAL_KINDS.map((k) => [k, []]));
  for (const event of batch) {
    const { topicKind, record } = encodeEvent(codec, event);
    groups.get(topicKind)?.push(record);
    if (!event.valid) tally.bad += 1;
  }
  const calls = [...groups]
    .filter(([, records]) => records.length > 0)
    .map(([kind, records]) => sink(kind, records));
  // Every call is awaited before failing, so none is still writing when the caller closes the sink.
  const results = await Promise.allSettled(calls);
  for (const result of results) if (result.status === 'rejected') throw result.reason;
  for (const [kind, records] of groups) tally.byTopicKind[kind] += records.length;
  tally.sent += batch.length;
}

function progressOf(tally: Tally, elapsedMs: number, done: boolean): PublishProgress {
  const ratePerSecond = elapsedMs > 0 ? (tally.sent * 1000) / elapsedMs : 0;
  return { sent: tally.sent, bad: tally.bad, elapsedMs, ratePerSecond, done };
}

/**
 * Publishes until `count` records were sent, `durationMs` passed, `signal` aborted or the stream ended.
 * Rejects with the sink's error if a delivery fails (records of that tick may be partly delivered).
 */
export async function publish(options: PublishOptions): Promise<PublishResult> {
  validate(options);
  const clock = options.clock ?? REAL_CLOCK;
  const codec = options.codec ?? createCodec();
  const tickMs = options.tickMs ?? 10;
  const capacity = Math.max(1, (options.ratePerSecond * (options.burstMs ?? 1000)) / 1000);
  const hold = options.holdUntilObserved ?? true;
  const progressEvery = options.progressIntervalMs ?? 1000;
  const source = new Source(options.stream);
  const tally: Tally = {
    sent: 0,
    bad: 0,
    byTopicKind: { telecom: 0, location: 0, biometric: 0, registry: 0 },
  };
  const start = clock.now();
  let refilledAt = start;
  let reportedAt = start;
  let tokens = 0;
  let stoppedBy: PublishResult['stoppedBy'] | undefined;
  while (stoppedBy === undefined) {
    const now = clock.now();
    stoppedBy = stopReason(options, tally, source, now - start);
    if (stoppedBy !== undefined) break;
    tokens = Math.min(capacity, tokens + ((now - refilledAt) * options.ratePerSecond) / 1000);
    refilledAt = now;
    const room = options.count === undefined ? Infinity : options.count - tally.sent;
    const batch = source.take(Math.min(Math.floor(tokens), room), now, hold);
    tokens -= batch.length;
    if (batch.length > 0) await deliver(batch, codec, options.sink, tally);
    if (options.onProgress !== undefined && clock.now() - reportedAt >= progressEvery) {
      reportedAt = clock.now();
      options.onProgress(progressOf(tally, reportedAt - start, false));
    }
    stoppedBy = stopReason(options, tally, source, clock.now() - start);
    if (
      stoppedBy === undefined &&
      !(await pause(clock, Math.max(1, tickMs - (clock.now() - now)), options.signal))
    ) {
      stoppedBy = 'signal';
    }
  }
  const elapsedMs = clock.now() - start;
  options.onProgress?.(progressOf(tally, elapsedMs, true));
  return { ...progressOf(tally, elapsedMs, true), byTopicKind: tally.byTopicKind, stoppedBy };
}

function stopReason(
  options: PublishOptions,
  tally: Tally,
  source: Source,
  elapsedMs: number,
): PublishResult['stoppedBy'] | undefined {
  if (options.count !== undefined && tally.sent >= options.count) return 'count';
  if (source.exhausted) return 'stream-end';
  if (options.signal?.aborted === true) return 'signal';
  if (options.durationMs !== undefined && elapsedMs >= options.durationMs) return 'duration';
  return undefined;
}

/** Sleeps; false when the signal aborted the sleep. */
async function pause(clock: PublishClock, ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    await clock.sleep(ms, signal);
    return true;
  } catch (error) {
    if (signal?.aborted === true) return false;
    throw error;
  }
}
