/**
 * The linear message grouping (kafkajs-grouping.ts) gives what kafkajs's own gives, and it is the one
 * kafkajs uses once the Kafka client is loaded.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import '../../../src/ingest/kafka-client.js';
import {
  groupMessagesPerPartition,
  originalGroupMessagesPerPartition,
  type GroupArguments,
} from '../../../src/ingest/kafkajs-grouping.js';

interface Message {
  readonly key: string;
  readonly value: string;
}

const original = originalGroupMessagesPerPartition as (args: GroupArguments<Message>) => unknown;

function argsFor(messages: Message[], partitions: number): GroupArguments<Message> {
  return {
    topic: 'identity.scores',
    partitionMetadata: Array.from({ length: partitions }, (_, partitionId) => ({ partitionId })),
    messages,
    partitioner: ({ message }) => Number(message.key) % partitions,
  };
}

void test('grouping equals kafkajs: same partitions, same order, same key order', () => {
  for (const [count, partitions] of [
    [0, 12],
    [1, 12],
    [7, 1],
    [500, 12],
    [3_000, 48],
  ] as const) {
    const messages = Array.from({ length: count }, (_, i) => ({
      key: String(randomInt(1_000_000)),
      value: `v${i}`,
    }));
    const args = argsFor(messages, partitions);
    const expected = original(args);
    const actual = groupMessagesPerPartition(args);
    assert.deepEqual(actual, expected, `${count} messages over ${partitions} partitions`);
    assert.deepEqual(Object.keys(actual), Object.keys(expected as object));
    // The messages themselves, not copies: kafkajs encodes what it was given.
    for (const list of Object.values(actual)) for (const m of list) assert.ok(messages.includes(m));
  }
});

void test('a topic without partition metadata gives no groups, as in kafkajs', () => {
  const args = { ...argsFor([{ key: '1', value: 'v' }], 1), partitionMetadata: [] };
  assert.deepEqual(groupMessagesPerPartition(args), original(args));
  assert.deepEqual(groupMessagesPerPartition(args), {});
});

void test('kafkajs uses the linear grouping once the Kafka client is loaded', () => {
  const require = createRequire(import.meta.url);
  const inUse: unknown = require('kafkajs/src/producer/groupMessagesPerPartition.js');
  assert.equal(inUse, groupMessagesPerPartition);
  // The replacement was written against this version; another one needs the comparison above re-read.
  const { version } = require('kafkajs/package.json') as { version: string };
  assert.equal(version, '2.2.4');
});
