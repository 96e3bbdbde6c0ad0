/**
 * One transaction per unit (src/ingest/kafka-transactions.ts) against a real broker:
 * - zombie-fenced: a producer whose transactional id was taken over by a newer instance cannot commit, and
 *   what it wrote is never seen by a read_committed reader;
 * - outputs-and-offsets-together: a transactional transport commits every handled batch's offsets with its
 *   outputs, and every output is read back once; the offsets of a transaction go in one TxnOffsetCommit
 *   request whatever the number of partitions (counted on the client's diagnostics channel: per-partition
 *   requests, as the client's own addOffset sends them, make more requests than transactions).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { test } from 'node:test';
import { isDmidError } from '../../../src/errors.js';
import { produceRecords, toNativeMessage } from '../../../src/ingest/kafka-client.js';
import { createTransactionalSender } from '../../../src/ingest/kafka-transactions.js';
import { createKafkaTransport } from '../../../src/ingest/kafka-transport.js';
import { randomGroupId, randomTopic, readRecords, testAdmin, testKafkaClient } from '../../support/kafka.js';
import { waitFor } from '../../support/pipeline.js';

const TEST_TIMEOUT = { timeout: 90_000 };

void test(
  'zombie-fenced: the older of two producers with one transactional id cannot commit',
  TEST_TIMEOUT,
  async (t) => {
    const topic = await randomTopic(t, 3);
    const transactionalId = `test-tx-${randomBytes(6).toString('hex')}`;
    const client = testKafkaClient({ logLevel: 'nothing' });
    const zombie = await client.producer({ transactionalId });
    t.after(() => zombie.disconnect());
    const open = await zombie.native.beginTransaction();
    await open.send({ messages: [toNativeMessage(topic, { key: 'k', value: Buffer.from('zombie') })] });

    // The new instance opens under the same id: the broker aborts the zombie's transaction and fences it.
    const successor = await client.producer({ transactionalId });
    t.after(() => successor.disconnect());
    const sender = (producer: typeof successor) =>
      createTransactionalSender({
        producer: () => Promise.resolve(producer),
        discardProducer: () => Promise.resolve(),
        consumer: () => undefined,
      });
    await sender(successor).send([{ topic, records: [{ key: 'k', value: Buffer.from('successor') }] }], []);

    await assert.rejects(open.commit(), 'the zombie cannot commit the transaction it had open');
    await assert.rejects(
      sender(zombie).send([{ topic, records: [{ key: 'k', value: Buffer.from('zombie-again') }] }], []),
      (error) => !isDmidError(error, 'DMID_KAFKA_UNAVAILABLE'),
      'a fenced producer is not retried as if the cluster were down',
    );
    await sender(successor).send([{ topic, records: [{ key: 'k', value: Buffer.from('last') }] }], []);
    // Same key, one partition, in log order: a visible zombie record would come before these.
    const values = (await readRecords({ topic, count: 2 })).map((r) => r.value?.toString());
    assert.deepEqual(values, ['successor', 'last']);
  },
);

void test(
  'outputs-and-offsets-together: a transactional transport commits offsets with its outputs',
  TEST_TIMEOUT,
  async (t) => {
    const RECORDS = 3_000;
    const input = await randomTopic(t, 6);
    const output = await randomTopic(t, 6);
    const client = testKafkaClient();
    const producer = await client.producer();
    t.after(() => producer.disconnect());
    await produceRecords(
      producer,
      input,
      Array.from({ length: RECORDS }, (_, i) => ({ key: `k${i}`, value: Buffer.from(`v${i}`) })),
    );
    const groupId = randomGroupId();
    // Kafka API keys: 26 EndTxn (one per transaction), 28 TxnOffsetCommit.
    const requests = { endTxn: 0, txnOffsetCommit: 0 };
    const countRequest = (context: unknown): void => {
      const apiKey = (context as { apiKey?: number }).apiKey;
      if (apiKey === 26) requests.endTxn += 1;
      if (apiKey === 28) requests.txnOffsetCommit += 1;
    };
    // The start event of the client's `plt:kafka:connections:api` tracing channel: one per request sent.
    const requestStart = 'tracing:plt:kafka:connections:api:start';
    subscribe(requestStart, countRequest);
    t.after(() => unsubscribe(requestStart, countRequest));
    const transport = createKafkaTransport({
      client,
      groupId,
      transactionalId: `test-tx-${randomBytes(6).toString('hex')}`,
    });
    let handled = 0;
    const running = transport.run({
      topics: [input],
      handle: async (batch) => {
        const records = batch.records.map((r) => ({ key: r.key?.toString() ?? null, value: r.value }));
        await transport.send([{ topic: output, records }], [batch]);
        handled += batch.records.length;
      },
    });
    await waitFor(() => handled >= RECORDS, `${RECORDS} records handled`, 60_000);
    await transport.stop();
    await running;
    const admin = await testAdmin(t);
    const [committed] = await admin.fetchOffsets(groupId, [input]);
    const total = (committed?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    assert.equal(total, RECORDS, 'committed offsets cover every handled record');
    const outputs = await readRecords({ topic: output, count: RECORDS });
    assert.equal(new Set(outputs.map((r) => r.value?.toString())).size, RECORDS, 'every output once');
    assert.ok(requests.endTxn > 0, 'transactions were committed');
    assert.ok(
      requests.txnOffsetCommit <= requests.endTxn,
      `one TxnOffsetCommit per transaction at most: ${JSON.stringify(requests)}`,
    );
    await admin.deleteGroups([groupId]).catch(() => undefined);
  },
);
