/**
 * The score API wired for tests: the in-memory state store on a fake clock, private metrics, a settable
 * readiness, and a logger whose lines are kept so that tests can check what was (not) logged.
 */
import { toIdentityScore } from '../../src/scoring/batch-scoring.js';
import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import { pino } from 'pino';
import { createMetrics, type DmidMetrics } from '../../src/api/metrics.js';
import type { ReadinessReport, ReadinessSource } from '../../src/api/readiness.js';
import { createApiServer, type ApiServer, type ApiServerOptions } from '../../src/api/server.js';
import type { IdentityScore } from '../../src/codec/types.js';
import { DEFAULT_HALF_LIVES_MS } from '../../src/scoring/decay.js';
import { createMemoryStore } from '../../src/state/memory-store.js';
import type { Scorer } from '../../src/scoring/scorer.js';
import type { StateStore } from '../../src/state/state-store.js';
import { goodArrivals, scoreOf, subjectId, T0, type Arrivals } from './evidence-factory.js';

export interface ApiHarness {
  readonly server: ApiServer;
  readonly store: StateStore;
  readonly metrics: DmidMetrics;
  /** Every log line written so far, parsed. */
  readonly logs: () => Record<string, unknown>[];
  /** Every log line written, as text. */
  readonly logText: () => string;
  /** The fake clock, epoch ms; starts at T0. */
  readonly clock: { now: number };
  /** Replaces what `readiness()` returns. */
  setReadiness(source: ReadinessSource): void;
}

export interface HarnessOptions extends Partial<
  Pick<ApiServerOptions, 'storeTimeoutMs' | 'readinessTimeoutMs'>
> {
  /** Another store than the in-memory one (to script failures). */
  readonly store?: Pick<StateStore, 'readScore'>;
  /** Seconds a cached score lives in the in-memory store. */
  readonly scoreTtlSeconds?: number;
}

export const READY: ReadinessReport = {
  ready: true,
  checks: { kafka: { ok: true }, redis: { ok: true }, consumption: { ok: true } },
};

/** Builds the API on fresh dependencies and closes it when the test ends. */
export function apiHarness(t: TestContext, options: HarnessOptions = {}): ApiHarness {
  const clock = { now: T0 };
  const memory = createMemoryStore({
    now: () => clock.now,
    ...(options.scoreTtlSeconds === undefined ? {} : { scoreTtlSeconds: options.scoreTtlSeconds }),
  });
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  const metrics = createMetrics();
  let readiness: ReadinessSource = () => READY;
  const server = createApiServer({
    store: options.store ?? memory,
    metrics,
    readiness: () => readiness(),
    halfLives: DEFAULT_HALF_LIVES_MS,
    logger,
    now: () => clock.now,
    ...(options.storeTimeoutMs === undefined ? {} : { storeTimeoutMs: options.storeTimeoutMs }),
    ...(options.readinessTimeoutMs === undefined ? {} : { readinessTimeoutMs: options.readinessTimeoutMs }),
  });
  t.after(() => server.close());
  t.after(() => memory.close());
  return {
    server,
    store: memory,
    metrics,
    logs: () => lines.map(parseLine),
    logText: () => lines.join(''),
    clock,
    setReadiness: (source) => {
      readiness = source;
    },
  };
}

function parseLine(line: string): Record<string, unknown> {
  const value: unknown = JSON.parse(line);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('not a log object');
  return Object.fromEntries(Object.entries(value));
}

/** A rules score of a good subject, computed at `atMs` (default T0), as the pipeline caches it. */
export function identityScore(
  subject: string = subjectId(),
  atMs = T0,
  arrivals: Arrivals = goodArrivals(),
  scorer?: Scorer,
): IdentityScore {
  return toIdentityScore({ ...scoreOf(arrivals, atMs, scorer), subjectId: subject }, randomUUID());
}

/** Caches a score of a new subject in the harness's store; returns it. */
export async function cacheScore(harness: ApiHarness, atMs = T0, scorer?: Scorer): Promise<IdentityScore> {
  const score = identityScore(subjectId(), atMs, goodArrivals(), scorer);
  await harness.store.saveScores([{ version: 1, score }]);
  return score;
}
