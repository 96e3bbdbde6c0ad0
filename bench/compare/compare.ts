/**
 * `npm run bench -- --compare`: three contenders, one run, same seeded input, same Kafka, Redis and machine
 * (see contender.ts for what each does). For each contender, in turn:
 *
 *  1. maximum throughput: N events preloaded on fresh topics (12 partitions), the contender drains them
 *     (bounded by --max-seconds); events/s, CPU seconds per 1,000 events, peak RSS; for dmid the per-stage
 *     cost breakdown;
 *  2. latency under open-loop load (`dmid simulate` in its own process) at fixed fractions of that
 *     contender's own maximum: p50/p95/p99/p99.9 from the Kafka timestamp to outputs acknowledged, after a
 *     warm-up that is not counted.
 *
 * Then scale-out (scale-out.ts) with 1 and 2 dmid workers in one group, and a rebalance in mid-run.
 * Writes bench/results/compare-<time>.json, .svg and .png, and prints a summary. Every figure is a
 * ratio measured in this one run: figures on a shared machine drift from run to run.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { topicNames } from '../../src/config.js';
import { createKafkaClient } from '../../src/ingest/kafka-client.js';
import { startInfra } from '../../test/support/infra.js';
import {
  deleteKeys,
  preloadEvents,
  simulateInChild,
  summarize,
  type LatencySummary,
} from '../bench-support.js';
import type { ContenderReport } from './recording.js';
import {
  startContender,
  waitQuiet,
  waitUntil,
  type ContenderProcess,
  type ContenderSpec,
} from './contender-process.js';
import { cpuPer1000, cpuSnapshot, type CpuSnapshot } from './machine-cpu.js';
import { writePlots } from './plots.js';
import { freshKeyPrefix, freshTopics, PARTITIONS, type CompareContext } from './context.js';
import { createProgress } from './progress.js';
import { measureScaleOut, type ScaleOutResult } from './scale-out.js';
import { measureLive, type LiveOptions, type LiveSession } from './live.js';
import { describeLive, spread, summarizeLive } from './live-summary.js';

export interface Throughput {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly cpuSecondsPer1000: number;
  /** CPU seconds per 1,000 events of the Redis server and the Kafka broker on this machine. */
  readonly redisCpuSecondsPer1000: number;
  readonly brokerCpuSecondsPer1000: number;
  readonly peakRssMiB: number;
  /** Records per unit of work, and scores produced per record (see LoadPoint). */
  readonly meanBatchRecords: number;
  readonly scoresPerRecord: number;
  /**
   * dmid only: milliseconds per 1,000 events in each stage (summed over batches), and that stage's share.
   * decode, features and scoring are CPU on the event loop; redis, produce and commit are waits for a
   * reply, which overlap across the partitions handled at once.
   */
  readonly stages?: Record<string, { msPer1000: number; share: number }>;
  /** Records dead-lettered during the measurement, by reason (dmid only). */
  readonly deadLettered: Record<string, number>;
}

export interface LoadPoint extends LatencySummary {
  readonly fraction: number;
  readonly offeredPerSecond: number;
  readonly achievedPerSecond: number;
  readonly cpuSecondsPer1000: number;
  readonly peakRssMiB: number;
  /** Records per unit of work (dmid: partition batches handled together; ceiling: a batch; naive: 1). */
  readonly meanBatchRecords: number;
  /** Scores produced per record (0 for the ceiling, which makes none). */
  readonly scoresPerRecord: number;
}

export interface ContenderResult {
  readonly name: string;
  readonly kind: string;
  readonly scorer: string;
  readonly throughput: Throughput;
  readonly latency: LoadPoint[];
}

function stageBreakdown(report: ContenderReport): Throughput['stages'] {
  const entries = Object.entries(report.stages);
  if (entries.length === 0) return undefined;
  const total = entries.reduce((sum, [, s]) => sum + s, 0);
  return Object.fromEntries(
    entries.map(([stage, seconds]) => [
      stage,
      { msPer1000: (seconds * 1e6) / report.processed, share: total > 0 ? seconds / total : 0 },
    ]),
  );
}

export function throughputOf(report: ContenderReport, others: CpuSnapshot): Throughput {
  const seconds = (report.lastAt - report.firstAt) / 1000;
  return {
    events: report.processed,
    seconds,
    eventsPerSecond: seconds > 0 ? report.processed / seconds : NaN,
    cpuSecondsPer1000: (report.cpuSeconds / report.processed) * 1000,
    redisCpuSecondsPer1000: others.redisSeconds,
    brokerCpuSecondsPer1000: others.brokerSeconds,
    peakRssMiB: report.maxRssBytes / 2 ** 20,
    meanBatchRecords: report.batches > 0 ? report.processed / report.batches : NaN,
    scoresPerRecord: report.scores / report.processed,
    deadLettered: report.deadLettered,
    ...(stageBreakdown(report) === undefined ? {} : { stages: stageBreakdown(report) }),
  };
}

