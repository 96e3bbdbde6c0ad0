/**
 * One transaction per unit (src/ingest/kafka-transactions.ts) against a real broker:
 * - zombie-fenced: a producer whose transactional id was taken over by a newer instance cannot commit, and
 *   what it wrote is never seen by a read_committed reader;
 * - outputs-and-offsets-together: a transactional transport commits every handled batch's offsets with its
 *   outputs, and every output is read back once; two input topics, so that one transaction's offsets span
 *   several partitions of several topics (sent in one request, src/ingest/txn-offsets.ts).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
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
    const inputs = [await randomTopic(t, 6), await randomTopic(t, 6)];
    const output = await randomTopic(t, 6);
    const client = testKafkaClient();
    const producer = await client.producer();
    t.after(() => producer.disconnect());
    for (const [n, input] of inputs.entries()) {
      await produceRecords(
        producer,
        input,
        Array.from({ length: RECORDS / 2 }, (_, i) => ({
          key: `k${n}-${i}`,
          value: Buffer.from(`v${n}-${i}`),
        })),
      );
    }
    const groupId = randomGroupId();
    const transport = createKafkaTransport({
      client,
      groupId,
      transactionalId: `test-tx-${randomBytes(6).toString('hex')}`,
    });
    let handled = 0;
    const running = transport.run({
      topics: inputs,
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
    const committed = await admin.fetchOffsets(groupId, inputs);
    for (const input of inputs) {
      const partitions = committed.find((c) => c.topic === input)?.partitions ?? [];
      const total = partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
      assert.equal(total, RECORDS / 2, `committed offsets of ${input} cover every handled record`);
    }
    const outputs = await readRecords({ topic: output, count: RECORDS });
    assert.equal(new Set(outputs.map((r) => r.value?.toString())).size, RECORDS, 'every output once');
    await admin.deleteGroups([groupId]).catch(() => undefined);
  },
);
