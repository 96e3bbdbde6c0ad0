/**
 * Benchmark v0 (`npm run bench`): one worker on a real Kafka broker and Redis on this machine.
 *
 *  1. throughput: N simulated events are produced first, then one worker drains them; events/s is
 *     N over the time from its first batch to its last.
 *  2. latency: the simulator publishes at a fixed rate (open loop, paced by the clock, not by the worker)
 *     for a fixed time while the worker runs; percentiles of the time from each record's Kafka timestamp
 *     to its batch's outputs (scores, anchors, dead letters) being acknowledged.
 *
 *     The first --warmup seconds of the load are not counted (the load generator's own start-up and JIT
 *     share these 2 cores with the worker); their p99 is reported apart, as `latency.warmup`.
 *
 * Options: --events N (default 100000), --rate N (default 2000), --seconds N (default 30), --warmup N (default 5),
 * --subjects N (default 20000), --concurrency N (partitions handled at once, default 48), --scorer model|rules
 * (default model, the shipped default). Writes bench/results/<timestamp>.json and prints a summary.
 * Infra: DMID_KAFKA_BROKERS / DMID_REDIS_URL if set, else the local scripts (as the tests do).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { Redis } from 'ioredis';
import { createCodec } from '../src/codec/codec.js';
import { allTopics, topicNames } from '../src/config.js';
import { createKafkaClient } from '../src/ingest/kafka-client.js';
import { createKafkaTransport } from '../src/ingest/kafka-transport.js';
import { ensureTopics } from '../src/ingest/topics.js';
import { createWorker, type WorkerMetrics } from '../src/ingest/worker.js';
import { modelVersionOf } from '../src/scoring/scorer.js';
import { createRedisStore } from '../src/state/redis-store.js';
import { startInfra } from '../test/support/infra.js';
import { deleteKeys, percentile, preloadEvents, simulateInChild, summarize } from './bench-support.js';
import { parseCompareArgs } from './compare/args.js';
import { runCompare } from './compare/compare.js';
import { createScorerByName, isScorerName, SCORER_NAMES } from './compare/scorers.js';

// `npm run bench -- --compare`: the side-by-side benchmark (bench/compare/) instead of benchmark v0.
if (process.argv.includes('--compare')) {
  await runCompare(parseCompareArgs(process.argv.slice(2)));
  process.exit(0);
}

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    subjects: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '48' },
    scorer: { type: 'string', default: 'model' },
  },
});
const EVENTS = Number(values.events);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const WARMUP_SECONDS = Number(values.warmup);
const SUBJECTS = Number(values.subjects);
const CONCURRENCY = Number(values.concurrency);
const PARTITIONS = 12;
const SCORER = values.scorer ?? 'model';
if (!isScorerName(SCORER)) throw new Error(`--scorer ${SCORER}: use ${SCORER_NAMES.join(' or ')}`);

interface Recorder extends WorkerMetrics {
  /** Records of batches fully handled (outputs acknowledged). */
  completedCount: number;
  firstBatchAt: number;
  lastBatchAt: number;
  latenciesMs: number[];
  /** When each latency was recorded (performance.now()), parallel to latenciesMs. */
  recordedAt: number[];
  reset(): void;
}

function recorder(): Recorder {
  const r: Recorder = {
    completedCount: 0,
    firstBatchAt: 0,
    lastBatchAt: 0,
    latenciesMs: [],
    recordedAt: [],
    reset() {
      r.completedCount = 0;
      r.firstBatchAt = 0;
      r.lastBatchAt = 0;
      r.latenciesMs = [];
      r.recordedAt = [];
    },
    consumed() {
      if (r.firstBatchAt === 0) r.firstBatchAt = performance.now();
    },
    deadLettered: () => undefined,
    scoresEmitted: () => undefined,
    endToEnd(_observed, ingestSeconds) {
      r.latenciesMs.push(ingestSeconds * 1000);
      r.recordedAt.push(performance.now());
    },
    batch(size) {
      r.completedCount += size;
      r.lastBatchAt = performance.now();
    },
    stage: () => undefined,
    lag: () => undefined,
    paused: () => undefined,
  };
  return r;
}

/**
 * p99 and max per second of the run (by the time each batch completed), so a tail that comes from one
 * stall (a GC pause, the load generator starting) can be told from one that is spread over the run.
 */
function timeline(r: Recorder): { second: number; events: number; p99Ms: number; maxMs: number }[] {
  const start = r.recordedAt[0] ?? 0;
  const buckets: number[][] = [];
  r.recordedAt.forEach((at, i) => {
    const second = Math.floor((at - start) / 1000);
    (buckets[second] ??= []).push(r.latenciesMs[i] ?? NaN);
  });
  return buckets.map((bucket, second) => {
    const sorted = [...bucket].sort((a, b) => a - b);
    const maxMs = sorted.at(-1) ?? NaN;
    return { second, events: sorted.length, p99Ms: percentile(sorted, 99), maxMs };
  });
}

