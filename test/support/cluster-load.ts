/**
 * Load and figures for the fault tests: producers that keep publishing new subjects while the test breaks
 * things, retrying a send until the broker acknowledges it, and what the run left behind, counted as the
 * issue asks: acknowledged records lost, events applied twice, scores without their anchor, recovery time.
 */
import type { SignalKind } from '../../src/codec/types.js';
import { goodArrivals, subjectId, T0, type Arrivals } from './evidence-factory.js';
import type { JavaRecord } from './kafka-cluster.js';
import type { TestPipeline } from './pipeline.js';
import { shiftArrivals } from './reason-scenarios.js';

const KINDS: readonly SignalKind[] = ['telecom', 'location', 'biometric', 'registry'];

export interface AckedSubject {
  readonly subject: string;
  readonly arrivals: Arrivals;
  /** When the last of its records was acknowledged, epoch ms. */
  readonly ackedAt: number;
}

export interface Load {
  /** Subjects every record of which the broker acknowledged, in order of acknowledgement. */
  readonly acked: AckedSubject[];
  /** Sends that failed and were tried again. */
  readonly retriedSends: () => number;
  /** Stops publishing; rejects when a send could not be acknowledged within its time. */
  stop(): Promise<void>;
}

export interface LoadOptions {
  /** Concurrent publishers. Default 8. */
  readonly publishers?: number;
  /** Pause between two subjects of one publisher, ms. Default 5. */
  readonly pauseMs?: number;
  /** At most this many subjects in all. Default 1500. */
  readonly maxSubjects?: number;
  /** Give up on a send not acknowledged within this time, ms. Default 45000. */
  readonly sendTimeoutMs?: number;
}

export function eventIdsOf(arrivals: Arrivals): string[] {
  return KINDS.flatMap((kind) => arrivals[kind]?.map((e) => e.eventId) ?? []);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Publishes new subjects, each kind's records sent until acknowledged, until `stop`. */
export function startLoad(pipeline: TestPipeline, options: LoadOptions = {}): Load {
  const acked: AckedSubject[] = [];
  const delta = Date.now() - T0;
  let stopped = false;
  let begun = 0;
  let retried = 0;
  const sendUntilAcked = async (arrivals: Arrivals, kind: SignalKind): Promise<void> => {
    const deadline = Date.now() + (options.sendTimeoutMs ?? 45_000);
    for (;;) {
      try {
        await pipeline.publish({ [kind]: arrivals[kind] });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        retried += 1;
        await sleep(250);
      }
    }
  };
  const publisher = async (): Promise<void> => {
    while (!stopped && begun < (options.maxSubjects ?? 1500)) {
      begun += 1;
      const subject = subjectId();
      const arrivals = shiftArrivals(goodArrivals(), delta, subject);
      for (const kind of KINDS) await sendUntilAcked(arrivals, kind);
      acked.push({ subject, arrivals, ackedAt: Date.now() });
      await sleep(options.pauseMs ?? 5);
    }
  };
  const running = Promise.all(Array.from({ length: options.publishers ?? 8 }, publisher));
  return {
    acked,
    retriedSends: () => retried,
    async stop() {
      stopped = true;
      await running;
    },
  };
}

/** Waits until `count` subjects have been acknowledged, failing after `timeoutMs`. */
export async function ackedAtLeast(load: Load, count: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (load.acked.length < count) {
    if (Date.now() > deadline) throw new Error(`only ${load.acked.length} of ${count} subjects acked`);
    await sleep(50);
  }
}

/** Whether every event of `subject` was applied and that version emitted (scored). */
async function scored(pipeline: TestPipeline, s: AckedSubject): Promise<boolean> {
  const state = await pipeline.store.readState(s.subject);
  const events = eventIdsOf(s.arrivals).length;
  return state.version >= events && state.emittedVersion === state.version;
}

/**
 * Seconds from `since` until the worker scored the first ten subjects acknowledged after it (random keys:
 * most likely on every partition), checked every 100 ms; fails after `timeoutMs`.
 */
export async function recoverySeconds(
  pipeline: TestPipeline,
  load: Load,
  since: number,
  timeoutMs = 60_000,
  gaveUp: () => boolean = () => false,
): Promise<number> {
  const deadline = since + timeoutMs;
  for (;;) {
    if (gaveUp()) throw new Error('the worker is gone');
    const after = load.acked.filter((s) => s.ackedAt > since).slice(0, 10);
    const done = await Promise.all(after.map((s) => scored(pipeline, s)));
    if (after.length === 10 && done.every(Boolean)) return (Date.now() - since) / 1000;
    if (Date.now() > deadline) {
      throw new Error(
        `the worker did not score ten subjects acked after the fault within ${timeoutMs / 1000} s (${after.length} acked, ${done.filter(Boolean).length} scored)`,
      );
    }
    await sleep(100);
  }
}

/** Acknowledged events missing from the input topics, as an independent reader found them. */
export function lostAcked(
  pipeline: TestPipeline,
  acked: readonly AckedSubject[],
  input: readonly JavaRecord[],
): number {
  const present = new Set<string>();
  for (const kind of KINDS) {
    for (const r of input) {
      if (r.topic !== pipeline.topics[kind] || r.value === null) continue;
      present.add(pipeline.codec.decode(kind, r.value).eventId);
    }
  }
  return acked.flatMap((s) => eventIdsOf(s.arrivals)).filter((id) => !present.has(id)).length;
}

export interface StateFigures {
  /** Events applied more than once (state versions above the events sent, or an event held twice). */
  readonly doubled: number;
  /** Subjects not fully scored when the wait ended. */
  readonly unscored: number;
}

/**
 * Waits (at most `timeoutMs`) until every acknowledged subject is scored, then counts events applied
 * twice. Events that never reached the topic leave their subject unscored rather than hang the test.
 */
export async function stateFigures(
  pipeline: TestPipeline,
  acked: readonly AckedSubject[],
  timeoutMs: number,
): Promise<StateFigures> {
  const deadline = Date.now() + timeoutMs;
  let pending = [...acked];
  while (pending.length > 0 && Date.now() < deadline) {
    const done = await Promise.all(pending.map((s) => scored(pipeline, s)));
    pending = pending.filter((_, i) => done[i] !== true);
    if (pending.length > 0) await sleep(250);
  }
  let doubled = 0;
  for (const s of acked) {
    const state = await pipeline.store.readState(s.subject);
    const { telecom, location, biometric, registry } = state.evidence;
    const held = [telecom, location, biometric, registry].flat().map((e) => e.eventId);
    const events = eventIdsOf(s.arrivals).length;
    doubled += Math.max(0, state.version - events) + (held.length - new Set(held).size);
  }
  return { doubled, unscored: pending.length };
}

/** One line for the test output and the report. */
export function figuresLine(name: string, figures: Record<string, number | string>): string {
  const parts = Object.entries(figures).map(([k, v]) => `${k}=${String(v)}`);
  return `fault figures [${name}]: ${parts.join(' ')}`;
}