/** A contender on fresh Redis keys and its own group, consuming the topics under `prefix`. */
function startOn(ctx: CompareContext, spec: ContenderSpec, prefix: string): ContenderProcess {
  return startContender(spec, {
    brokers: ctx.brokers,
    redisUrl: ctx.redisUrl,
    topicPrefix: prefix,
    keyPrefix: freshKeyPrefix(ctx),
    groupId: `${prefix}group`,
    ...(ctx.profileDir === undefined ? {} : { profileDir: ctx.profileDir }),
  });
}

async function measureThroughput(
  ctx: CompareContext,
  spec: ContenderSpec,
  events: number,
  maxSeconds: number,
): Promise<Throughput> {
  const prefix = await freshTopics(ctx, spec.kind);
  ctx.progress.set(`${spec.name}: preloading ${events} events`);
  await preloadEvents(ctx.producer, topicNames(prefix), {
    events,
    subjects: ctx.subjects,
    seed: 'bench-compare',
  });
  // Redis and the broker are idle until the contender takes its first records (the backlog is in place).
  const before = await cpuSnapshot(ctx.redis, ctx.brokers);
  const contender = startOn(ctx, spec, prefix);
  try {
    await waitUntil(() => {
      ctx.progress.set(`${spec.name}: maximum throughput, ${contender.processed()}/${events} events`);
      return contender.processed() > 0;
    }, 60_000);
    const started = Date.now();
    await waitUntil(
      () => {
        ctx.progress.set(`${spec.name}: maximum throughput, ${contender.processed()}/${events} events`);
        return contender.processed() >= events || Date.now() - started > maxSeconds * 1000;
      },
      (maxSeconds + 30) * 1000,
    );
    const report = await contender.report();
    return throughputOf(
      report,
      cpuPer1000(before, await cpuSnapshot(ctx.redis, ctx.brokers), report.processed),
    );
  } finally {
    await contender.stop();
  }
}

async function measureLoad(
  ctx: CompareContext,
  spec: ContenderSpec,
  fraction: number,
  offered: number,
  options: { seconds: number; warmupSeconds: number },
): Promise<LoadPoint> {
  const prefix = await freshTopics(ctx, spec.kind);
  const contender = startOn(ctx, spec, prefix);
  try {
    // A few events first, so the load starts once the contender has joined its group and handles records.
    await preloadEvents(ctx.producer, topicNames(prefix), { events: 100, subjects: 100, seed: 'probe' });
    await waitUntil(() => contender.processed() >= 100, 60_000);
    contender.reset();
    const label = `${spec.name}: ${Math.round(fraction * 100)}% load (${offered} events/s)`;
    const startedAt = Date.now();
    const total = options.warmupSeconds + options.seconds;
    const ticker = setInterval(() => {
      const s = Math.min(total, Math.round((Date.now() - startedAt) / 1000));
      ctx.progress.set(`${label}, ${s}/${total} s, ${contender.processed()} events`);
    }, 500);
    try {
      await simulateInChild({
        brokers: ctx.brokers,
        topicPrefix: prefix,
        ratePerSecond: offered,
        durationMs: total * 1000,
        subjects: ctx.subjects,
        seed: 'bench-compare-load',
      });
      await waitQuiet(() => contender.processed(), 2000, 60_000);
    } finally {
      clearInterval(ticker);
    }
    const report = await contender.report();
    const warmupEnd = startedAt + options.warmupSeconds * 1000;
    const counted = report.latenciesMs.filter((_, i) => (report.recordedAt[i] ?? 0) >= warmupEnd);
    const countedRecords = report.recordedAt.filter((at) => at >= warmupEnd).length;
    const countedSeconds = (report.lastAt - warmupEnd) / 1000;
    return {
      fraction,
      offeredPerSecond: offered,
      achievedPerSecond: countedSeconds > 0 ? countedRecords / countedSeconds : NaN,
      ...summarize(counted),
      cpuSecondsPer1000: (report.cpuSeconds / report.processed) * 1000,
      peakRssMiB: report.maxRssBytes / 2 ** 20,
      meanBatchRecords: report.batches > 0 ? report.processed / report.batches : NaN,
      scoresPerRecord: report.scores / report.processed,
    };
  } finally {
    await contender.stop();
  }
}

