/**
 * The producer's partitioner (partitioner.ts) picks the partition kafkajs's DefaultPartitioner (the Java
 * client's rule) picks, for string and byte keys of every length and for non-ASCII text.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { murmur2, partitionOfKey } from '../../../src/ingest/partitioner.js';

// kafkajs's own implementation, the reference (reached by path: it is not exported).
const require = createRequire(import.meta.url);
const reference = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (
  key: string | Buffer,
) => number;

void test('murmur2 equals kafkajs (Java) murmur2 on known and random keys', () => {
  // From Kafka's UtilsTest.testMurmur2: the Java client's own vectors.
  const java: [string, number][] = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];
  for (const [key, hash] of java) assert.equal(murmur2(Buffer.from(key)), hash, key);
  for (let length = 0; length < 70; length += 1) {
    const key = randomBytes(length);
    assert.equal(murmur2(key), reference(key), `${length} random bytes`);
  }
});

void test('partitionOfKey matches kafkajs for 20,000 keys: ids, UUIDs, non-ASCII, bytes', () => {
  const partitions = [1, 3, 12, 48];
  for (let i = 0; i < 5_000; i += 1) {
    const keys: (string | Buffer)[] = [
      randomBytes(20).toString('base64url'),
      randomUUID(),
      `ключ-${i}-身份-${randomInt(1e9)}`,
      randomBytes(randomInt(1, 40)),
    ];
    for (const key of keys) {
      const n = partitions[i % partitions.length] ?? 12;
      const expected = (reference(key) & 0x7fffffff) % n;
      assert.equal(partitionOfKey(key, n), expected, String(key));
    }
  }
  // A key longer than the reused scratch buffer.
  const long = 'x'.repeat(5_000) + 'é';
  assert.equal(partitionOfKey(long, 12), (reference(long) & 0x7fffffff) % 12);
});
