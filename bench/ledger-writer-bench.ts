/**
 * Ledger writer benchmark (`npx tsx bench/ledger-writer-bench.ts`): one ledger writer on a real Kafka
 * broker and Redis, the file ledger (fsync per block) in a temporary folder.
 *
 *  1. throughput: N anchor events are produced to a fresh 12-partition topic first, then the writer
 *     drains them; anchors/s is N over the time from the writer's start to the last receipt acknowledged
 *     (batches cut by size, DMID_LEDGER_BATCH_MAX_ANCHORS = --batch-max).
 *  2. latency: anchors are produced at a fixed rate for a fixed time while the writer runs with the time
 *     limit --batch-ms; batch latency = first anchor of a batch consumed -> its root on the ledger
 *     (what `dmid_ledger_batch_latency_seconds` measures), plus anchor produced -> receipt acknowledged.
 *
 * Options: --anchors N (default 50000), --batch-max N (default 10000), --batch-ms N (default 1000),
 * --rate N (anchors/s, default 2000), --seconds N (default 20). Prints a summary and writes
 * bench/results/ledger-writer-<timestamp>.json. Infra: DMID_KAFKA_BROKERS / DMID_REDIS_URL, else local.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { openFileLedger } from '../src/anchor/ledger/file-ledger.js';
import { createLedgerWriter, type LedgerWriterMetrics } from '../src/anchor/ledger-writer.js';
import { createRedisReceiptStore } from '../src/anchor/redis-receipt-store.js';
import { createCodec } from '../src/codec/codec.js';
import type { AnchorEvent } from '../src/codec/types.js';
import { createKafkaClient, produceRecords, type KafkaClient } from '../src/ingest/kafka-client.js';
import { createKafkaTransport } from '../src/ingest/kafka-transport.js';
import { ensureTopics } from '../src/ingest/topics.js';
import type { TopicRecords, Transport } from '../src/ingest/transport.js';
import { startInfra } from '../test/support/infra.js';
import { deleteKeys, percentile } from './bench-support.js';

const { values } = parseArgs({
  options: {
    anchors: { type: 'string', default: '50000' },
    'batch-max': { type: 'string', default: '10000' },
    'batch-ms': { type: 'string', default: '1000' },
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '20' },
  },
});
const ANCHORS = Number(values.anchors);
const BATCH_MAX = Number(values['batch-max']);
const BATCH_MS = Number(values['batch-ms']);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const codec = createCodec();

function anchor(): AnchorEvent {
  return {
    anchorId: randomUUID(),
    scoreId: randomUUID(),
    recordHash: createHash('sha256').update(randomBytes(16)).digest('hex'),
    subjectCommitment: randomBytes(32).toString('hex'),
    computedAt: Date.now(),
    modelVersion: 'rules-1',
  };
}

interface Run {
  readonly batchLatenciesMs: number[];
  readonly receiptAckMs: number[];
  receipts: number;
}

/** Counts receipts and times their acknowledgement, around the real transport. */
function timed(transport: Transport, run: Run, receiptsTopic: string): Transport {
  return {
    ...transport,
    async send(batches: readonly TopicRecords[]) {
      await transport.send(batches);
      const now = Date.now();
      for (const b of batches.filter((x) => x.topic === receiptsTopic)) {
        run.receipts += b.records.length;
        for (const r of b.records) {
          const record = codec.decode('receipt', r.value ?? Buffer.alloc(0));
          const receipt = JSON.parse(record.receipt) as { anchor: { computedAt: number } };
          run.receiptAckMs.push(now - receipt.anchor.computedAt);
        }
      }
    },
  };
}

async function withWriter(
  client: KafkaClient,
  redis: Redis,
  prefix: string,
  topics: { anchors: string; receipts: string; dlq: string },
  until: (run: Run) => Promise<void>,
): Promise<{ run: Run; seconds: number; blocks: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'dmid-ledger-bench-'));
  const ledger = await openFileLedger({ path: join(dir, 'ledger.jsonl') });
  const run: Run = { batchLatenciesMs: [], receiptAckMs: [], receipts: 0 };
  const metrics: LedgerWriterMetrics = {
    pending: () => undefined,
    batchWritten: (_n, seconds) => run.batchLatenciesMs.push(seconds * 1000),
    receiptsProduced: () => undefined,
    error: () => undefined,
  };
  const groupId = `bench-ledger-${randomBytes(4).toString('hex')}`;
  const transport = createKafkaTransport({ client, groupId });
  const writer = createLedgerWriter({
    transport: timed(transport, run, topics.receipts),
    codec,
    ledger,
    store: createRedisReceiptStore({ redis, keyPrefix: prefix }),
    topics,
    groupId,
    metrics,
    logger: pino({ level: 'warn' }),
    batchMaxAnchors: BATCH_MAX,
    batchMaxMs: BATCH_MS,
  });
  const started = performance.now();
  const running = writer.run();
  await until(run);
  const seconds = (performance.now() - started) / 1000;
  await writer.stop();
  await running;
  const blocks = ledger.height();
  await ledger.close();
  await rm(dir, { recursive: true, force: true });
  return { run, seconds, blocks };
}

