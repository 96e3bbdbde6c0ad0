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
import { parseArgs } from 'node:util';
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
import { latencyPlotSvg, svgToPng } from './plot.js';
import { freshKeyPrefix, freshTopics, PARTITIONS, type CompareContext } from './context.js';
import { createProgress } from './progress.js';
import { measureScaleOut, type ScaleOutResult } from './scale-out.js';

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
  const before = await cpuSnapshot(ctx.redis);
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
    return throughputOf(report, cpuPer1000(before, await cpuSnapshot(ctx.redis), report.processed));
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
    const results: ContenderResult[] = [];
    for (const spec of options.contenders) results.push(await runContender(ctx, spec, options));
    let scaleOut: ScaleOutResult | undefined;
    if (options.scaleOut) scaleOut = await measureScaleOut(ctx, options.events);
    ctx.progress.done();
    const result = {
      benchmark: 'compare-v1',
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
        kafka: infra.source,
      },
      ratios: ratios(results),
      contenders: results,
      scaleOut,
    };
    const dir = new URL('../results/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    const base = `compare-${at.replace(/[:.]/g, '-')}`;
    writeFileSync(new URL(`${base}.json`, dir), `${JSON.stringify(result, null, 2)}\n`);
    const series = results
      .map((r) => ({ name: r.name, points: r.latency }))
      .filter((r) => r.points.length > 0);
    if (series.length > 0) {
      const svg = latencyPlotSvg(`Latency against offered load (${PARTITIONS} partitions, one run)`, series);
      writeFileSync(new URL(`${base}.svg`, dir), svg);
      writeFileSync(new URL(`${base}.png`, dir), svgToPng(svg));
    }
    process.stdout.write(`${JSON.stringify({ ratios: result.ratios, scaleOut }, null, 2)}\n`);
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

export function parseCompareArgs(argv: readonly string[]): CompareOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      compare: { type: 'boolean' },
      events: { type: 'string', default: '100000' },
      'naive-events': { type: 'string', default: '10000' },
      'max-seconds': { type: 'string', default: '20' },
      fractions: { type: 'string', default: '0.25,0.5,0.75' },
      rates: { type: 'string' },
      seconds: { type: 'string', default: '15' },
      warmup: { type: 'string', default: '5' },
      subjects: { type: 'string', default: '20000' },
      model: { type: 'boolean', default: false },
      'no-scale-out': { type: 'boolean', default: false },
      only: { type: 'string' },
      profile: { type: 'string' },
    },
  });
  const all: ContenderSpec[] = [
    { name: 'ceiling', kind: 'ceiling', scorer: 'rules' },
    { name: 'naive peer (rules)', kind: 'naive', scorer: 'rules' },
    { name: 'dmid (rules)', kind: 'dmid', scorer: 'rules' },
  ];
  if (values.model) {
    // The naive peer with the model predicts once per event: the comparison the issue asks for.
    all.splice(2, 0, { name: 'naive peer (model)', kind: 'naive', scorer: 'model' });
    all.push({ name: 'dmid (model)', kind: 'dmid', scorer: 'model' });
  }
  const only = values.only?.split(',');
  return {
    contenders: only === undefined ? all : all.filter((c) => only.includes(c.kind)),
    events: Number(values.events),
    naiveEvents: Number(values['naive-events']),
    maxSeconds: Number(values['max-seconds']),
    fractions: (values.fractions ?? '')
      .split(',')
      .map(Number)
      .filter((f) => f > 0),
    ...(values.rates === undefined
      ? {}
      : {
          rates: values.rates
            .split(',')
            .map(Number)
            .filter((r) => r > 0),
        }),
    seconds: Number(values.seconds),
    warmupSeconds: Number(values.warmup),
    subjects: Number(values.subjects),
    scaleOut: !values['no-scale-out'],
    ...(values.profile === undefined ? {} : { profileDir: values.profile }),
  };
}
