/**
 * Decision latency under load: `POST /v1/decisions` end to end (authenticate, rate limit, relationship +
 * score + salt read from Redis, policy evaluation, decision anchor produced to Kafka with acks=all, audit
 * line) from a load generator in another process, closed loop with a fixed number of requests in flight.
 * A figure to quote, not a test: nothing here asserts.
 *
 *   npx tsx bench/decision-latency.ts [--seconds 20] [--connections 16] [--subjects 2000] [--embedded]
 *
 * Needs DMID_KAFKA_BROKERS and DMID_REDIS_URL (as the tests do) unless --embedded (in-memory stores and
 * log). Uses a random topic prefix and Redis key prefix, removed at the end. Writes
 * bench/results/decision-latency-<time>.json and prints the same.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createMetrics } from '../src/api/metrics.js';
import { readinessOf } from '../src/api/readiness.js';
import { createApiServer } from '../src/api/server.js';
import { createCodec } from '../src/codec/codec.js';
import { loadConfig, type Config } from '../src/config.js';
import { createKafkaClient } from '../src/ingest/kafka-client.js';
import { createKafkaTransport } from '../src/ingest/kafka-transport.js';
import { createMemoryTransport } from '../src/ingest/memory-transport.js';
import { ensureTopics } from '../src/ingest/topics.js';
import type { Transport } from '../src/ingest/transport.js';
import { createRelyingParties } from '../src/relying-parties.js';
import { createMemoryStore } from '../src/state/memory-store.js';
import { createRedisStore } from '../src/state/redis-store.js';
import type { KindedSignal, StateStore } from '../src/state/state-store.js';
import { identityScore } from '../test/support/api-harness.js';
import { goodArrivals, subjectId, T0 } from '../test/support/evidence-factory.js';
import { shiftArrivals } from '../test/support/reason-scenarios.js';
import { option, percentile } from './bench-support.js';

const KEY = 'demo-pension-key-0003-not-secret';
const POLICY = 'social-insurance.pension-eligibility';

interface LoadPlan {
  readonly url: string;
  readonly ids: readonly string[];
  readonly seconds: number;
  readonly connections: number;
}

interface LoadResult {
  readonly statuses: Record<string, number>;
  readonly outcomes: Record<string, number>;
  readonly elapsedMs: number;
  readonly latenciesMs: number[];
}

async function generateLoad(plan: LoadPlan): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: plan.connections });
  const latenciesMs: number[] = [];
  const statuses: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  let issued = 0;
  const start = performance.now();
  const deadline = start + plan.seconds * 1000;
  const post = (body: string): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const req = request(
        `${plan.url}/v1/decisions`,
        {
          agent,
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const id = plan.ids[issued++ % plan.ids.length] ?? '';
      const sent = performance.now();
      const { status, text } = await post(JSON.stringify({ subjectId: id, policy: POLICY }));
      latenciesMs.push(performance.now() - sent);
      statuses[status] = (statuses[status] ?? 0) + 1;
      const outcome = /"outcome":"([A-Z_]+)"/.exec(text)?.[1] ?? 'none';
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: plan.connections }, loop));
  agent.destroy();
  return { statuses, outcomes, elapsedMs: performance.now() - start, latenciesMs };
}

function kinded(arrivals: ReturnType<typeof goodArrivals>): KindedSignal[] {
  return [
    ...(arrivals.telecom ?? []).map((signal) => ({ kind: 'telecom' as const, signal })),
    ...(arrivals.location ?? []).map((signal) => ({ kind: 'location' as const, signal })),
    ...(arrivals.biometric ?? []).map((signal) => ({ kind: 'biometric' as const, signal })),
    ...(arrivals.registry ?? []).map((signal) => ({ kind: 'registry' as const, signal })),
  ];
}

/** Subjects with real state (evidence windows, salt) and a cached score, as the pipeline leaves them. */
async function seed(store: StateStore, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => subjectId());
  const shift = Date.now() - T0;
  for (let i = 0; i < ids.length; i += 200) {
    const chunk = ids.slice(i, i + 200);
    const arrivals = chunk.map((id) => shiftArrivals(goodArrivals(), shift, id));
    const applied = await store.applySignals(
      chunk.map((id, j) => ({ subjectId: id, signals: kinded(arrivals[j] ?? {}) })),
    );
    await store.saveScores(
      applied.map((a, j) => ({
        version: a.version,
        score: identityScore(a.subjectId, Date.now(), arrivals[j]),
      })),
    );
  }
  return ids;
}

interface Setup {
  readonly config: Config;
  readonly store: StateStore;
  readonly transport: Transport;
  readonly redis: Redis | null;
  cleanup(): Promise<void>;
}

