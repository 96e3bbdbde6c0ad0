/**
 * The producer's partitioner (partitioner.ts) picks the partition the Java client picks: checked against
 * vectors computed by Kafka's own Java code (kafka-clients 3.9.2: Utils.murmur2, then
 * Utils.toPositive(hash) % partitions, the rule of its BuiltInPartitioner for keyed records), and against
 * @platformatic/kafka's murmur2 for random keys of every length.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { murmur2 as clientMurmur2 } from '@platformatic/kafka';
import { murmur2, partitionOfKey } from '../../../src/ingest/partitioner.js';

// Printed by a Java program on kafka-clients-3.9.2.jar (see the commit adding this test):
// key, Utils.murmur2(key UTF-8), then the partition among 1, 3, 12 and 48 partitions.
const JAVA_VECTORS: [string, number, number[]][] = [
  ['', 275646681, [0, 0, 9, 9]],
  ['a', -1563381124, [0, 1, 4, 28]],
  ['ab', 316155434, [0, 2, 2, 26]],
  ['abc', 479470107, [0, 0, 3, 27]],
  ['21', -973932308, [0, 0, 0, 12]],
  ['subject-1', -858217773, [0, 2, 11, 35]],
  ['ключ-身份', -1775490000, [0, 2, 8, 32]],
  ['7f3kq2zq5c7m4x6n2b8v9w0y1a3s5d7f', -2141280849, [0, 2, 11, 47]],
  ['a-little-bit-longer-string', -1486304829, [0, 2, 11, 35]],
  ['x'.repeat(300) + 'é', -636357394, [0, 1, 10, 46]],
];

void test('murmur2 and partitionOfKey give the hash and partition of the Java client', () => {
  for (const [key, hash, partitions] of JAVA_VECTORS) {
    const label = key.length > 40 ? `${key.length}-character key` : JSON.stringify(key);
    assert.equal(murmur2(Buffer.from(key, 'utf8')), hash, label);
    assert.deepEqual(
      [1, 3, 12, 48].map((n) => partitionOfKey(key, n)),
      partitions,
      `string ${label}`,
    );
    assert.deepEqual(
      [1, 3, 12, 48].map((n) => partitionOfKey(Buffer.from(key, 'utf8'), n)),
      partitions,
      `bytes ${label}`,
    );
  }
  // From Kafka's UtilsTest.testMurmur2.
  assert.equal(murmur2(Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8')), -58897971);
  assert.equal(murmur2(Buffer.from('foobar')), -790332482);
});

void test('murmur2 equals the murmur2 of the client library for random keys of every length', () => {
  for (let length = 0; length < 70; length += 1) {
    const key = randomBytes(length);
    assert.equal(murmur2(key), clientMurmur2(key), `${length} random bytes`);
  }
});

void test('partitionOfKey is the masked hash modulo the partitions for 20,000 keys: ids, UUIDs, non-ASCII, bytes', () => {
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
      const expected = (clientMurmur2(typeof key === 'string' ? Buffer.from(key) : key) & 0x7fffffff) % n;
      assert.equal(partitionOfKey(key, n), expected, String(key));
    }
  }
  // A key longer than the reused scratch buffer.
  const long = 'x'.repeat(5_000) + 'é';
  assert.equal(partitionOfKey(long, 12), (clientMurmur2(Buffer.from(long)) & 0x7fffffff) % 12);
});
