/**
 * The ledger writer's Prometheus metrics (src/anchor/ledger-writer.ts reports through
 * {@link LedgerWriterMetrics}), in the registry of the other dmid metrics (metrics.ts). Labels come from
 * closed sets only.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { LedgerOperation, LedgerWriterMetrics } from '../anchor/ledger-writer.js';

/** Batch latency buckets, seconds: a batch waits up to its time limit (1 s by default), then the ledger. */
export const BATCH_LATENCY_BUCKETS_SECONDS = [
  0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 3, 5, 10, 30, 60,
] as const;
/** Anchors per batch buckets. */
export const ANCHORS_PER_BATCH_BUCKETS = [1, 10, 100, 500, 1000, 2500, 5000, 10_000, 50_000] as const;

const OPERATIONS = ['decode', 'anchor'] as const satisfies readonly LedgerOperation[];

export function createLedgerMetrics(registry: Registry): LedgerWriterMetrics {
  const registers = [registry];
  const pending = new Gauge({
    name: 'dmid_ledger_anchors_pending',
    help: 'Anchors consumed and waiting for their batch to be on the ledger.',
    registers,
  });
  const batches = new Counter({
    name: 'dmid_ledger_batches_written_total',
    help: 'Batch roots appended to the ledger.',
    registers,
  });
  const anchored = new Counter({
    name: 'dmid_ledger_anchors_total',
    help: 'Anchors put in a batch appended to the ledger.',
    registers,
  });
  const receipts = new Counter({
    name: 'dmid_ledger_receipts_total',
    help: 'Receipts produced to identity.anchor-receipts.',
    registers,
  });
  const latency = new Histogram({
    name: 'dmid_ledger_batch_latency_seconds',
    help: "Seconds from a batch's first anchor consumed to its root on the ledger.",
    buckets: [...BATCH_LATENCY_BUCKETS_SECONDS],
    registers,
  });
  const size = new Histogram({
    name: 'dmid_ledger_batch_size_anchors',
    help: 'Anchors per batch appended to the ledger.',
    buckets: [...ANCHORS_PER_BATCH_BUCKETS],
    registers,
  });
  const errors = new Counter({
    name: 'dmid_ledger_errors_total',
    help: 'Ledger writer failures, by operation: decode (a bad anchor record), anchor (a batch attempt).',
    labelNames: ['operation'] as const,
    registers,
  });
  for (const operation of OPERATIONS) errors.inc({ operation }, 0);
  return {
    pending: (count) => pending.set(Math.max(0, count)),
    batchWritten(anchors, latencySeconds) {
      batches.inc();
      anchored.inc(anchors);
      size.observe(anchors);
      latency.observe(Math.max(0, latencySeconds));
    },
    receiptsProduced: (count) => {
      if (count > 0) receipts.inc(count);
    },
    error: (operation) => errors.inc({ operation: OPERATIONS.includes(operation) ? operation : 'anchor' }),
  };
}
