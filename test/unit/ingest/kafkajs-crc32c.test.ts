/**
 * The slicing-by-8 crc32C (kafkajs-crc32c.ts) gives kafkajs's own values, and it is the one kafkajs uses
 * once the Kafka client is loaded.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import '../../../src/ingest/kafka-client.js';
import { crc32C, originalCrc32C } from '../../../src/ingest/kafkajs-crc32c.js';
import { kafkajsOriginals } from './kafkajs-fixtures.js';

const require = createRequire(import.meta.url);
const kafkajs = kafkajsOriginals();

function assertSame(buffer: Uint8Array, what: string): void {
  const expected = kafkajs.crc32CIndex(buffer);
  assert.equal(crc32C(buffer), expected, what);
  assert.equal(kafkajs.crc32C(buffer), expected, `${what}: kafkajs's two functions`);
}

void test('crc32C equals kafkajs for every length 0..5,000 (random bytes, offsets and subarrays)', () => {
  const pool = randomBytes(12_000);
  for (let length = 0; length <= 5_000; length++) {
    assertSame(randomBytes(length), `length ${length}`);
    // A view into a larger buffer at an odd offset, as kafkajs-records.ts passes the batch body.
    const offset = randomInt(0, 7_000);
    assertSame(pool.subarray(offset, offset + length), `subarray ${offset}+${length}`);
  }
  // A Uint8Array over a shared ArrayBuffer at an unaligned byte offset.
  const view = new Uint8Array(pool.buffer, pool.byteOffset + 3, 4_097);
  assertSame(view, 'Uint8Array view');
  for (const fill of [0x00, 0xff, 0x80, 0x01]) assertSame(Buffer.alloc(1_000, fill), `fill ${fill}`);
});

void test('crc32C: known values, and what is not a Uint8Array goes to kafkajs', () => {
  // CRC-32C check value ("123456789") and RFC 3720's 32 zero bytes.
  assert.equal(crc32C(Buffer.from('123456789')), 0xe3069283);
  assert.equal(crc32C(Buffer.alloc(32)), 0x8a9136aa);
  const bytes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assert.equal(crc32C(bytes as unknown as Uint8Array), kafkajs.crc32C(bytes as unknown as Uint8Array));
});

void test('kafkajs uses this crc32C once the Kafka client is loaded', () => {
  assert.equal(require('kafkajs/src/protocol/recordBatch/crc32C/index.js'), crc32C);
  assert.equal(require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js'), crc32C);
  assert.notEqual(originalCrc32C, crc32C);
  assert.equal(originalCrc32C.toString(), kafkajs.crc32C.toString());
});
