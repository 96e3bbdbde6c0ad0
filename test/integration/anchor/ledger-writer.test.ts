/**
 * The ledger writer on a real broker and Redis, with the file ledger: scores flow, every anchor gets one
 * receipt, every receipt verifies (record, proof, ledger; also through the API and `dmid receipt
 * verify`); killed between append and commit and restarted, every anchor still has exactly one receipt
 * and the ledger no duplicate batch.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { framedRecordHash } from '../../../src/anchor/commitment.js';
import { walkChain } from '../../../src/anchor/ledger/file-chain.js';
import { openFileLedger } from '../../../src/anchor/ledger/file-ledger.js';
import { verifyReceipt } from '../../../src/anchor/verify-receipt.js';
import { createMetrics } from '../../../src/api/metrics.js';
import { createApiServer } from '../../../src/api/server.js';
import { main } from '../../../src/cli/main.js';
import { DEMO_CLIENTS_FILE } from '../../../src/access/clients.js';
import { loadConfig } from '../../../src/config.js';
import { createAccessGuards, openRelyingPartyRedis } from '../../../src/relying-parties.js';
import { subjectId } from '../../support/evidence-factory.js';
import { redisUrl } from '../../support/redis.js';
import { DEFAULT_HALF_LIVES_MS } from '../../../src/scoring/decay.js';
import { tempDir } from '../../support/anchors.js';
import { captureIo } from '../../support/cli-io.js';
import { randomGroupId } from '../../support/kafka.js';
import {
  receiptCounts,
  receiptsOf,
  aReceiptPerAnchor,
  RECEIPTS_TIMEOUT_MS,
  receiptStoreFor,
  startLedgerWriter,
} from '../../support/ledger-writer.js';
import { startPipeline } from '../../support/pipeline.js';
import { scoreSubjects } from '../../support/scored-subjects.js';

class Killed extends Error {}

void test('scores flow, every anchor gets one receipt, and every receipt verifies against the file ledger', async (t) => {
  const pipeline = await startPipeline(t);
  const scores = pipeline.collect(pipeline.topics.scores);
  const anchors = pipeline.collect(pipeline.topics.anchors);
  const receipts = pipeline.collect(pipeline.topics.receipts);
  pipeline.startWorker();
  const path = join(await tempDir(t), 'ledger.jsonl');
  const ledger = await openFileLedger({ path });
  t.after(() => ledger.close());
  const store = await receiptStoreFor(t, pipeline);
  const writer = startLedgerWriter(t, pipeline, ledger, store);
  const run = await scoreSubjects(pipeline, { scores, anchors }, 25);
  await receipts.until(
    aReceiptPerAnchor(run.anchorIds, writer.running),
    'a receipt per anchor',
    RECEIPTS_TIMEOUT_MS,
  );
  const all = receiptsOf(receipts.records);
  assert.ok(
    [...receiptCounts(all).values()].every((n) => n === 1),
    'exactly one receipt per anchor',
  );
  assert.deepEqual(new Set(all.map((r) => r.anchor.anchorId)), run.anchorIds);

  const recordHashes = new Map(
    scores.records.map((r) => {
      const value = r.value ?? Buffer.alloc(0);
      return [pipeline.codec.decode('score', value).scoreId, framedRecordHash(value)];
    }),
  );
  for (const receipt of all) {
    const recordHash = recordHashes.get(receipt.anchor.recordId);
    assert.ok(recordHash !== undefined, 'the receipt names a produced score');
    const check = await verifyReceipt(receipt, { recordHash, ledger: { kind: 'file', path } });
    assert.deepEqual(check.problems, [], 'record, leaf, proof and ledger all check out');
    assert.deepEqual(
      await store.readReceipt(receipt.anchor.anchorId),
      receipt,
      'the stored receipt is the same',
    );
  }
  const walk = walkChain(await readFile(path, 'utf8'));
  assert.equal(walk.break, null);
  assert.equal(
    walk.blocks.reduce((sum, b) => sum + b.count, 0),
    run.anchorIds.size,
    'each anchor in one block',
  );

  // The API serves the same document; `dmid receipt verify` checks it with the record and a copy of the ledger.
  // Receipts go only to a party that received the record, with its API key (issue 18).
  const guardRedis = openRelyingPartyRedis(redisUrl());
  t.after(() => guardRedis.disconnect());
  const guards = createAccessGuards(
    loadConfig({ DMID_CLIENTS_FILE: DEMO_CLIENTS_FILE, DMID_REDIS_KEY_PREFIX: pipeline.keyPrefix }),
    guardRedis,
    pino({ level: 'silent' }),
  );
  const api = createApiServer({
    store: pipeline.store,
    receipts: store,
    metrics: createMetrics(undefined, { defaultMetrics: false }),
    readiness: () => ({ ready: true, checks: {} }),
    halfLives: DEFAULT_HALF_LIVES_MS,
    logger: pino({ level: 'silent' }),
    accessGuards: guards,
  });
  t.after(() => api.close());
  const sample = all[0];
  assert.ok(sample !== undefined);
  const get = (anchorId: string, key?: string) =>
    api.app.inject({
      method: 'GET',
      url: `/v1/anchors/${anchorId}/receipt`,
      headers: key === undefined ? {} : { authorization: `Bearer ${key}` },
    });
  const pensionKey = 'demo-pension-key-0003-not-secret';
  assert.equal((await get(sample.anchor.anchorId)).statusCode, 401);
  assert.equal((await get(sample.anchor.anchorId, pensionKey)).statusCode, 404);
  // As the engine records it when the pension office reads the score.
  await guards.access.grantReceipt(
    'pension-office',
    { recordId: sample.anchor.recordId, subjectId: subjectId(), purpose: null },
    Date.now() + 60_000,
  );
  const response = await get(sample.anchor.anchorId, pensionKey);
  assert.equal(response.statusCode, 200);
  assert.deepEqual(JSON.parse(response.body), sample);
  assert.equal((await get(sample.anchor.anchorId, 'demo-insurer-key-0002-not-secret')).statusCode, 404);
  const missing = await get('00000000-0000-4000-8000-000000000000', pensionKey);
  assert.equal(missing.statusCode, 404);
  const dir = await tempDir(t);
  const scoreRecord = scores.records.find(
    (r) => pipeline.codec.decode('score', r.value ?? Buffer.alloc(0)).scoreId === sample.anchor.recordId,
  );
  assert.ok(scoreRecord?.value);
  await writeFile(join(dir, 'receipt.json'), response.body);
  await writeFile(
    join(dir, 'score.json'),
    pipeline.codec.toJson('score', pipeline.codec.decode('score', scoreRecord.value)),
  );
  await writeFile(join(dir, 'ledger-copy.jsonl'), await readFile(path));
  const io = captureIo();
  const args = ['receipt', 'verify', join(dir, 'receipt.json'), '--record', join(dir, 'score.json')];
  const code = await main([...args, '--ledger', join(dir, 'ledger-copy.jsonl')], io);
  assert.equal(code, 0, io.out() + io.err());
  assert.match(io.out(), /OK: leaf and proof, record, ledger/);
});

void test('killed between ledger append and offset commit: on restart one receipt per anchor, no duplicate batch', async (t) => {
  const pipeline = await startPipeline(t);
  const scores = pipeline.collect(pipeline.topics.scores);
  const anchors = pipeline.collect(pipeline.topics.anchors);
  const receipts = pipeline.collect(pipeline.topics.receipts);
  pipeline.startWorker();
  const run = await scoreSubjects(pipeline, { scores, anchors }, 20);

  const path = join(await tempDir(t), 'ledger.jsonl');
  const store = await receiptStoreFor(t, pipeline);
  const groupId = randomGroupId();
  const firstLedger = await openFileLedger({ path });
  let appended = 0;
  const first = startLedgerWriter(t, pipeline, firstLedger, store, {
    groupId,
    // The "kill": the root is on the ledger, nothing after it happens, no offset is committed.
    onAppended: () => Promise.reject(new Killed(`killed after append ${++appended}`)),
  });
  await assert.rejects(first.running, Killed);
  await first.writer.stop();
  await firstLedger.close();
  const blocksBefore = walkChain(await readFile(path, 'utf8')).blocks;
  assert.ok(blocksBefore.length >= 1, 'the first writer appended before it was killed');
  assert.equal(receipts.records.length, 0, 'no receipt went out before the kill');

  const ledger = await openFileLedger({ path });
  t.after(() => ledger.close());
  const second = startLedgerWriter(t, pipeline, ledger, store, { groupId });
  await receipts.until(
    aReceiptPerAnchor(run.anchorIds, second.running),
    'a receipt per anchor',
    RECEIPTS_TIMEOUT_MS,
  );
  const all = receiptsOf(receipts.records);
  assert.ok(
    [...receiptCounts(all).values()].every((n) => n === 1),
    'exactly one receipt per anchor',
  );
  const walk = walkChain(await readFile(path, 'utf8'));
  assert.equal(walk.break, null, 'the chain is whole and no root appears twice');
  assert.equal(
    walk.blocks.reduce((sum, b) => sum + b.count, 0),
    run.anchorIds.size,
    'no anchor in two blocks',
  );
  assert.deepEqual(
    walk.blocks.slice(0, blocksBefore.length),
    blocksBefore,
    'the blocks before the kill stand',
  );
  for (const receipt of all) {
    const check = await verifyReceipt(receipt, { ledger: { kind: 'file', path } });
    assert.deepEqual(check.problems, []);
  }
});