async function waitUntil(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
}

const summary = (ms: number[]): Record<string, number> => {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    n: sorted.length,
  };
};

const infra = await startInfra();
const client = createKafkaClient({
  brokers: infra.kafkaBrokers.split(','),
  clientId: 'bench-ledger',
  logLevel: 'error',
});
const redis = new Redis(infra.redisUrl);
const prefix = `bench:${randomBytes(4).toString('hex')}:`;
const base = `bench-${randomBytes(4).toString('hex')}.`;
const topics = {
  anchors: `${base}identity.anchors`,
  receipts: `${base}identity.anchor-receipts`,
  dlq: `${base}signals.dlq`,
};
const admin = await client.admin();
await ensureTopics(admin, [
  { name: topics.anchors, partitions: 12, replicationFactor: 1 },
  { name: topics.receipts, partitions: 12, replicationFactor: 1 },
  { name: topics.dlq, partitions: 12, replicationFactor: 1 },
]);
const producer = await client.producer();
try {
  // 1. Throughput: drain a preloaded backlog.
  const backlog = Array.from({ length: ANCHORS }, () => anchor());
  for (let i = 0; i < backlog.length; i += 5000) {
    const chunk = backlog
      .slice(i, i + 5000)
      .map((a) => ({ key: a.anchorId, value: codec.encode('anchor', a) }));
    await produceRecords(producer, topics.anchors, chunk);
  }
  const drained = await withWriter(client, redis, prefix, topics, (run) =>
    waitUntil(() => run.receipts >= ANCHORS),
  );
  const throughput = {
    anchors: ANCHORS,
    seconds: drained.seconds,
    anchorsPerSecond: ANCHORS / drained.seconds,
    blocks: drained.blocks,
    batchLatencyMs: summary(drained.run.batchLatenciesMs),
  };
  process.stdout.write(`throughput: ${JSON.stringify(throughput)}\n`);

  // 2. Latency at a fixed rate (a fresh topic, so the backlog is not read again).
  const steadyTopics = { ...topics, anchors: `${base}steady.anchors` };
  await ensureTopics(admin, [{ name: steadyTopics.anchors, partitions: 12, replicationFactor: 1 }]);
  const total = RATE * SECONDS;
  let produced = 0;
  const steady = await withWriter(client, redis, prefix, steadyTopics, async (run) => {
    const start = Date.now();
    while (produced < total) {
      const due = Math.min(total, Math.floor(((Date.now() - start) / 1000) * RATE));
      if (due > produced) {
        const batch = Array.from({ length: due - produced }, () => anchor());
        await produceRecords(
          producer,
          steadyTopics.anchors,
          batch.map((a) => ({ key: a.anchorId, value: codec.encode('anchor', a) })),
        );
        produced = due;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await waitUntil(() => run.receipts >= total);
  });
  const latency = {
    rate: RATE,
    seconds: SECONDS,
    batchMs: BATCH_MS,
    blocks: steady.blocks,
    batchLatencyMs: summary(steady.run.batchLatenciesMs),
    anchorToReceiptMs: summary(steady.run.receiptAckMs),
  };
  process.stdout.write(`latency: ${JSON.stringify(latency)}\n`);
  const result = {
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model },
    kafka: infra.source,
    settings: { batchMax: BATCH_MAX, batchMs: BATCH_MS, ledger: 'file' },
    throughput,
    latency,
  };
  mkdirSync(new URL('results/', import.meta.url), { recursive: true });
  const file = new URL(`results/ledger-writer-${result.at.replace(/[:.]/g, '-')}.json`, import.meta.url);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`wrote ${file.pathname}\n`);
} finally {
  await producer.disconnect();
  await admin.deleteTopics([topics.anchors, topics.receipts, `${base}steady.anchors`]).catch(() => undefined);
  await admin.disconnect();
  await deleteKeys(redis, prefix);
  await redis.quit();
  await infra.stop();
}
