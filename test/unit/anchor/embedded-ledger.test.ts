/**
 * The embedded mode's ledger (embedded-ledger.ts): anchors the worker sends through the teed transport
 * reach the file ledger, and their receipts (from the store the API reads) verify with `dmid receipt
 * verify` against the ledger file; `dmid ledger verify` walks it; the in-memory store stays bounded.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { startEmbeddedLedger } from '../../../src/anchor/embedded-ledger.js';
import { NO_LEDGER_METRICS } from '../../../src/anchor/ledger-writer.js';
import { leafHashOf, leafOf } from '../../../src/anchor/receipt.js';
import { createMemoryReceiptStore } from '../../../src/anchor/receipt-store.js';
import { main } from '../../../src/cli/main.js';
import { createCodec } from '../../../src/codec/codec.js';
import { loadConfig } from '../../../src/config.js';
import { createMemoryTransport } from '../../../src/ingest/memory-transport.js';
import { createMemoryStore } from '../../../src/state/memory-store.js';
import { fakeAnchor, tempDir } from '../../support/anchors.js';
import { captureIo } from '../../support/cli-io.js';
import { telecom } from '../../support/evidence-factory.js';
import { waitFor } from '../../support/pipeline.js';

void test('embedded mode anchors into the file ledger; a receipt from its store verifies with the CLI', async (t) => {
  const dir = await tempDir(t);
  const ledgerFile = join(dir, 'ledger.jsonl');
  const config = loadConfig({ DMID_LEDGER_FILE: ledgerFile, DMID_LEDGER_BATCH_MS: '20' });
  const codec = createCodec();
  const embedded = await startEmbeddedLedger(config, {
    codec,
    logger: pino({ level: 'silent' }),
    metrics: NO_LEDGER_METRICS,
  });
  const transport = embedded.tee(createMemoryTransport());
  const anchors = Array.from({ length: 40 }, () => fakeAnchor());
  await transport.send([
    {
      topic: config.topics.names.anchors,
      records: anchors.map((a) => ({ key: a.anchorId, value: codec.encode('anchor', a) })),
    },
    { topic: config.topics.names.scores, records: [{ key: 'x', value: Buffer.from('not an anchor') }] },
  ]);
  await waitFor(
    async () => (await embedded.receipts.readReceipt(anchors.at(-1)?.anchorId ?? '')) !== null,
    'receipts',
  );
  await embedded.stop();
  for (const anchor of anchors) {
    const receipt = await embedded.receipts.readReceipt(anchor.anchorId);
    assert.ok(receipt !== null);
    const file = join(dir, `${anchor.anchorId}.json`);
    await writeFile(file, JSON.stringify(receipt));
    const io = captureIo();
    assert.equal(await main(['receipt', 'verify', file, '--ledger', ledgerFile], io), 0, io.out());
  }
  const io = captureIo();
  assert.equal(await main(['ledger', 'verify', ledgerFile], io), 0);
  assert.match(io.out(), /^OK: \d+ block\(s\), 40 anchor\(s\)/);
});

void test('dmid ledger verify reports the first broken block; receipt verify refuses a bad document', async (t) => {
  const dir = await tempDir(t);
  const broken = join(dir, 'broken.jsonl');
  await writeFile(broken, '{"height":0}\n');
  const io = captureIo();
  assert.equal(await main(['ledger', 'verify', broken], io), 1);
  assert.match(io.out(), /BROKEN at line 1/);
  const bad = join(dir, 'receipt.json');
  await writeFile(bad, '{"format":"dmid-receipt/1"}');
  const io2 = captureIo();
  assert.equal(await main(['receipt', 'verify', bad], io2), 1);
  assert.match(io2.err(), /DMID_RECEIPT_INVALID/);
  assert.equal(await main(['subject', 'erase', 'not-a-pseudonym'], captureIo()), 2);
});

void test('eraseSubject forgets the state and its salt (in-memory twin)', async () => {
  const store = createMemoryStore();
  const subject = 'abcdefghijklmnopqrstuvwxyz234567';
  assert.equal(await store.eraseSubject(subject), false, 'nothing to erase');
  const [applied] = await store.applySignals([
    { subjectId: subject, signals: [{ kind: 'telecom', signal: telecom({ subjectId: subject }) }] },
  ]);
  assert.match(applied?.salt ?? '', /^[0-9a-f]{64}$/);
  assert.equal(await store.eraseSubject(subject), true);
  const state = await store.readState(subject);
  assert.equal(state.salt, null);
  assert.equal(state.version, 0);
});

void test('the in-memory receipt store keeps at most maxEntries anchors, dropping the oldest', async () => {
  const store = createMemoryReceiptStore({ maxEntries: 2 });
  const proofs = [fakeAnchor(), fakeAnchor(), fakeAnchor()].map((a, i) => ({
    leaf: { ...leafOf(a), recordId: a.scoreId },
    leafHash: leafHashOf(leafOf(a)).toString('hex'),
    leafIndex: i,
    root: a.recordHash,
    size: 3,
    proof: [],
  }));
  await store.saveProofs(proofs);
  const held = await store.readAnchors(proofs.map((p) => p.leaf.anchorId));
  assert.deepEqual(
    held.map((h) => h !== null),
    [false, true, true],
  );
});
