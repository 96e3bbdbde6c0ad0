/**
 * Leaf encoding, receipts and the file ledger without anything running: the canonical leaf bytes are
 * stable, a receipt verifies against the ledger file, and a flipped byte in the record, the proof or a
 * block is detected.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { anchorBatch } from '../../../src/anchor/anchor-batch.js';
import { openFileLedger } from '../../../src/anchor/ledger/file-ledger.js';
import { walkChain } from '../../../src/anchor/ledger/file-chain.js';
import { leafBytes, leafHashOf, leafOf, parseReceipt, type Receipt } from '../../../src/anchor/receipt.js';
import { createMemoryReceiptStore } from '../../../src/anchor/receipt-store.js';
import { verifyReceipt } from '../../../src/anchor/verify-receipt.js';
import { isDmidError } from '../../../src/errors.js';
import { fakeAnchor, tempDir } from '../../support/anchors.js';

const FIXED = {
  anchorId: '0f8e2c1a-5b3d-8e4f-9a6b-7c8d9e0f1a2b',
  scoreId: '1a2b3c4d-5e6f-8a7b-8c9d-0e1f2a3b4c5d',
  recordHash: 'a'.repeat(64),
  subjectCommitment: 'b'.repeat(64),
  computedAt: 1_763_980_000_000,
  modelVersion: 'rules-1',
};

void test('canonical leaf bytes are stable and computable with SHA-256 alone', () => {
  const bytes = leafBytes(leafOf(FIXED));
  assert.equal(
    bytes.toString('utf8'),
    `dmid-anchor-leaf/1\n${FIXED.anchorId}\nSCORE\n${'a'.repeat(64)}\n${'b'.repeat(64)}\n1763980000000`,
  );
  const byHand = createHash('sha256')
    .update(Buffer.concat([Buffer.from([0]), bytes]))
    .digest('hex');
  assert.equal(leafHashOf(leafOf(FIXED)).toString('hex'), byHand);
  // Golden value: changing the leaf layout changes every receipt ever issued, so it must be deliberate.
  assert.equal(byHand, 'd6c010540d7e837fff4f2d909b935d29e1967f235602643b564a7be76cefbd73');
  assert.equal(leafOf({ ...FIXED, anchoredRecord: 'DECISION' }).recordType, 'DECISION');
});

async function anchoredReceipts(dir: string, n: number): Promise<{ receipts: Receipt[]; path: string }> {
  const path = join(dir, 'ledger.jsonl');
  const ledger = await openFileLedger({ path });
  const store = createMemoryReceiptStore();
  const receipts: Receipt[] = [];
  await anchorBatch(
    { ledger, store, sendReceipts: (r) => Promise.resolve(void receipts.push(...r)) },
    Array.from({ length: n }, () => fakeAnchor()),
  );
  await ledger.close();
  return { receipts, path };
}

void test('every receipt of a batch verifies against the ledger file; its JSON parses back', async (t) => {
  const { receipts, path } = await anchoredReceipts(await tempDir(t), 9);
  assert.equal(receipts.length, 9);
  for (const receipt of receipts) {
    const parsed = parseReceipt(JSON.parse(JSON.stringify(receipt)));
    const check = await verifyReceipt(parsed, {
      ledger: { kind: 'file', path },
      recordHash: receipt.anchor.recordHash,
    });
    assert.deepEqual(check.problems, []);
  }
});

void test('a flipped byte in the record, the proof or a block is detected', async (t) => {
  const dir = await tempDir(t);
  const { receipts, path } = await anchoredReceipts(dir, 5);
  const receipt = receipts[2];
  assert.ok(receipt !== undefined);
  const flip = (hex: string): string => `${hex[0] === '0' ? '1' : '0'}${hex.slice(1)}`;
  const badRecord = await verifyReceipt(receipt, { recordHash: flip(receipt.anchor.recordHash) });
  assert.deepEqual(
    badRecord.problems.map((p) => p.code),
    ['RECORD_MISMATCH'],
  );
  const badProof = { ...receipt, proof: receipt.proof.map((p, i) => (i === 0 ? flip(p) : p)) };
  assert.deepEqual(
    (await verifyReceipt(badProof, {})).problems.map((p) => p.code),
    ['PROOF_INVALID'],
  );
  const badLeaf = { ...receipt, anchor: { ...receipt.anchor, recordHash: flip(receipt.anchor.recordHash) } };
  assert.ok((await verifyReceipt(badLeaf, {})).problems.some((p) => p.code === 'LEAF_MISMATCH'));
  // Every single byte of the block line flipped in turn: the chain walk or the receipt check fails.
  const text = await readFile(path, 'utf8');
  const line = text.trimEnd();
  for (let i = 0; i < line.length; i++) {
    const bytes = Buffer.from(text);
    bytes[i] = (bytes[i] ?? 0) ^ 0x01;
    const copy = join(dir, `flipped-${i}.jsonl`);
    await writeFile(copy, bytes);
    const check = await verifyReceipt(receipt, { ledger: { kind: 'file', path: copy } });
    assert.deepEqual(
      check.problems.map((p) => p.code),
      ['ROOT_NOT_ON_LEDGER'],
      `byte ${i} flipped`,
    );
  }
});

void test('the chain walk names the first broken block; a torn last line is cut off on open', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'ledger.jsonl');
  const ledger = await openFileLedger({ path });
  for (let i = 0; i < 4; i++) await ledger.append({ root: fakeAnchor().recordHash, size: i + 1 });
  await ledger.close();
  const lines = (await readFile(path, 'utf8')).split('\n');
  assert.equal(walkChain(lines.join('\n')).blocks.length, 4);
  const tampered = [...lines];
  tampered[2] = (tampered[2] ?? '').replace('"count":3', '"count":4');
  assert.deepEqual(walkChain(tampered.join('\n')).break?.line, 3);
  const dropped = lines.filter((_, i) => i !== 1);
  assert.deepEqual(walkChain(dropped.join('\n')).break?.line, 2);
  await writeFile(path, `${lines.join('\n')}{"height":4,"pr`);
  let torn = 0;
  const reopened = await openFileLedger({ path, onTornTail: (bytes) => (torn = bytes) });
  assert.equal(torn, 15);
  assert.equal(reopened.height(), 4);
  await reopened.append({ root: fakeAnchor().recordHash, size: 1 });
  await reopened.close();
  assert.equal(walkChain(await readFile(path, 'utf8')).break, null);
});

void test('a root already on the ledger is not appended again', async (t) => {
  const path = join(await tempDir(t), 'ledger.jsonl');
  const ledger = await openFileLedger({ path });
  const root = fakeAnchor().recordHash;
  const first = await ledger.append({ root, size: 3 });
  assert.deepEqual(await ledger.append({ root, size: 3 }), first);
  assert.equal(ledger.height(), 1);
  await ledger.close();
});

void test('one writer per ledger file: a second open is refused, a lock left by a dead process is taken over', async (t) => {
  const path = join(await tempDir(t), 'ledger.jsonl');
  const ledger = await openFileLedger({ path });
  await assert.rejects(openFileLedger({ path }), (e) => isDmidError(e, 'DMID_LEDGER_UNAVAILABLE'));
  await ledger.close();
  // A pid no process has (above the kernel's pid_max): the lock of a writer killed with SIGKILL.
  await writeFile(`${path}.lock`, '4194305');
  const reopened = await openFileLedger({ path });
  await reopened.close();
  await writeFile(`${path}.lock`, String(process.ppid));
  await assert.rejects(openFileLedger({ path }), /in use by process/);
});
