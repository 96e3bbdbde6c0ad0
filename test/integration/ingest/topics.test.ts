import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { describe, test } from 'node:test';
import { isDmidError } from '../../../src/errors.js';
import type { KafkaAdmin } from '../../../src/ingest/kafka-client.js';
import { ensureTopics } from '../../../src/ingest/topics.js';
import { deleteTopicAfter, randomTopicName, testAdmin, testKafkaClient } from '../../support/kafka.js';

const TEST_TIMEOUT = { timeout: 60_000 };

/** A random topic name this test may create; deleted after the test if it exists then. */
function topicName(t: TestContext): string {
  const name = randomTopicName();
  deleteTopicAfter(t, name);
  return name;
}

async function partitionCount(admin: KafkaAdmin, name: string): Promise<number | undefined> {
  const metadata = await admin.fetchTopicMetadata([name]);
  return metadata[0]?.partitions.length;
}

void describe('ensureTopics against a real broker', () => {
  void test('creates a missing topic, then reports it as existing', TEST_TIMEOUT, async (t) => {
    const admin = await testAdmin(t);
    const name = topicName(t);
    const spec = { name, partitions: 6, replicationFactor: 1 };

    assert.deepEqual(await ensureTopics(admin, [spec]), { created: [name], existing: [], warnings: [] });
    assert.equal(await partitionCount(admin, name), 6);
    assert.deepEqual(await ensureTopics(admin, [spec]), { created: [], existing: [name], warnings: [] });
  });

  void test(
    'mixed: creates only the missing ones and leaves existing ones alone',
    TEST_TIMEOUT,
    async (t) => {
      const admin = await testAdmin(t);
      const old = topicName(t);
      const fresh = topicName(t);
      await ensureTopics(admin, [{ name: old, partitions: 2, replicationFactor: 1 }]);

      const result = await ensureTopics(admin, [
        { name: old, partitions: 2, replicationFactor: 1 },
        { name: fresh, partitions: 3, replicationFactor: 1 },
      ]);
      assert.deepEqual(result, { created: [fresh], existing: [old], warnings: [] });
      assert.equal(await partitionCount(admin, fresh), 3);
    },
  );

  void test(
    'fewer-partitions-warning: an existing smaller topic is reported, not altered',
    TEST_TIMEOUT,
    async (t) => {
      const admin = await testAdmin(t);
      const name = topicName(t);
      await ensureTopics(admin, [{ name, partitions: 4, replicationFactor: 1 }]);

      const result = await ensureTopics(admin, [{ name, partitions: 12, replicationFactor: 1 }]);
      assert.deepEqual(result.existing, [name]);
      assert.equal(result.warnings.length, 1);
      assert.deepEqual(
        { ...result.warnings[0], message: undefined },
        { topic: name, code: 'PARTITIONS_FEWER_THAN_ASKED', asked: 12, actual: 4, message: undefined },
      );
      assert.equal(await partitionCount(admin, name), 4);
    },
  );

  void test(
    'broker-refusal: a replication factor above the broker count is DMID_KAFKA_TOPIC_FAILED',
    TEST_TIMEOUT,
    async (t) => {
      // No log output: the refused request is no news here.
      const admin = await testKafkaClient({ logLevel: 'nothing' }).admin();
      t.after(() => admin.disconnect());
      const name = topicName(t);
      await assert.rejects(
        ensureTopics(admin, [{ name, partitions: 1, replicationFactor: 3 }]),
        (error) =>
          isDmidError(error, 'DMID_KAFKA_TOPIC_FAILED') &&
          error.cause !== undefined &&
          /replication.factor/i.test(error.message),
      );
    },
  );

  void test('bad specs are programmer errors, thrown before any request', TEST_TIMEOUT, async (t) => {
    const admin = await testAdmin(t);
    await assert.rejects(
      ensureTopics(admin, [{ name: 'bad name', partitions: 1, replicationFactor: 1 }]),
      RangeError,
    );
    await assert.rejects(
      ensureTopics(admin, [{ name: 'ok', partitions: 0, replicationFactor: 1 }]),
      RangeError,
    );
    await assert.rejects(
      ensureTopics(admin, [
        { name: 'twice', partitions: 1, replicationFactor: 1 },
        { name: 'twice', partitions: 1, replicationFactor: 1 },
      ]),
      RangeError,
    );
  });
});
