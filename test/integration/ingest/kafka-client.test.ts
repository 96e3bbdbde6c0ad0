import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { describe, test } from 'node:test';
import { isDmidError } from '../../../src/errors.js';
import type { KafkaProducer, ProduceRecord } from '../../../src/ingest/kafka-client.js';
import { produceRecords } from '../../../src/ingest/kafka-client.js';
import { consumeRecords } from '../../../src/ingest/kafka-reader.js';
import {
  randomGroupId,
  randomTopic,
  randomTopicName,
  readRecords,
  testAdmin,
  testKafkaClient,
} from '../../support/kafka.js';

const TEST_TIMEOUT = { timeout: 90_000 };

async function connectedProducer(t: TestContext): Promise<KafkaProducer> {
  const producer = await testKafkaClient().producer();
  t.after(() => producer.disconnect());
  return producer;
}

void describe('kafka-client against a real broker', () => {
  void test(
    'produce-consume-roundtrip: every record comes back once, with its key, value and headers',
    TEST_TIMEOUT,
    async (t) => {
      const topic = await randomTopic(t, 12);
      const producer = await connectedProducer(t);
      const records: ProduceRecord[] = Array.from({ length: 600 }, (_, i) => ({
        key: `subject-${i % 40}`,
        value: Buffer.from(`value-${i}`),
        headers: { 'dmid.seq': String(i), 'dlq.reason': 'DECODE_BAD_MAGIC', 'x-utf8': 'Grüße ✓' },
      }));

      const produced = await produceRecords(producer, topic, records, { maxBatchRecords: 250 });
      assert.equal(produced.records, 600);

      const consumed = await readRecords({ topic, count: 600 });
      const bySeq = new Map(consumed.map((r) => [Number(r.headers['dmid.seq']), r]));
      assert.equal(bySeq.size, 600, 'each record exactly once');
      for (const [i, sent] of records.entries()) {
        const got = bySeq.get(i);
        assert.ok(got, `record ${i} missing`);
        assert.equal(got.key, sent.key);
        assert.deepEqual(got.value, sent.value);
        assert.deepEqual(got.headers, sent.headers);
        assert.match(got.timestamp, /^\d{13}$/);
      }
    },
  );

  void test(
    'same-key-same-partition: one key never spreads over partitions and keeps its order',
    TEST_TIMEOUT,
    async (t) => {
      const topic = await randomTopic(t, 12);
      const producer = await connectedProducer(t);
      const records = Array.from({ length: 300 }, (_, i) => ({
        key: `subject-${i % 25}`,
        value: Buffer.from(String(i)),
      }));
      // Two calls, so the same keys are partitioned again by a later request.
      await produceRecords(producer, topic, records.slice(0, 150));
      await produceRecords(producer, topic, records.slice(150));

      const consumed = await readRecords({ topic, count: 300 });
      const partitionOf = new Map<string, number>();
      const lastSeq = new Map<string, number>();
      for (const r of consumed) {
        assert.ok(r.key !== null && r.value !== null);
        const seen = partitionOf.get(r.key);
        assert.ok(
          seen === undefined || seen === r.partition,
          `${r.key} on partitions ${seen} and ${r.partition}`,
        );
        partitionOf.set(r.key, r.partition);
        const seq = Number(r.value.toString());
        assert.ok(seq > (lastSeq.get(r.key) ?? -1), `${r.key} out of order`);
        lastSeq.set(r.key, seq);
      }
      assert.ok(new Set(partitionOf.values()).size > 1, '25 keys should use more than one partition');
    },
  );

  void test(
    'java-compatible-partitioning: keys land where the Java client puts them',
    TEST_TIMEOUT,
    async (t) => {
      // murmur2 values from Kafka's own UtilsTest.testMurmur2; the Java DefaultPartitioner picks
      // (murmur2(key) & 0x7fffffff) % partitions.
      const javaMurmur2: Record<string, number> = {
        '21': -973932308,
        foobar: -790332482,
        'a-little-bit-long-string': -985981536,
        'a-little-bit-longer-string': -1486304829,
        lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8: -58897971,
        abc: 479470107,
      };
      const topic = await randomTopic(t, 12);
      const producer = await connectedProducer(t);
      const keys = Object.keys(javaMurmur2);
      await produceRecords(
        producer,
        topic,
        keys.map((key) => ({ key, value: Buffer.from(key) })),
      );

      const consumed = await readRecords({ topic, count: keys.length });
      for (const r of consumed) {
        const hash = javaMurmur2[r.key ?? ''];
        assert.ok(hash !== undefined);
        assert.equal(r.partition, (hash & 0x7fffffff) % 12, `partition of key ${r.key}`);
      }
    },
  );

  void test(
    'concurrent-sends-keep-every-record: overlapping produce calls on one producer lose nothing',
    TEST_TIMEOUT,
    async (t) => {
      // Regression for tulios/kafkajs#1005: overlapping idempotent sends to one partition reuse sequence
      // numbers and the broker silently drops all but one.
      const topic = await randomTopic(t, 3);
      const producer = await connectedProducer(t);
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          produceRecords(producer, topic, [{ key: 'one-subject', value: Buffer.from(String(i)) }]),
        ),
      );
      const consumed = await readRecords({ topic, count: 30 });
      assert.equal(new Set(consumed.map((r) => r.offset)).size, 30);
    },
  );

  void test(
    'offset-commit-after-handler: a record whose handler threw is read again by the group',
    TEST_TIMEOUT,
    async (t) => {
      const topic = await randomTopic(t, 1);
      const producer = await connectedProducer(t);
      await produceRecords(
        producer,
        topic,
        ['a', 'b', 'c'].map((v) => ({ key: 'k', value: Buffer.from(v) })),
      );
      const groupId = randomGroupId();
      const failure = new Error('handler failed on b');
      const guard = AbortSignal.timeout(30_000);
      const seen: string[] = [];
      await assert.rejects(
        consumeRecords({
          client: testKafkaClient(),
          topic,
          groupId,
          fromBeginning: true,
          signal: guard,
          onRecord: (r) => {
            const v = r.value?.toString() ?? '';
            seen.push(v);
            if (v === 'b') throw failure;
          },
        }),
        (error) => error === failure,
      );
      assert.deepEqual(seen, ['a', 'b']);

      const again = await readRecords({ topic, count: 2, groupId });
      assert.deepEqual(
        again.map((r) => r.value?.toString()),
        ['b', 'c'],
      );
    },
  );

  void test(
    'unknown-topic: producing to a topic that does not exist fails instead of creating it',
    TEST_TIMEOUT,
    async (t) => {
      // Few retries: the broker's UNKNOWN_TOPIC_OR_PARTITION is retried first (the topic may be being created).
      const client = testKafkaClient({ retries: 2, logLevel: 'nothing' });
      const producer = await client.producer();
      t.after(() => producer.disconnect());
      const topic = randomTopicName();
      await assert.rejects(
        produceRecords(producer, topic, [{ key: 'k', value: Buffer.from('v') }]),
        // Not retried for ever: a process that may not create the topic stops with one clear line.
        (error) =>
          isDmidError(error, 'DMID_KAFKA_TOPIC_MISSING') && !error.canRetry && error.message.includes(topic),
      );
      const admin = await testAdmin(t);
      assert.equal((await admin.listTopics()).includes(topic), false, 'auto topic creation must stay off');
    },
  );
});
