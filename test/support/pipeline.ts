/**
 * A whole pipeline for integration tests, on the real broker and Redis: the contract's topics under a
 * random prefix, a Redis store under a random key prefix, an in-process worker, and collectors that read
 * what the pipeline writes (scores, anchors, dead letters). Everything is cleaned up after the test.
 */
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import type { Cluster } from 'ioredis';
import { pino } from 'pino';
import { createCodec, type Codec } from '../../src/codec/codec.js';
import type { AnchorEvent, IdentityScore, Signal, SignalKind } from '../../src/codec/types.js';
import { allTopics, topicNames, type TopicNames } from '../../src/config.js';
import { consumeRecords } from '../../src/ingest/kafka-reader.js';
import {
  produceRecords,
  produceToTopics,
  type ConsumedRecord,
  type KafkaProducer,
} from '../../src/ingest/kafka-client.js';
import { createKafkaTransport, defaultTransactionalId } from '../../src/ingest/kafka-transport.js';
import { ensureTopics } from '../../src/ingest/topics.js';
import { createWorker, type Worker, type WorkerMetrics } from '../../src/ingest/worker.js';
import { createModelScorer } from '../../src/scoring/model/model-scorer.js';
import { createRulesScorer } from '../../src/scoring/rules-scorer.js';
import type { Scorer } from '../../src/scoring/scorer.js';
import { createRedisStore } from '../../src/state/redis-store.js';
import type { PipelineTracing } from '../../src/telemetry/pipeline-tracing.js';
import type { StateStore } from '../../src/state/state-store.js';
import type { Arrivals } from './evidence-factory.js';
import { deleteTopicAfter, randomGroupId, testKafkaClient } from './kafka.js';
import { redisFor } from './redis.js';
import { clusterFor, onRedisCluster } from './redis-cluster.js';

async function clusterRedis(t: TestContext): Promise<{ redis: Cluster; prefix: string }> {
  const { cluster, prefix } = await clusterFor(t);
  return { redis: cluster, prefix };
}

/** Metrics that go nowhere: the pipeline tests look at outputs, not at counters. */
export const NO_METRICS: WorkerMetrics = {
  consumed: () => undefined,
  deadLettered: () => undefined,
  scoresEmitted: () => undefined,
  endToEnd: () => undefined,
  batch: () => undefined,
  stage: () => undefined,
  lag: () => undefined,
  paused: () => undefined,
};

