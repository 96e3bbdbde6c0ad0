/**
 * The ledger writer's batch protocol on the in-memory store and a file ledger (anchor-batch.ts):
 * a crash between append and commit, then the same anchors again, gives exactly one receipt per anchor
 * and no second block; a stale write-ahead proof is re-batched; the batcher cuts by size and by time.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { anchorBatch } from '../../../src/anchor/anchor-batch.js';
import { createBatcher } from '../../../src/anchor/anchor-batcher.js';
import { openFileLedger } from '../../../src/anchor/ledger/file-ledger.js';
import type { Receipt } from '../../../src/anchor/receipt.js';
import { createMemoryReceiptStore } from '../../../src/anchor/receipt-store.js';
import { fakeAnchor, tempDir } from '../../support/anchors.js';

class Crash extends Error {}

void test('crash-between-append-and-commit: replay gives one receipt per anchor and no duplicate batch', async (t) => {
  const path = join(await tempDir(t), 'ledger.jsonl');
  const store = createMemoryReceiptStore();
  const anchors = Array.from({ length: 20 }, () => fakeAnchor());
  const sent: Receipt[] = [];
  const sendReceipts = (r: readonly Receipt[]): Promise<void> => Promise.resolve(void sent.push(...r));
  const first = await openFileLedger({ path });
  const crash = (): Promise<void> => Promise.reject(new Crash('killed after append'));
  await assert.rejects(
    anchorBatch({ ledger: first, store, sendReceipts, onAppended: crash }, anchors),
    Crash,
  );
  await first.close();
  assert.equal(sent.length, 0);
  // Restart: the same anchors come again (offsets were not committed), split and in another order,
  // with a duplicate and new anchors mixed in.
  const ledger = await openFileLedger({ path });
  const extra = Array.from({ length: 5 }, () => fakeAnchor());
  const again = [...anchors].reverse();
  const r1 = await anchorBatch({ ledger, store, sendReceipts }, [...again.slice(0, 7), ...extra, again[0]!]);
  const r2 = await anchorBatch({ ledger, store, sendReceipts }, again.slice(7));
  const r3 = await anchorBatch({ ledger, store, sendReceipts }, anchors);
  assert.deepEqual([r1.appended !== null, r2.appended, r3.appended], [true, null, null]);
  assert.equal(ledger.height(), 2, 'the first batch and the batch of the new anchors');
  const byAnchor = new Map<string, number>();
  for (const r of sent) byAnchor.set(r.anchor.anchorId, (byAnchor.get(r.anchor.anchorId) ?? 0) + 1);
  assert.equal(byAnchor.size, 25);
  assert.ok(
    [...byAnchor.values()].every((n) => n === 1),
    'exactly one receipt per anchor',
  );
  await ledger.close();
});

void test('a proof saved for a batch that never reached the ledger is re-batched', async (t) => {
  const path = join(await tempDir(t), 'ledger.jsonl');
  const store = createMemoryReceiptStore();
  const anchors = Array.from({ length: 3 }, () => fakeAnchor());
  const ledger = await openFileLedger({ path });
  const failing = { ...ledger, append: () => Promise.reject(new Crash('ledger down')) };
  await assert.rejects(
    anchorBatch({ ledger: failing, store, sendReceipts: () => Promise.resolve() }, anchors),
  );
  const sent: Receipt[] = [];
  const result = await anchorBatch(
    { ledger, store, sendReceipts: (r) => Promise.resolve(void sent.push(...r)) },
    [anchors[1]!, anchors[2]!],
  );
  assert.equal(result.batched, 2);
  assert.equal(sent.length, 2);
  assert.equal(ledger.height(), 1);
  assert.equal((await store.readReceipt(anchors[1]!.anchorId))?.batch.size, 2);
  assert.equal(await store.readReceipt(anchors[0]!.anchorId), null, 'its batch is not on the ledger');
  await ledger.close();
});

void test('the batcher cuts by size at once and by time after the first item', async () => {
  const flushed: number[][] = [];
  const batcher = createBatcher<number>({
    maxItems: 3,
    maxDelayMs: 20,
    flush: (items) => Promise.resolve(void flushed.push(items)),
  });
  await batcher.add([1, 2, 3, 4]);
  assert.deepEqual(flushed, [[1, 2, 3], [4]]);
  await Promise.all([batcher.add([5]), batcher.add([6])]);
  assert.deepEqual(flushed.at(-1), [5, 6], 'two adds within the time limit share a batch');
  assert.equal(batcher.pending(), 0);
});

void test('a failed flush rejects the adds of its items only', async () => {
  let calls = 0;
  const batcher = createBatcher<number>({
    maxItems: 2,
    maxDelayMs: 1000,
    flush: () => (calls++ === 0 ? Promise.reject(new Crash('down')) : Promise.resolve()),
  });
  await assert.rejects(batcher.add([1, 2]), Crash);
  await batcher.add([3, 4]);
  assert.equal(calls, 2);
});