async function kafkaSetup(): Promise<Setup> {
  const prefix = `bench-${randomBytes(4).toString('hex')}.`;
  const config = loadConfig({
    DMID_KAFKA_BROKERS: process.env.DMID_KAFKA_BROKERS,
    DMID_REDIS_URL: process.env.DMID_REDIS_URL,
    DMID_TOPIC_PREFIX: prefix,
    DMID_REDIS_KEY_PREFIX: `bench:${prefix}`,
    DMID_CLIENTS_FILE: fileURLToPath(new URL('../examples/relying-parties.yaml', import.meta.url)),
    DMID_RATE_LIMIT_PER_SECOND: '100000',
    DMID_RATE_LIMIT_BURST: '100000',
  });
  const client = createKafkaClient({
    brokers: config.kafka.brokers ?? [],
    clientId: 'dmid-bench',
    logLevel: 'error',
  });
  const admin = await client.admin();
  const topic = config.topics.names.anchors;
  await ensureTopics(admin, [{ name: topic, partitions: 12, replicationFactor: 1 }]);
  const redis = new Redis(config.redis.url ?? '');
  const store = createRedisStore({ redis, keyPrefix: config.redis.keyPrefix });
  const transport = createKafkaTransport({ client, groupId: `dmid-bench-${prefix}` });
  return {
    config,
    store,
    transport,
    redis,
    async cleanup() {
      await transport.stop();
      await admin.deleteTopics([topic]).catch(() => undefined);
      await admin.disconnect();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.redis.keyPrefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
      await redis.quit();
    },
  };
}

function embeddedSetup(): Setup {
  const config = loadConfig({ DMID_RATE_LIMIT_PER_SECOND: '100000', DMID_RATE_LIMIT_BURST: '100000' });
  return {
    config,
    store: createMemoryStore(),
    transport: createMemoryTransport({ retainRecords: 1000 }),
    redis: null,
    cleanup: () => Promise.resolve(),
  };
}

async function main(): Promise<void> {
  const embedded = process.argv.includes('--embedded');
  const setup = embedded ? embeddedSetup() : await kafkaSetup();
  const logger = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false }));
  const rp = createRelyingParties({
    config: setup.config,
    codec: createCodec(),
    store: setup.store,
    redis: setup.redis,
    alertTransport: setup.transport,
    anchorTransport: setup.transport,
    logger,
  });
  const ids = await seed(setup.store, option('subjects', 2000));
  for (const id of ids)
    await rp.access.putRelationship(id, 'pension-office', {
      kind: 'ENROLMENT',
      expiresAt: Date.now() + 86_400_000,
      purpose: POLICY,
      tokenId: null,
    });
  const server = createApiServer({
    store: setup.store,
    metrics: createMetrics(),
    readiness: () => readinessOf({}),
    halfLives: setup.config.halfLivesMs,
    logger,
    relyingParties: rp.routes,
  });
  const { url } = await server.listen('127.0.0.1', 0);
  const plan: LoadPlan = { url, ids, seconds: option('seconds', 20), connections: option('connections', 16) };
  const client = fork(fileURLToPath(import.meta.url), ['--client'], { execArgv: ['--import', 'tsx'] });
  client.send(plan);
  const [result] = (await once(client, 'message')) as [LoadResult];
  client.disconnect();
  await server.close();
  await setup.cleanup();
  const sorted = result.latenciesMs.sort((a, b) => a - b);
  const report = {
    at: new Date().toISOString(),
    mode: embedded ? 'embedded' : 'kafka+redis',
    connections: plan.connections,
    subjects: ids.length,
    completed: sorted.length,
    statuses: result.statuses,
    outcomes: result.outcomes,
    seconds: +(result.elapsedMs / 1000).toFixed(2),
    decisionsPerSecond: Math.round(sorted.length / (result.elapsedMs / 1000)),
    p50Ms: +percentile(sorted, 50).toFixed(2),
    p95Ms: +percentile(sorted, 95).toFixed(2),
    p99Ms: +percentile(sorted, 99).toFixed(2),
    maxMs: +(sorted.at(-1) ?? Number.NaN).toFixed(2),
  };
  const text = `${JSON.stringify(report, null, 2)}\n`;
  const dir = new URL('results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(`decision-latency-${report.at.replace(/[:.]/g, '-')}.json`, dir), text);
  process.stdout.write(text);
}

if (process.argv.includes('--client')) {
  const [plan] = (await once(process, 'message')) as [LoadPlan];
  process.send?.(await generateLoad(plan));
} else {
  await main();
}