/** Records a topic as they arrive, for as long as the test runs. */
export interface Collector {
  readonly records: ConsumedRecord[];
  /** Resolves when `predicate` holds for the records so far; fails after `timeoutMs` saying what it waited for. */
  until(
    predicate: (records: readonly ConsumedRecord[]) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<void>;
}

export interface TestPipeline {
  readonly topics: TopicNames;
  /** The topic prefix (DMID_TOPIC_PREFIX) and Redis key prefix (DMID_REDIS_KEY_PREFIX) of this pipeline. */
  readonly topicPrefix: string;
  readonly keyPrefix: string;
  readonly store: StateStore;
  readonly codec: Codec;
  readonly groupId: string;
  /** Encodes and produces signals, keyed by subjectId, to their topics. */
  publish(arrivals: Arrivals): Promise<void>;
  /** Produces raw records (bad input) to the topic of `kind`. */
  publishRaw(
    kind: SignalKind,
    records: { key: string | null; value: Buffer | null; headers?: Record<string, string> }[],
  ): Promise<void>;
  /** Starts (or restarts) an in-process worker, reporting to `metrics` (default: nowhere), traced or not. */
  startWorker(metrics?: WorkerMetrics, tracing?: PipelineTracing): Worker;
  /**
   * Score records the workers of this pipeline produced (acknowledged) so far: as many anchors went to
   * identity.anchors. What a test waits for on the output topics, instead of a count seen at some moment.
   */
  scoresEmitted(): number;
  collect(topic: string): Collector;
  scoresOf(collector: Collector, subjectId: string): IdentityScore[];
  anchorsOf(collector: Collector): AnchorEvent[];
}

export async function waitFor(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let sharedModelScorer: Promise<Scorer> | undefined;

/**
 * The scorer the pipeline tests run with: the engine's default, the identity-fusion model (loaded once per
 * test process), unless DMID_SCORER=rules or the test asks for another.
 */
export function testScorer(kind: string = process.env.DMID_SCORER ?? 'model'): Promise<Scorer> {
  if (kind === 'rules') return Promise.resolve(createRulesScorer());
  sharedModelScorer ??= createModelScorer();
  return sharedModelScorer;
}

export async function startPipeline(
  t: TestContext,
  options: {
    partitions?: number;
    scorer?: 'model' | 'rules';
    replicationFactor?: number;
    /** Replicas the worker's store waits for before a unit is committed (WAIT). Default 0. */
    minReplicas?: number;
  } = {},
): Promise<TestPipeline> {
  const scorer = await testScorer(options.scorer);
  const topicPrefix = `test-${randomBytes(5).toString('hex')}.`;
  const topics = topicNames(topicPrefix);
  const client = testKafkaClient();
  const admin = await client.admin();
  try {
    const specs = allTopics(topics).map((name) => ({
      name,
      partitions: options.partitions ?? 3,
      // 3 on the fault tests' three-broker cluster; 1 on the single broker of the others.
      replicationFactor: options.replicationFactor ?? 1,
    }));
    await ensureTopics(admin, specs);
  } finally {
    await admin.disconnect();
  }
  for (const name of allTopics(topics)) deleteTopicAfter(t, name);

  // The same pipeline on Redis Cluster when the runner says so (scripts/test.ts, redis-cluster.ts).
  const redis = onRedisCluster() ? await clusterRedis(t) : await redisFor(t);
  const store = createRedisStore({
    redis: redis.redis,
    keyPrefix: redis.prefix,
    minReplicas: options.minReplicas ?? 0,
  });
  const codec = createCodec();
  const groupId = randomGroupId();
  const producer: KafkaProducer = await client.producer();
  t.after(() => producer.disconnect());

  const kindTopic = (kind: SignalKind): string => topics[kind];
  let scoresEmitted = 0;
  const send = async (kind: SignalKind, signals: readonly Signal[] | undefined): Promise<void> => {
    if (signals === undefined || signals.length === 0) return;
    const records = signals.map((s) => ({ key: s.subjectId, value: codec.encode(kind, s) }));
    await produceRecords(producer, kindTopic(kind), records);
  };

  return {
    topics,
    topicPrefix,
    keyPrefix: redis.prefix,
    store,
    codec,
    groupId,
    async publish(arrivals) {
      await send('telecom', arrivals.telecom);
      await send('location', arrivals.location);
      await send('biometric', arrivals.biometric);
      await send('registry', arrivals.registry);
    },
    async publishRaw(kind, records) {
      await produceToTopics(producer, [{ topic: kindTopic(kind), records }]);
    },
    scoresEmitted: () => scoresEmitted,
    startWorker(metrics = NO_METRICS, tracing) {
      const counted: WorkerMetrics = {
        ...metrics,
        scoresEmitted(levels) {
          scoresEmitted += levels.length;
          metrics.scoresEmitted(levels);
        },
      };
      const worker = createWorker({
        // Transactional, as `dmid run` is; one id per worker (several run in one test process).
        transport: createKafkaTransport({
          client: testKafkaClient(),
          groupId,
          transactionalId: `${defaultTransactionalId(groupId)}-${randomBytes(4).toString('hex')}`,
        }),
        store,
        scorer,
        codec,
        metrics: counted,
        logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
        topics,
        groupId,
        validation: { maxFutureSkewMs: 300_000 },
        retry: { minDelayMs: 50, maxDelayMs: 500 },
        ...(tracing === undefined ? {} : { tracing }),
      });
      const running = worker.run();
      t.after(async () => {
        await worker.stop();
        await running;
      });
      return worker;
    },
    collect(topic) {
      const records: ConsumedRecord[] = [];
      const controller = new AbortController();
      const reading = consumeRecords({
        client: testKafkaClient(),
        topic,
        groupId: randomGroupId(),
        fromBeginning: true,
        signal: controller.signal,
        onRecord: (record) => {
          records.push(record);
        },
      });
      t.after(async () => {
        controller.abort();
        await reading;
      });
      return {
        records,
        until: (predicate, what, timeoutMs) => waitFor(() => predicate(records), what, timeoutMs),
      };
    },
    scoresOf(collector, subjectId) {
      return collector.records
        .filter((r) => r.key === subjectId && r.value !== null)
        .map((r) => codec.decode('score', r.value ?? Buffer.alloc(0)));
    },
    anchorsOf(collector) {
      return collector.records.map((r) => codec.decode('anchor', r.value ?? Buffer.alloc(0)));
    },
  };
}
