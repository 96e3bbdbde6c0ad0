/**
 * The Kafka transport's stop(): the batches handled before it are committed before the member leaves the
 * group, so a restart does not hand them out again. (kafkajs's consumer.stop() leaves the group at once;
 * a commit sent after it fails, which used to be dropped silently: found by bench/kafka-clients.ts, where
 * 373 of 5,000 handled records were committed.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { produceRecords } from '../../../src/ingest/kafka-client.js';
import { createKafkaTransport } from '../../../src/ingest/kafka-transport.js';
import { randomGroupId, randomTopic, testAdmin, testKafkaClient } from '../../support/kafka.js';
import { waitFor } from '../../support/pipeline.js';

const RECORDS = 5_000;

void test('stop-commits-handled: every batch handled before stop() is committed when stop() resolves', async (t) => {
  const topic = await randomTopic(t, 12);
  const client = testKafkaClient();
  const producer = await client.producer();
  t.after(() => producer.disconnect());
  await produceRecords(
    producer,
    topic,
    Array.from({ length: RECORDS }, (_, i) => ({ key: `k${i}`, value: Buffer.from(`v${i}`) })),
  );
  const groupId = randomGroupId();
  const transport = createKafkaTransport({ client, groupId });
  let handled = 0;
  const running = transport.run({
    topics: [topic],
    handle: async (batch) => {
      // Outputs acknowledged, as the worker's are, before the batch resolves.
      await transport.send([{ topic, records: [] }]);
      handled += batch.records.length;
    },
  });
  await waitFor(() => handled >= RECORDS, `${RECORDS} records handled`, 60_000);
  await transport.stop();
  await running;
  const admin = await testAdmin(t);
  const [committed] = await admin.fetchOffsets(groupId, [topic]);
  const total = (committed?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  assert.equal(total, RECORDS, 'committed offsets cover every handled record');
  await admin.deleteGroups([groupId]).catch(() => undefined);
});

void test(
  'stop-bounded: stop() abandons a unit whose produce never completes, within its grace period, uncommitted',
  { timeout: 60_000 },
  async (t) => {
    const input = await randomTopic(t, 1);
    // Never created (the broker does not create topics on demand): the client retries the produce for ever.
    const missing = `dmid-test-missing-${randomGroupId()}`;
    const client = testKafkaClient({ reconnectForever: true, logLevel: 'nothing' });
    const producer = await client.producer();
    t.after(() => producer.disconnect());
    await produceRecords(producer, input, [{ key: 'k', value: Buffer.from('v') }]);
    const groupId = randomGroupId();
    const GRACE_MS = 2000;
    const transport = createKafkaTransport({
      client,
      groupId,
      transactionalId: `test-tx-${groupId}`,
      stopGraceMs: GRACE_MS,
    });
    let sending = false;
    let sent = false;
    const running = transport.run({
      topics: [input],
      handle: async (batch) => {
        sending = true;
        await transport.send([{ topic: missing, records: [{ key: 'k', value: Buffer.from('x') }] }], [batch]);
        sent = true;
      },
    });
    await waitFor(() => sending, 'the unit producing', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(sent, false, 'the produce to a missing topic is still retrying');
    const start = performance.now();
    await transport.stop();
    await running.catch(() => undefined);
    const seconds = (performance.now() - start) / 1000;
    // Grace, then three close steps of at most 3 s each.
    assert.ok(seconds < GRACE_MS / 1000 + 9 + 1, `stop() took ${seconds.toFixed(1)} s`);
    const admin = await testAdmin(t);
    const [committed] = await admin.fetchOffsets(groupId, [input]);
    const total = (committed?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    assert.equal(total, 0, 'the abandoned unit is not committed');
    t.diagnostic(`stop-bounded: stop() took ${seconds.toFixed(2)} s (grace ${GRACE_MS} ms)`);
  },
);
