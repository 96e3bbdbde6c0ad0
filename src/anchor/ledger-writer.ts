/**
 * The ledger writer (`dmid ledger-writer`, and inside the embedded engine): its own consumer group on
 * `identity.anchors`; anchors are cut into batches by size or time (anchor-batcher.ts), each batch's
 * Merkle root goes on the ledger, each anchor's proof into the receipt store, a receipt per anchor to
 * `identity.anchor-receipts` (anchor-batch.ts), and only then are the consumed offsets committed.
 *
 * A consumed Kafka batch waits for the ledger batches holding its anchors, so many partitions are
 * handled at once (the transport's concurrency) and their anchors share one ledger batch.
 */
import type { Codec } from '../codec/codec.js';
import type { AnchorEvent } from '../codec/types.js';
import type { Logger } from '../logger.js';
import { withRetry, type RetryOptions } from '../ingest/retry.js';
import type { DlqReason } from '../errors.js';
import { isDmidError } from '../errors.js';
import { toDeadLetterRecord } from '../ingest/dead-letter.js';
import type { InboundBatch, OutboundRecord, Transport } from '../ingest/transport.js';
import { anchorBatch } from './anchor-batch.js';
import { createBatcher } from './anchor-batcher.js';
import type { Ledger, LedgerRef } from './ledger/ledger.js';
import type { Receipt } from './receipt.js';
import type { ReceiptStore } from './receipt-store.js';

export type LedgerOperation = 'decode' | 'anchor';

/** What the writer reports; src/api/ledger-metrics.ts turns it into Prometheus metrics. */
export interface LedgerWriterMetrics {
  /** Anchors consumed and not yet on the ledger. */
  pending(count: number): void;
  /** A batch root appended: its anchors and the seconds from its first anchor consumed. */
  batchWritten(anchors: number, latencySeconds: number): void;
  receiptsProduced(count: number): void;
  error(operation: LedgerOperation): void;
}

export const NO_LEDGER_METRICS: LedgerWriterMetrics = {
  pending: () => undefined,
  batchWritten: () => undefined,
  receiptsProduced: () => undefined,
  error: () => undefined,
};

/** Default most anchors per batch. */
export const DEFAULT_BATCH_MAX_ANCHORS = 10_000;
/** Default longest wait from a batch's first anchor to its flush, ms. */
export const DEFAULT_BATCH_MAX_MS = 1000;

export interface LedgerWriterDeps {
  readonly transport: Transport;
  readonly codec: Codec;
  readonly ledger: Ledger;
  readonly store: ReceiptStore;
  /** Where anchors come from, receipts go, and anchor records that do not decode are dead-lettered. */
  readonly topics: { readonly anchors: string; readonly receipts: string; readonly dlq: string };
  /** The writer's consumer group, named in the `dlq.group` header of its dead letters. */
  readonly groupId: string;
  readonly metrics?: LedgerWriterMetrics;
  readonly logger: Logger;
  /** Most anchors per batch. Default {@link DEFAULT_BATCH_MAX_ANCHORS}. */
  readonly batchMaxAnchors?: number;
  /** Longest wait from a batch's first anchor to its flush, ms. Default {@link DEFAULT_BATCH_MAX_MS}. */
  readonly batchMaxMs?: number;
  readonly retry?: RetryOptions;
  /** Called after a root is appended, before anything else is recorded (crash tests). */
  readonly onAppended?: (ref: LedgerRef) => Promise<void>;
  readonly now?: () => number;
}

export interface LedgerWriterStatus {
  /** True while the ledger or the store is down and a batch is being retried. */
  readonly paused: boolean;
  readonly transport: { readonly ok: boolean; readonly detail: string };
}

export interface LedgerWriter {
  /** Consumes until stop(); rejects when a batch fails for a reason retrying cannot fix. */
  run(): Promise<void>;
  /** Flushes the open batch, lets it commit, disconnects. */
  stop(): Promise<void>;
  status(): LedgerWriterStatus;
}

/**
 * A receipt as a record of the receipt topic: an AnchorReceipt (schemas/anchor-receipt.avsc) carrying the
 * receipt's JSON document (docs/receipt.md), keyed by anchor id.
 */
