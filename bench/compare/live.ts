/**
 * Live capacity of a contender (`npm run bench -- --compare`): one contender process on fresh topics takes
 * an open-loop load (`dmid simulate` in its own process) at fixed rates, then at the rates of a bounded
 * search for the highest rate it sustains with p99 end-to-end latency within the SLO. Every point keeps a
 * per-second latency series (by the second the record was handled), so that a stall, a few seconds in which
 * a share of the events is held back, shows in the JSON and in the plot instead of vanishing into a p99.
 *
 * One process serves all the points of a session (a start costs seconds of CPU on this machine, and a
 * running worker is what a region has); between points the backlog of the last one is drained first.
 */
import { topicNames } from '../../src/config.js';
import {
  percentile,
  preloadEvents,
  simulateInChild,
  summarize,
  type LatencySummary,
} from '../bench-support.js';
import type { ContenderReport } from './recording.js';
import { startContender, waitQuiet, waitUntil, type ContenderSpec } from './contender-process.js';
import { freshKeyPrefix, freshTopics, type CompareContext } from './context.js';
import { cpuPer1000, cpuSnapshot } from './machine-cpu.js';

export interface SecondOfLatency {
  /** Seconds since the load started (the second in which these records were handled). */
  readonly s: number;
  readonly events: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface LivePoint extends LatencySummary {
  readonly offeredPerSecond: number;
  readonly achievedPerSecond: number;
  /** Events counted (after the warm-up) against events offered in that time: < 1 means some never came. */
  readonly countedShare: number;
  /** p99 within the SLO, and the offered rate taken (achieved ≥ 95% of offered, every event handled). */
  readonly sustained: boolean;
  readonly cpuSecondsPer1000: number;
  readonly redisCpuSecondsPer1000: number;
  readonly brokerCpuSecondsPer1000: number;
  readonly peakRssMiB: number;
  readonly meanBatchRecords: number;
  readonly scoresPerRecord: number;
  readonly series: SecondOfLatency[];
}

export interface LiveOptions {
  /** Fixed offered rates, events/s (the 1,000, 2,000 and 5,000). */
  readonly rates: readonly number[];
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** p99 bound of the live capacity, ms. */
  readonly sloMs: number;
  /** Search: first rate, highest rate tried, probes at most, and each probe's seconds. */
  readonly searchStart: number;
  readonly searchMax: number;
  readonly searchProbes: number;
  readonly searchSeconds: number;
}

export interface LiveSession {
  readonly fixed: LivePoint[];
  /** Highest rate sustained (0 if none was), and every probe of the search in the order tried. */
  readonly capacity: number;
  readonly probes: LivePoint[];
}

/** Latency per second of handling, from `startedAt`. */
export function perSecond(report: ContenderReport, startedAt: number): SecondOfLatency[] {
  const buckets = new Map<number, number[]>();
  report.recordedAt.forEach((at, i) => {
    const s = Math.floor((at - startedAt) / 1000);
    const bucket = buckets.get(s) ?? [];
    bucket.push(report.latenciesMs[i] ?? NaN);
    buckets.set(s, bucket);
  });
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([s, values]) => {
      const sorted = values.sort((a, b) => a - b);
      return {
        s,
        events: sorted.length,
        p50Ms: percentile(sorted, 50),
        p99Ms: percentile(sorted, 99),
        maxMs: sorted.at(-1) ?? NaN,
      };
    });
}

type Session = ReturnType<typeof startContender>;

/** Several worker processes of one group read as one contender: latencies joined, CPU summed, RSS the
 * largest of one process (the floor is per worker). */
function group(procs: readonly Session[]): {
  processed(): number;
  reset(): void;
  report(): Promise<ContenderReport>;
} {
  return {
    processed: () => procs.reduce((sum, p) => sum + p.processed(), 0),
    reset: () => procs.forEach((p) => p.reset()),
    async report() {
      const reports = await Promise.all(procs.map((p) => p.report()));
      const first = reports[0];
      if (first === undefined || reports.length === 1) return first as ContenderReport;
      const started = reports.filter((r) => r.firstAt > 0);
      return {
        ...first,
        processed: reports.reduce((sum, r) => sum + r.processed, 0),
        firstAt: Math.min(...started.map((r) => r.firstAt)),
        lastAt: Math.max(...reports.map((r) => r.lastAt)),
        latenciesMs: reports.flatMap((r) => r.latenciesMs),
        recordedAt: reports.flatMap((r) => r.recordedAt),
        cpuSeconds: reports.reduce((sum, r) => sum + r.cpuSeconds, 0),
        maxRssBytes: Math.max(...reports.map((r) => r.maxRssBytes)),
        batches: reports.reduce((sum, r) => sum + r.batches, 0),
        scores: reports.reduce((sum, r) => sum + r.scores, 0),
      };
    },
  };
}

