/** The ledger writer's metrics (src/api/ledger-metrics.ts): names, starting values, closed labels. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { createLedgerMetrics } from '../../../src/api/ledger-metrics.js';
import type { LedgerOperation } from '../../../src/anchor/ledger-writer.js';

void test('anchors pending, batches written, batch latency and ledger errors are exported', async () => {
  const registry = new Registry();
  const metrics = createLedgerMetrics(registry);
  metrics.pending(12);
  metrics.batchWritten(12, 1.2);
  metrics.receiptsProduced(12);
  metrics.error('anchor');
  metrics.error('subject-x' as LedgerOperation);
  const text = await registry.metrics();
  assert.match(text, /^dmid_ledger_anchors_pending 12$/m);
  assert.match(text, /^dmid_ledger_batches_written_total 1$/m);
  assert.match(text, /^dmid_ledger_anchors_total 12$/m);
  assert.match(text, /^dmid_ledger_receipts_total 12$/m);
  assert.match(text, /^dmid_ledger_batch_latency_seconds_bucket\{le="1.25"\} 1$/m);
  assert.match(text, /^dmid_ledger_errors_total\{operation="decode"\} 0$/m);
  assert.match(
    text,
    /^dmid_ledger_errors_total\{operation="anchor"\} 2$/m,
    'an unknown operation is not a label',
  );
});
