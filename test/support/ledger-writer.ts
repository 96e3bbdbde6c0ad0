/**
 * A ledger writer for integration tests, on the test pipeline's topics and Redis prefix, with its own
 * consumer group, and helpers that read what it produced.
 */
import type { TestContext } from 'node:test';
import { pino } from 'pino';
import type { Ledger, LedgerRef } from '../../src/anchor/ledger/ledger.js';
import { createLedgerWriter, type LedgerWriter } from '../../src/anchor/ledger-writer.js';
import { parseReceipt, type Receipt } from '../../src/anchor/receipt.js';
import { createRedisReceiptStore } from '../../src/anchor/redis-receipt-store.js';
import type { ReceiptStore } from '../../src/anchor/receipt-store.js';
import { createCodec } from '../../src/codec/codec.js';
import { createKafkaTransport } from '../../src/ingest/kafka-transport.js';
import type { ConsumedRecord } from '../../src/ingest/kafka-client.js';
import { randomGroupId, testKafkaClient } from './kafka.js';
import type { TestPipeline } from './pipeline.js';
import { redisFor } from './redis.js';

export interface TestLedgerWriter {
  readonly writer: LedgerWriter;
  /** Settles when the writer stops (rejects when it failed). */
  readonly running: Promise<void>;
  readonly store: ReceiptStore;
}

export interface WriterOptions {
  readonly groupId: string;
  readonly onAppended?: (ref: LedgerRef) => Promise<void>;
  readonly batchMaxMs?: number;
}

/** A receipt store on the pipeline's Redis key prefix (its own connection, closed after the test). */
export async function receiptStoreFor(t: TestContext, pipeline: TestPipeline): Promise<ReceiptStore> {
  const { redis } = await redisFor(t);
  return createRedisReceiptStore({ redis, keyPrefix: pipeline.keyPrefix });
}

export function startLedgerWriter(
  t: TestContext,
  pipeline: TestPipeline,
  ledger: Ledger,
  store: ReceiptStore,
  options: WriterOptions = { groupId: randomGroupId() },
): TestLedgerWriter {
  const writer = createLedgerWriter({
    transport: createKafkaTransport({ client: testKafkaClient(), groupId: options.groupId }),
    codec: pipeline.codec,
    ledger,
    store,
    topics: {
      anchors: pipeline.topics.anchors,
      receipts: pipeline.topics.receipts,
      dlq: pipeline.topics.dlq,
    },
    groupId: options.groupId,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    batchMaxMs: options.batchMaxMs ?? 200,
    retry: { minDelayMs: 50, maxDelayMs: 500 },
    onAppended: options.onAppended,
  });
  const running = writer.run();
  t.after(async () => {
    await writer.stop();
    await running.catch(() => undefined);
  });
  return { writer, running, store };
}

const codec = createCodec();

/**
 * How long a test waits for receipts, at most. Above the 30 s session timeout of a consumer group, because
 * a writer that did not leave its group cleanly holds its partitions until then; the wait ends earlier as
 * soon as every anchor has its receipt, and at once when it can no longer succeed ({@link aReceiptPerAnchor}).
 */
export const RECEIPTS_TIMEOUT_MS = 90_000;

/**
 * A predicate for `receipts.until`: true once every anchor of `anchorIds` has a receipt. It throws (the
 * wait fails at once, saying why) when a receipt names an anchor outside the set, since the count can then
 * never match, or when `writer` (a writer's `running`) has settled: nobody is left to produce receipts.
 */
export function aReceiptPerAnchor(
  anchorIds: ReadonlySet<string>,
  writer?: Promise<void>,
): (records: readonly ConsumedRecord[]) => boolean {
  let ended: string | undefined;
  writer?.then(
    () => (ended = 'stopped'),
    (error: unknown) => (ended = `failed: ${String(error)}`),
  );
  return (records) => {
    const anchored = receiptCounts(receiptsOf(records));
    for (const id of anchored.keys()) {
      if (!anchorIds.has(id)) throw new Error(`a receipt for anchor ${id}, which is not one of this run's`);
    }
    if (anchored.size === anchorIds.size) return true;
    if (ended !== undefined) {
      throw new Error(
        `the ledger writer ${ended} with ${anchored.size} of ${anchorIds.size} anchors receipted`,
      );
    }
    return false;
  };
}

/** The receipts among consumed records (AnchorReceipt records), parsed. */
export function receiptsOf(records: readonly ConsumedRecord[]): Receipt[] {
  return records.map((r) =>
    parseReceipt(JSON.parse(codec.decode('receipt', r.value ?? Buffer.alloc(0)).receipt)),
  );
}

/** How many receipts each anchor id has. */
export function receiptCounts(receipts: readonly Receipt[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of receipts) counts.set(r.anchor.anchorId, (counts.get(r.anchor.anchorId) ?? 0) + 1);
  return counts;
}