export interface CompareOptions {
  readonly contenders: readonly ContenderSpec[];
  readonly events: number;
  readonly naiveEvents: number;
  readonly maxSeconds: number;
  readonly fractions: readonly number[];
  /** Offered loads in events/s, instead of fractions: two builds compared at the same load. */
  readonly rates?: readonly number[];
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly subjects: number;
  readonly scaleOut: boolean;
  readonly profileDir?: string;
  /** Repetitions of every contender, interleaved (contender A, B, C, then A, B, C again...). */
  readonly repetitions: number;
  /** Live capacity and fixed-rate latency (live.ts); undefined with --no-live. */
  readonly live: LiveOptions | undefined;
  /** Worker counts of the scale-out. */
  readonly scaleWorkers: readonly number[];
}

async function runContender(
  ctx: CompareContext,
  spec: ContenderSpec,
  options: CompareOptions,
): Promise<ContenderResult> {
  const events = spec.kind === 'naive' ? options.naiveEvents : options.events;
  const throughput = await measureThroughput(ctx, spec, events, options.maxSeconds);
  ctx.progress.log(
    `${spec.name}: ${Math.round(throughput.eventsPerSecond)} events/s, ` +
      `CPU s per 1,000 events: ${throughput.cpuSecondsPer1000.toFixed(3)} own, ` +
      `${throughput.redisCpuSecondsPer1000.toFixed(3)} Redis, ${throughput.brokerCpuSecondsPer1000.toFixed(3)} broker; ` +
      `peak RSS ${throughput.peakRssMiB.toFixed(0)} MiB; ${throughput.meanBatchRecords.toFixed(0)} records per batch, ` +
      `${throughput.scoresPerRecord.toFixed(2)} scores per record`,
  );
  const latency: LoadPoint[] = [];
  const loads =
    options.rates === undefined
      ? options.fractions.map((f) => ({ fraction: f, offered: Math.round(throughput.eventsPerSecond * f) }))
      : options.rates.map((r) => ({ fraction: r / throughput.eventsPerSecond, offered: r }));
  for (const load of loads) {
    const { fraction } = load;
    const offered = Math.max(1, load.offered);
    const point = await measureLoad(ctx, spec, fraction, offered, options);
    ctx.progress.log(
      `${spec.name} at ${Math.round(fraction * 100)}% (${offered}/s): p50 ${Math.round(point.p50Ms)} ms, ` +
        `p99 ${Math.round(point.p99Ms)} ms, p99.9 ${Math.round(point.p999Ms)} ms; ${point.cpuSecondsPer1000.toFixed(3)} CPU s per 1,000, ` +
        `${point.meanBatchRecords.toFixed(0)} records per batch, ${point.scoresPerRecord.toFixed(2)} scores per record`,
    );
    latency.push(point);
  }
  return { name: spec.name, kind: spec.kind, scorer: spec.scorer, throughput, latency };
}

function ratios(results: readonly ContenderResult[]): Record<string, number> {
  const tp = (kind: string, scorer?: string): number =>
    results.find((r) => r.kind === kind && (scorer === undefined || r.scorer === scorer))?.throughput
      .eventsPerSecond ?? NaN;
  const out: Record<string, number> = {};
  for (const scorer of ['rules', 'model']) {
    const dmid = tp('dmid', scorer);
    if (Number.isNaN(dmid)) continue;
    out[`dmid_${scorer}_over_ceiling`] = dmid / tp('ceiling');
    // Against the naive peer running the same scorer (one call per event).
    out[`dmid_${scorer}_over_naive`] = dmid / tp('naive', scorer);
  }
  return out;
}

export interface ContenderRuns {
  readonly spec: ContenderSpec;
  readonly drained: ContenderResult[];
  readonly live: LiveSession[];
}

/** Every contender in turn, `repetitions` times, interleaved so that machine drift hits them alike. */
async function runRepetitions(ctx: CompareContext, options: CompareOptions): Promise<ContenderRuns[]> {
  const runs: ContenderRuns[] = options.contenders.map((spec) => ({ spec, drained: [], live: [] }));
  for (let rep = 1; rep <= options.repetitions; rep++) {
    for (const run of runs) {
      ctx.progress.log(`repetition ${rep}/${options.repetitions}: ${run.spec.name}`);
      run.drained.push(await runContender(ctx, run.spec, options));
      // The naive peer does one event at a time: no live capacity worth a search.
      if (options.live === undefined || run.spec.kind === 'naive') continue;
      const start = run.live.at(-1)?.capacity || options.live.searchStart;
      run.live.push(await measureLive(ctx, run.spec, options.live, start));
    }
  }
  return runs;
}