async function main(): Promise<void> {
  const infra = await startInfra();
  const brokers = infra.kafkaBrokers.split(',');
  const prefix = `bench-${randomBytes(4).toString('hex')}.`;
  const topics = topicNames(prefix);
  const client = createKafkaClient({ brokers, clientId: 'dmid-bench', logLevel: 'error' });
  const admin = await client.admin();
  await ensureTopics(
    admin,
    allTopics(topics).map((name) => ({ name, partitions: PARTITIONS, replicationFactor: 1 })),
  );
  const producer = await client.producer();
  const redis = new Redis(infra.redisUrl);
  const keyPrefix = `bench:${randomBytes(4).toString('hex')}:`;
  const store = createRedisStore({ redis, keyPrefix });
  const metrics = recorder();
  const groupId = `dmid-bench-${randomBytes(4).toString('hex')}`;
  try {
    await preloadEvents(producer, topics, {
      events: EVENTS,
      subjects: SUBJECTS,
      seed: 'bench-throughput',
      onProgress: (n) => process.stderr.write(`\rpreloaded ${n}/${EVENTS}${n === EVENTS ? '\n' : ''}`),
    });
    const scorer = await createScorerByName(SCORER);
    const worker = createWorker({
      transport: createKafkaTransport({ client, groupId, partitionsConsumedConcurrently: CONCURRENCY }),
      store,
      scorer,
      codec: createCodec(),
      metrics,
      logger: pino({ level: 'warn' }),
      topics,
      groupId,
      validation: { maxFutureSkewMs: 300_000 },
    });
    const running = worker.run();
    const deadline = Date.now() + 300_000;
    while (metrics.completedCount < EVENTS && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const seconds = (metrics.lastBatchAt - metrics.firstBatchAt) / 1000;
    const throughput = {
      events: metrics.completedCount,
      seconds,
      eventsPerSecond: metrics.completedCount / seconds,
    };
    process.stderr.write(
      `throughput: ${Math.round(throughput.eventsPerSecond)} events/s over ${seconds.toFixed(1)} s\n`,
    );

    metrics.reset();
    // The load comes from another process (`dmid simulate`), as it would from providers: a generator in
    // this process would compete with the worker for its event loop.
    await simulateInChild({
      brokers: infra.kafkaBrokers,
      topicPrefix: prefix,
      ratePerSecond: RATE,
      durationMs: (WARMUP_SECONDS + SECONDS) * 1000,
      subjects: SUBJECTS,
      seed: 'bench-latency',
      verbose: true,
    });
    await new Promise((r) => setTimeout(r, 2000));
    const warmupEnd = (metrics.recordedAt[0] ?? 0) + WARMUP_SECONDS * 1000;
    const counted: number[] = [];
    const warm: number[] = [];
    metrics.latenciesMs.forEach((ms, i) =>
      ((metrics.recordedAt[i] ?? 0) < warmupEnd ? warm : counted).push(ms),
    );
    warm.sort((a, b) => a - b);
    const latency = {
      offeredEventsPerSecond: RATE,
      seconds: SECONDS,
      ...summarize(counted),
      warmup: {
        seconds: WARMUP_SECONDS,
        events: warm.length,
        p99Ms: percentile(warm, 99),
        maxMs: warm.at(-1) ?? NaN,
      },
      bySecond: timeline(metrics),
    };
    process.stderr.write(
      `latency at ${RATE}/s: p50 ${latency.p50Ms.toFixed(1)} ms, p95 ${latency.p95Ms.toFixed(1)} ms, p99 ${latency.p99Ms.toFixed(1)} ms\n`,
    );
    await worker.stop();
    await running;
    const result = {
      benchmark: 'pipeline-v0',
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg() },
      setup: {
        partitions: PARTITIONS,
        subjects: SUBJECTS,
        scorer: modelVersionOf(scorer),
        kafka: infra.source,
        workers: 1,
        partitionsConsumedConcurrently: CONCURRENCY,
      },
      throughput,
      latency,
    };
    mkdirSync(new URL('results/', import.meta.url), { recursive: true });
    const file = new URL(`results/${result.at.replace(/[:.]/g, '-')}.json`, import.meta.url);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\nwritten to ${file.pathname}\n`);
  } finally {
    await producer.disconnect();
    await admin.deleteTopics(allTopics(topics)).catch(() => undefined);
    await admin.disconnect();
    await store.close();
    await deleteKeys(redis, keyPrefix);
    redis.disconnect();
    await infra.stop();
  }
}

await main();