async function loadPoint(
  ctx: CompareContext,
  spec: ContenderSpec,
  contender: ReturnType<typeof group>,
  prefix: string,
  offered: number,
  timing: { seconds: number; warmupSeconds: number; sloMs: number },
): Promise<LivePoint> {
  await waitQuiet(() => contender.processed(), 1000, 60_000);
  contender.reset();
  const before = await cpuSnapshot(ctx.redis, ctx.brokers);
  const total = timing.warmupSeconds + timing.seconds;
  const startedAt = Date.now();
  const ticker = setInterval(() => {
    const s = Math.min(total, Math.round((Date.now() - startedAt) / 1000));
    ctx.progress.set(
      `${spec.name}: live ${offered} events/s, ${s}/${total} s, ${contender.processed()} events`,
    );
  }, 500);
  try {
    await simulateInChild({
      brokers: ctx.brokers,
      topicPrefix: prefix,
      ratePerSecond: offered,
      durationMs: total * 1000,
      subjects: ctx.subjects,
      seed: `bench-live-${offered}-${startedAt}`,
    });
    await waitQuiet(() => contender.processed(), 1500, 60_000);
  } finally {
    clearInterval(ticker);
  }
  const report = await contender.report();
  const others = cpuPer1000(before, await cpuSnapshot(ctx.redis, ctx.brokers), report.processed);
  // The load starts when its first event arrives (the simulator's own start takes seconds here).
  const loadStart = report.firstAt > 0 ? report.firstAt : startedAt;
  const warmupEnd = loadStart + timing.warmupSeconds * 1000;
  const counted = report.latenciesMs.filter((_, i) => (report.recordedAt[i] ?? 0) >= warmupEnd);
  const countedSeconds = (report.lastAt - warmupEnd) / 1000;
  const summary = summarize(counted);
  const countedShare = counted.length / (offered * timing.seconds);
  const achieved = countedSeconds > 0 ? counted.length / countedSeconds : NaN;
  return {
    offeredPerSecond: offered,
    achievedPerSecond: achieved,
    countedShare,
    sustained: summary.p99Ms <= timing.sloMs && achieved >= 0.95 * offered && countedShare >= 0.95,
    ...summary,
    cpuSecondsPer1000: (report.cpuSeconds / report.processed) * 1000,
    redisCpuSecondsPer1000: others.redisSeconds,
    brokerCpuSecondsPer1000: others.brokerSeconds,
    peakRssMiB: report.maxRssBytes / 2 ** 20,
    meanBatchRecords: report.batches > 0 ? report.processed / report.batches : NaN,
    scoresPerRecord: report.scores / report.processed,
    series: perSecond(report, loadStart),
  };
}

const roundRate = (r: number): number => Math.max(100, Math.round(r / 100) * 100);

/**
 * The next rate of the bounded search: double until a rate fails (at most `max`), then bisect between the
 * highest rate sustained and the lowest failed; undefined once they are within 10% (or `max` passed).
 */
export function nextRate(lo: number, hi: number, max: number): number | undefined {
  if (!Number.isFinite(hi)) return lo >= max ? undefined : roundRate(Math.min(max, lo * 2));
  if (hi - lo <= Math.max(100, 0.1 * lo)) return undefined;
  return roundRate(lo === 0 ? hi / 2 : (lo + hi) / 2);
}

function describe(spec: ContenderSpec, p: LivePoint): string {
  return (
    `${spec.name} live ${p.offeredPerSecond}/s: p50 ${Math.round(p.p50Ms)}, p99 ${Math.round(p.p99Ms)}, ` +
    `p99.9 ${Math.round(p.p999Ms)}, max ${Math.round(p.maxMs)} ms; achieved ${Math.round(p.achievedPerSecond)}/s; ` +
    `${p.cpuSecondsPer1000.toFixed(3)}+${p.redisCpuSecondsPer1000.toFixed(3)}+${p.brokerCpuSecondsPer1000.toFixed(3)} CPU s/1,000; ` +
    `${p.meanBatchRecords.toFixed(0)} records/unit; ${p.sustained ? 'sustained' : 'NOT sustained'}`
  );
}

/** Waits until every process handles records: probe events until each has some. */
async function joinAll(ctx: CompareContext, spec: ContenderSpec, prefix: string, procs: Session[]) {
  const deadline = Date.now() + 90_000;
  while (!procs.every((p) => p.processed() > 0)) {
    if (Date.now() > deadline) throw new Error(`${spec.name}: a worker handled no probe event within 90 s`);
    ctx.progress.set(`${spec.name}: waiting for ${procs.length} process(es) to handle records`);
    await preloadEvents(ctx.producer, topicNames(prefix), { events: 200, subjects: 200, seed: 'probe' });
    await waitUntil(() => procs.every((p) => p.processed() > 0), 3000);
  }
}

/**
 * Fixed rates, then the capacity search starting at `start` (a previous repetition's result, if any), with
 * `workers` processes in one group (scale-out; 1 for the side-by-side contenders).
 */
export async function measureLive(
  ctx: CompareContext,
  spec: ContenderSpec,
  options: LiveOptions,
  start: number,
  workers = 1,
): Promise<LiveSession> {
  const prefix = await freshTopics(ctx, `live-${spec.kind}`);
  const keyPrefix = freshKeyPrefix(ctx);
  const procs = Array.from({ length: workers }, () =>
    startContender(spec, {
      brokers: ctx.brokers,
      redisUrl: ctx.redisUrl,
      topicPrefix: prefix,
      keyPrefix,
      groupId: `${prefix}group`,
      ...(ctx.profileDir === undefined ? {} : { profileDir: ctx.profileDir }),
    }),
  );
  const contender = group(procs);
  try {
    await joinAll(ctx, spec, prefix, procs);
    const fixed: LivePoint[] = [];
    for (const rate of options.rates) {
      const point = await loadPoint(ctx, spec, contender, prefix, rate, options);
      ctx.progress.log(describe(spec, point));
      fixed.push(point);
    }
    const probes: LivePoint[] = [];
    const timing = { ...options, seconds: options.searchSeconds };
    let lo = 0;
    let hi = Infinity;
    let rate: number | undefined = roundRate(start);
    while (rate !== undefined && probes.length < options.searchProbes) {
      const point = await loadPoint(ctx, spec, contender, prefix, rate, timing);
      ctx.progress.log(`${describe(spec, point)} (search)`);
      probes.push(point);
      if (point.sustained) lo = Math.max(lo, rate);
      else hi = Math.min(hi, rate);
      rate = nextRate(lo, hi, options.searchMax);
    }
    return { fixed, capacity: lo, probes };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}