/** Live capacity of 1..N dmid workers in one group (the model scorer if it ran), one repetition each. */
async function liveScaleOut(ctx: CompareContext, options: CompareOptions, runs: readonly ContenderRuns[]) {
  const dmid = runs.filter((r) => r.spec.kind === 'dmid').at(-1);
  if (options.live === undefined || dmid === undefined) return [];
  const out: { workers: number; capacity: number; probes: LiveSession['probes'] }[] = [];
  const start = spread(dmid.live.map((l) => l.capacity)).median || options.live.searchStart;
  for (const workers of options.scaleWorkers) {
    const session = await measureLive(
      ctx,
      dmid.spec,
      { ...options.live, rates: [] },
      start * workers,
      workers,
    );
    ctx.progress.log(`scale-out live: ${workers} worker(s) ${session.capacity} events/s`);
    out.push({ workers, capacity: session.capacity, probes: session.probes });
  }
  return out;
}

export async function runCompare(options: CompareOptions): Promise<void> {
  const infra = await startInfra();
  const client = createKafkaClient({
    brokers: infra.kafkaBrokers.split(','),
    clientId: 'dmid-bench-compare',
    logLevel: 'error',
  });
  const admin = await client.admin();
  const producer = await client.producer();
  const redis = new Redis(infra.redisUrl);
  const ctx: CompareContext = {
    brokers: infra.kafkaBrokers,
    redisUrl: infra.redisUrl,
    admin,
    producer,
    redis,
    progress: createProgress(),
    subjects: options.subjects,
    runId: randomBytes(3).toString('hex'),
    ...(options.profileDir === undefined ? {} : { profileDir: options.profileDir }),
    made: { topics: [], keyPrefixes: [] },
  };
  const at = new Date().toISOString();
  try {
    const runs = await runRepetitions(ctx, options);
    const results = runs.map((r) => r.drained[0]).filter((r): r is ContenderResult => r !== undefined);
    let scaleOut: ScaleOutResult | undefined;
    if (options.scaleOut) scaleOut = await measureScaleOut(ctx, options.events, options.scaleWorkers);
    const scaleOutLive = options.scaleOut ? await liveScaleOut(ctx, options, runs) : [];
    ctx.progress.done();
    const contenders = runs.map((r) => ({
      name: r.spec.name,
      kind: r.spec.kind,
      scorer: r.spec.scorer,
      draining: spread(r.drained.map((d) => d.throughput.eventsPerSecond)),
      live: r.live.length > 0 ? summarizeLive(r.live) : undefined,
      repetitions: r.drained.map((d, i) => ({ ...d, live: r.live[i] })),
    }));
    for (const c of contenders)
      if (c.live !== undefined) process.stdout.write(`${describeLive(c.name, c.live)}\n`);
    const result = {
      benchmark: 'compare-v2',
      at,
      machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg() },
      setup: {
        partitions: PARTITIONS,
        subjects: options.subjects,
        events: options.events,
        naiveEvents: options.naiveEvents,
        fractions: options.fractions,
        latencySeconds: options.seconds,
        warmupSeconds: options.warmupSeconds,
        repetitions: options.repetitions,
        live: options.live,
        kafka: infra.source,
      },
      ratios: ratios(results),
      contenders,
      scaleOut,
      scaleOutLive,
    };
    const dir = new URL('../results/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    const base = `compare-${at.replace(/[:.]/g, '-')}`;
    writeFileSync(new URL(`${base}.json`, dir), `${JSON.stringify(result, null, 2)}\n`);
    writePlots(dir, base, runs, results);
    process.stdout.write(
      `${JSON.stringify({ draining: contenders.map((c) => [c.name, c.draining]), scaleOut, scaleOutLive: scaleOutLive.map((s) => [s.workers, s.capacity]) }, null, 2)}\n`,
    );
    process.stdout.write(`written to ${new URL(`${base}.json`, dir).pathname} (and .svg, .png)\n`);
  } finally {
    ctx.progress.done();
    await producer.disconnect();
    await admin.deleteTopics(ctx.made.topics).catch(() => undefined);
    await admin.disconnect();
    for (const prefix of ctx.made.keyPrefixes) await deleteKeys(redis, prefix);
    redis.disconnect();
    await infra.stop();
  }
}
