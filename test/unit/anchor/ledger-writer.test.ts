/**
 * The ledger writer over the in-process log: receipts go out as AnchorReceipt records (Avro, like every
 * topic of the contract) carrying the receipt JSON, and an anchor record that does not decode lands on the
 * DLQ with its reason while the others are anchored.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { openFileLedger } from '../../../src/anchor/ledger/file-ledger.js';
import { createLedgerWriter } from '../../../src/anchor/ledger-writer.js';
import { parseReceipt } from '../../../src/anchor/receipt.js';
import { createMemoryReceiptStore } from '../../../src/anchor/receipt-store.js';
import { createCodec } from '../../../src/codec/codec.js';
import { createMemoryTransport } from '../../../src/ingest/memory-transport.js';
import { fakeAnchor, tempDir } from '../../support/anchors.js';
import { waitFor } from '../../support/pipeline.js';

const TOPICS = { anchors: 'identity.anchors', receipts: 'identity.anchor-receipts', dlq: 'signals.dlq' };

void test('bad-anchor-to-dlq: an undecodable anchor is dead-lettered with its reason; receipts are Avro', async (t) => {
  const dir = await tempDir(t);
  const codec = createCodec();
  const transport = createMemoryTransport({ partitions: 2 });
  const ledger = await openFileLedger({ path: join(dir, 'ledger.jsonl') });
  const writer = createLedgerWriter({
    transport,
    codec,
    ledger,
    store: createMemoryReceiptStore(),
    topics: TOPICS,
    groupId: 'ledger-test',
    logger: pino({ level: 'silent' }),
    batchMaxMs: 20,
  });
  const running = writer.run();
  t.after(async () => {
    await writer.stop();
    await running;
  });
  const anchors = [fakeAnchor(), fakeAnchor()];
  await transport.send([
    {
      topic: TOPICS.anchors,
      records: [
        { key: anchors[0]?.anchorId ?? '', value: codec.encode('anchor', anchors[0] ?? fakeAnchor()) },
        { key: 'garbage', value: Buffer.from('not an anchor at all') },
        { key: anchors[1]?.anchorId ?? '', value: codec.encode('anchor', anchors[1] ?? fakeAnchor()) },
      ],
    },
  ]);
  const receiptRecords = (): number => [0, 1].flatMap((p) => transport.records(TOPICS.receipts, p)).length;
  await waitFor(() => receiptRecords() === 2, 'two receipts');

  const letters = [0, 1].flatMap((p) => transport.records(TOPICS.dlq, p));
  assert.equal(letters.length, 1, 'one dead letter');
  assert.equal(letters[0]?.headers['dlq.reason'], 'DECODE_BAD_MAGIC');
  assert.equal(letters[0]?.headers['dlq.topic'], TOPICS.anchors);
  assert.equal(letters[0]?.headers['dlq.group'], 'ledger-test');
  assert.deepEqual(letters[0]?.value, Buffer.from('not an anchor at all'), 'the original bytes, unchanged');

  const receipts = [0, 1].flatMap((p) => transport.records(TOPICS.receipts, p));
  const ids = new Set<string>();
  for (const record of receipts) {
    const decoded = codec.decode('receipt', record.value ?? Buffer.alloc(0));
    const receipt = parseReceipt(JSON.parse(decoded.receipt));
    assert.equal(decoded.anchorId, receipt.anchor.anchorId);
    assert.equal(decoded.root, receipt.batch.root);
    assert.equal(record.key?.toString('utf8'), decoded.anchorId);
    ids.add(decoded.anchorId);
  }
  assert.deepEqual(ids, new Set(anchors.map((a) => a.anchorId)));
});
