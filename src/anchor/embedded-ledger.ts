/**
 * The ledger writer inside the embedded engine (`npm start`): the same writer as `dmid ledger-writer`,
 * fed from the worker's output through an in-process log of its own (a second consumer group, as in
 * Kafka), anchoring into the configured ledger (the file ledger by default), proofs in memory.
 */
import type { Codec } from '../codec/codec.js';
import type { Config } from '../config.js';
import { createMemoryTransport } from '../ingest/memory-transport.js';
import type { Transport } from '../ingest/transport.js';
import type { Logger } from '../logger.js';
import { openConfiguredLedger } from './ledger/open-ledger.js';
import { createLedgerWriter, type LedgerWriterMetrics } from './ledger-writer.js';
import { createMemoryReceiptStore, type ReceiptStore } from './receipt-store.js';

export interface EmbeddedLedger {
  readonly receipts: ReceiptStore;
  /** Settles when the writer stops; rejects when it failed. */
  readonly running: Promise<void>;
  /** The worker's transport, with what it sends to `identity.anchors` also handed to the ledger writer. */
  tee(transport: Transport): Transport;
  /** Flushes the open batch, stops the writer, closes the ledger. */
  stop(): Promise<void>;
}

export async function startEmbeddedLedger(
  config: Config,
  deps: { readonly codec: Codec; readonly logger: Logger; readonly metrics: LedgerWriterMetrics },
): Promise<EmbeddedLedger> {
  const anchorsTopic = config.topics.names.anchors;
  // One partition handed out in batches as large as a ledger batch: the writer waits for each ledger
  // batch before taking the next, so smaller pieces would cap it at one piece per batch interval.
  const log = createMemoryTransport({ partitions: 1, maxBatchRecords: config.ledger.batchMaxAnchors });
  const ledger = await openConfiguredLedger(config, deps.logger);
  const receipts = createMemoryReceiptStore({ ttlSeconds: config.ledger.receiptTtlSeconds });
  const writer = createLedgerWriter({
    transport: log,
    codec: deps.codec,
    ledger,
    store: receipts,
    topics: { anchors: anchorsTopic, receipts: config.topics.names.receipts, dlq: config.topics.names.dlq },
    groupId: config.ledger.groupId,
    metrics: deps.metrics,
    logger: deps.logger,
    batchMaxAnchors: config.ledger.batchMaxAnchors,
    batchMaxMs: config.ledger.batchMs,
  });
  const running = writer.run();
  // A writer that fails stops anchoring: say so at once, not only at stop.
  void running.catch((error: unknown) => deps.logger.error({ err: error }, 'embedded ledger writer failed'));
  return {
    receipts,
    running,
    tee: (transport) => ({
      run: (options) => transport.run(options),
      async send(batches, consumed) {
        await transport.send(batches, consumed);
        await log.send(batches.filter((b) => b.topic === anchorsTopic));
      },
      stop: () => transport.stop(),
      status: () => transport.status(),
    }),
    async stop() {
      await writer.stop();
      await running.catch(() => undefined);
      await ledger.close();
    },
  };
}
