/**
 * no-subject-on-the-ledger: given every anchor, receipt and the ledger, and a list of 100,000 candidate
 * subject ids that includes the real ones, no anchor can be linked to a subject without the salts. With a
 * subject's salt it can (so the check is not vacuous); after `eraseSubject` deletes the salt, the
 * subject's receipts still verify but no longer link.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { subjectCommitment } from '../../../src/anchor/commitment.js';
import { openFileLedger } from '../../../src/anchor/ledger/file-ledger.js';
import { verifyReceipt } from '../../../src/anchor/verify-receipt.js';
import { tempDir } from '../../support/anchors.js';
import { subjectId } from '../../support/evidence-factory.js';
import {
  receiptsOf,
  aReceiptPerAnchor,
  RECEIPTS_TIMEOUT_MS,
  receiptStoreFor,
  startLedgerWriter,
} from '../../support/ledger-writer.js';
import { startPipeline } from '../../support/pipeline.js';
import { scoreSubjects } from '../../support/scored-subjects.js';

const CANDIDATES = 100_000;

/** Every way to derive a commitment from a subject id alone that an attacker might try. */
function unsaltedGuesses(candidate: string): string[] {
  const sha = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
  const hmac = (key: string, text: string): string =>
    createHmac('sha256', key).update(text, 'utf8').digest('hex');
  return [
    sha(candidate),
    hmac(candidate, ''),
    hmac('', candidate),
    hmac(candidate, candidate),
    sha(`dmid:${candidate}`),
  ];
}

void test('no-subject-on-the-ledger: 100,000 candidates incl. the real ids link nothing without the salts; erasure unlinks', async (t) => {
  const pipeline = await startPipeline(t);
  const scores = pipeline.collect(pipeline.topics.scores);
  const anchors = pipeline.collect(pipeline.topics.anchors);
  const receipts = pipeline.collect(pipeline.topics.receipts);
  pipeline.startWorker();
  const path = join(await tempDir(t), 'ledger.jsonl');
  const ledger = await openFileLedger({ path });
  t.after(() => ledger.close());
  const writer = startLedgerWriter(t, pipeline, ledger, await receiptStoreFor(t, pipeline));
  const run = await scoreSubjects(pipeline, { scores, anchors }, 20);
  await receipts.until(
    aReceiptPerAnchor(run.anchorIds, writer.running),
    `a receipt per anchor (${run.anchorIds.size} anchors)`,
    RECEIPTS_TIMEOUT_MS,
  );

  // The test's oracle (never available to an attacker): whose anchor is whose, through the score records.
  const subjectOfScore = new Map<string, string>();
  for (const r of scores.records) {
    const score = pipeline.codec.decode('score', r.value ?? Buffer.alloc(0));
    subjectOfScore.set(score.scoreId, score.subjectId);
  }
  const anchorList = pipeline.anchorsOf(anchors);
  const commitments = new Set(anchorList.map((a) => a.subjectCommitment));

  // What is public: anchors, receipts, the ledger. No subject id appears in any of it.
  const published = [
    ...anchors.records.map((r) => (r.value ?? Buffer.alloc(0)).toString('latin1')),
    ...receipts.records.map((r) => (r.value ?? Buffer.alloc(0)).toString('utf8')),
    await readFile(path, 'utf8'),
  ].join('\n');
  for (const subject of run.subjects)
    assert.ok(!published.includes(subject), 'a subject id in published data');

  const candidates = [...run.subjects];
  while (candidates.length < CANDIDATES) candidates.push(subjectId());
  let links = 0;
  for (const candidate of candidates) {
    for (const guess of unsaltedGuesses(candidate)) if (commitments.has(guess)) links++;
  }
  assert.equal(links, 0, 'no anchor links to any candidate without the salts');

  // With the salts (held only in Redis), every anchor links to its subject.
  const salts = new Map<string, string>();
  for (const subject of run.subjects) {
    const salt = (await pipeline.store.readState(subject)).salt;
    assert.ok(salt !== null);
    salts.set(subject, salt);
  }
  for (const anchor of anchorList) {
    const subject = subjectOfScore.get(anchor.scoreId) ?? '';
    assert.equal(subjectCommitment(salts.get(subject) ?? '', subject), anchor.subjectCommitment);
  }

  // Erasure: the first half of the subjects lose their salt.
  const erased = new Set(run.subjects.slice(0, 10));
  for (const subject of erased) assert.equal(await pipeline.store.eraseSubject(subject), true);
  for (const subject of erased) assert.equal((await pipeline.store.readState(subject)).salt, null);
  const remainingSalts = run.subjects.filter((s) => !erased.has(s)).map((s) => salts.get(s) ?? '');
  const erasedAnchors = anchorList.filter((a) => erased.has(subjectOfScore.get(a.scoreId) ?? ''));
  assert.ok(erasedAnchors.length >= erased.size);
  const erasedCommitments = new Set(erasedAnchors.map((a) => a.subjectCommitment));
  // Everything still held (the other subjects' salts) against every candidate: no erased anchor links.
  for (const candidate of candidates.slice(0, 2_000)) {
    for (const salt of remainingSalts) {
      assert.ok(!erasedCommitments.has(subjectCommitment(salt, candidate)), 'an erased anchor still links');
    }
  }
  for (const candidate of candidates) {
    for (const guess of unsaltedGuesses(candidate)) assert.ok(!erasedCommitments.has(guess));
  }
  // ...and their receipts still verify.
  const erasedIds = new Set(erasedAnchors.map((a) => a.anchorId));
  const erasedReceipts = receiptsOf(receipts.records).filter((r) => erasedIds.has(r.anchor.anchorId));
  assert.equal(erasedReceipts.length, erasedIds.size);
  for (const receipt of erasedReceipts) {
    assert.deepEqual((await verifyReceipt(receipt, { ledger: { kind: 'file', path } })).problems, []);
  }
});