function receiptRecord(codec: Codec, receipt: Receipt): { key: string; value: Buffer } {
  const value = codec.encode('receipt', {
    anchorId: receipt.anchor.anchorId,
    root: receipt.batch.root,
    receipt: JSON.stringify(receipt),
  });
  return { key: receipt.anchor.anchorId, value };
}

export function createLedgerWriter(deps: LedgerWriterDeps): LedgerWriter {
  const metrics = deps.metrics ?? NO_LEDGER_METRICS;
  const now = deps.now ?? Date.now;
  let stopping = false;
  let paused = false;

  /**
   * Produces the receipts (acknowledged when it resolves). A batch of 10,000 receipts is about 13 MB: the
   * Kafka transport splits it into requests under the broker's limit (produceToTopics).
   */
  async function sendReceipts(receipts: readonly Receipt[]): Promise<void> {
    const records = receipts.map((receipt) => receiptRecord(deps.codec, receipt));
    await deps.transport.send([{ topic: deps.topics.receipts, records }]);
  }

  async function flush(anchors: AnchorEvent[], firstInMs: number): Promise<void> {
    const result = await withRetry(
      () =>
        anchorBatch(
          {
            ledger: deps.ledger,
            store: deps.store,
            sendReceipts: (receipts) => sendReceipts(receipts),
            onAppended: deps.onAppended,
          },
          anchors,
        ),
      {
        stopping: () => stopping,
        heartbeat: () => Promise.resolve(),
        onRetry: (error, attempt, delayMs) => {
          paused = true;
          metrics.error('anchor');
          deps.logger.warn({ err: error, attempt, delayMs }, 'ledger batch failed; retrying');
        },
        onRecovered: () => {
          paused = false;
        },
      },
      deps.retry,
    ).catch((error: unknown) => {
      metrics.error('anchor');
      throw error;
    });
    if (result.appended !== null) metrics.batchWritten(result.batched, (now() - firstInMs) / 1000);
    metrics.receiptsProduced(result.receipts);
  }

  const batcher = createBatcher<AnchorEvent>({
    maxItems: deps.batchMaxAnchors ?? DEFAULT_BATCH_MAX_ANCHORS,
    maxDelayMs: deps.batchMaxMs ?? DEFAULT_BATCH_MAX_MS,
    flush,
    onPending: (count) => metrics.pending(count),
    now,
  });

  /** Anchors that decode, and dead letters (with the contract's headers) for those that do not. */
  function decode(batch: InboundBatch): { anchors: AnchorEvent[]; deadLetters: OutboundRecord[] } {
    const anchors: AnchorEvent[] = [];
    const deadLetters: OutboundRecord[] = [];
    const source = { topic: batch.topic, partition: batch.partition, groupId: deps.groupId };
    for (const record of batch.records) {
      const letter = (reason: DlqReason, message: string): void => {
        metrics.error('decode');
        deadLetters.push(toDeadLetterRecord({ record, reason, message }, source));
      };
      if (record.value === null) {
        letter('DECODE_TRUNCATED', 'The record has no value.');
        continue;
      }
      try {
        anchors.push(deps.codec.decode('anchor', record.value));
      } catch (error) {
        // decode throws only DmidErrors with a DECODE_* reason (codec.ts); anything else is a bug.
        if (!isDmidError(error) || error.reason === undefined) throw error;
        letter(error.reason, error.message);
      }
    }
    return { anchors, deadLetters };
  }

  /** An anchor that cannot be decoded can never be anchored: it goes to the DLQ, the others on. */
  async function handle(batch: InboundBatch): Promise<void> {
    const { anchors, deadLetters } = decode(batch);
    if (deadLetters.length > 0) await deps.transport.send([{ topic: deps.topics.dlq, records: deadLetters }]);
    await batcher.add(anchors);
  }

  return {
    async run() {
      try {
        await deps.transport.run({
          topics: [deps.topics.anchors],
          handle,
        });
      } catch (error) {
        if (!stopping) throw error;
      }
    },
    async stop() {
      stopping = true;
      batcher.cut();
      await deps.transport.stop();
    },
    status: () => ({ paused, transport: deps.transport.status() }),
  };
}
