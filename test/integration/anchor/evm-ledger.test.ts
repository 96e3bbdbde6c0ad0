/**
 * The ledger writer with the EVM ledger: the DmidAnchor contract (compiled by solc-js) on a local Hardhat
 * node, real Kafka and Redis. Every anchor gets one receipt and every receipt verifies against the chain;
 * killed between append and commit and restarted, one receipt per anchor and no root anchored twice.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { openEvmLedger } from '../../../src/anchor/ledger/evm-ledger.js';
import type { Receipt } from '../../../src/anchor/receipt.js';
import { verifyReceipt } from '../../../src/anchor/verify-receipt.js';
import { main } from '../../../src/cli/main.js';
import { isDmidError } from '../../../src/errors.js';
import { fakeAnchor, tempDir } from '../../support/anchors.js';
import { captureIo } from '../../support/cli-io.js';
import { startEvmNode } from '../../support/evm-node.js';
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

void test('EVM ledger: killed between append and commit, then every anchor has one receipt that verifies on chain', async (t) => {
  const node = await startEvmNode(t);
  const pipeline = await startPipeline(t);
  const scores = pipeline.collect(pipeline.topics.scores);
  const anchors = pipeline.collect(pipeline.topics.anchors);
  const receipts = pipeline.collect(pipeline.topics.receipts);
  pipeline.startWorker();
  const run = await scoreSubjects(pipeline, { scores, anchors }, 15);

  const store = await receiptStoreFor(t, pipeline);
  const groupId = randomGroupId();
  const firstLedger = await openEvmLedger(node);
  const first = startLedgerWriter(t, pipeline, firstLedger, store, {
    groupId,
    onAppended: () => Promise.reject(new Killed('killed after append')),
  });
  await assert.rejects(first.running, Killed);
  await first.writer.stop();
  await firstLedger.close();
  assert.equal(receipts.records.length, 0);

  const ledger = await openEvmLedger(node);
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
  const roots = new Map<string, Receipt>();
  for (const receipt of all) roots.set(receipt.batch.root, receipt);
  const heights = [...roots.values()].map((r) => r.ledger.height).sort((a, b) => a - b);
  assert.deepEqual(
    heights,
    heights.map((_, i) => i),
    'each batch anchored once, heights 0..n-1',
  );
  assert.equal(
    [...roots.values()].reduce((sum, r) => sum + r.batch.size, 0),
    run.anchorIds.size,
  );
  for (const receipt of all) {
    assert.equal(receipt.ledger.kind, 'evm');
    const check = await verifyReceipt(receipt, { ledger: { kind: 'evm', rpcUrl: node.rpcUrl } });
    assert.deepEqual(check.problems, []);
  }

  // A receipt altered anywhere fails: another root is not on the chain, another proof does not lead to it.
  const sample = all[0];
  assert.ok(sample !== undefined);
  const otherRoot = { ...sample, batch: { ...sample.batch, root: fakeAnchor().recordHash } };
  const check = await verifyReceipt(otherRoot, { ledger: { kind: 'evm', rpcUrl: node.rpcUrl } });
  assert.deepEqual(
    check.problems.map((p) => p.code),
    ['PROOF_INVALID', 'ROOT_NOT_ON_LEDGER'],
  );
  const dir = await tempDir(t);
  await writeFile(join(dir, 'receipt.json'), JSON.stringify(sample));
  const io = captureIo();
  assert.equal(
    await main(['receipt', 'verify', join(dir, 'receipt.json'), '--rpc', node.rpcUrl], io),
    0,
    io.out(),
  );
  assert.match(io.out(), /OK: leaf and proof, ledger/);
});

void test('EVM ledger: `dmid ledger deploy` deploys a contract; another signer or chain is refused', async (t) => {
  const node = await startEvmNode(t);
  const io = captureIo({
    env: {
      DMID_EVM_RPC_URL: node.rpcUrl,
      DMID_EVM_CHAIN_ID: String(node.chainId),
      DMID_EVM_KEY: node.keyHex,
    },
  });
  assert.equal(await main(['ledger', 'deploy'], io), 0, io.err());
  const deployed = io.out().trim();
  assert.match(deployed, /^0x[0-9a-fA-F]{40}$/);
  const ledger = await openEvmLedger({ ...node, contract: deployed });
  const ref = await ledger.append({ root: fakeAnchor().recordHash, size: 2 });
  assert.equal(ref.height, 0);
  await ledger.close();
  const other = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
  await assert.rejects(openEvmLedger({ ...node, keyHex: other }), (e) =>
    isDmidError(e, 'DMID_LEDGER_REJECTED'),
  );
  await assert.rejects(openEvmLedger({ ...node, chainId: 1 }), (e) => isDmidError(e, 'DMID_LEDGER_REJECTED'));
});
