/**
 * The exact-size record encoding (kafkajs-records.ts) gives kafkajs's own bytes, record batch by record
 * batch (whole produce requests: kafkajs-produce.test.ts), and it is the one kafkajs uses once the Kafka
 * client is loaded.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import '../../../src/ingest/kafka-client.js';
import {
  originalRecord,
  originalRecordBatchModule,
  Record,
  RecordBatch,
  type RecordArguments,
  type RecordBatchArguments,
} from '../../../src/ingest/kafkajs-records.js';
import {
  atNow,
  kafkajsOriginals,
  NOW,
  pick,
  randomCount,
  randomMessages,
  type Message,
} from './kafkajs-fixtures.js';

const require = createRequire(import.meta.url);
const Long = require('kafkajs/src/utils/long.js') as { fromValue(value: unknown): unknown };
/** kafkajs's own RecordBatch, with kafkajs's own crc32C (the one kafkajs-records.ts keeps has ours). */
const { RecordBatch: kafkajsRecordBatch } = kafkajsOriginals();

/**
 * A batch as produce/v3/request.js builds it: the arguments of each record (not yet encoded) and the
 * batch's other arguments, with random producer fields.
 */
function batchFor(messages: readonly Message[]): {
  readonly recordArgs: RecordArguments[];
  readonly fields: RecordBatchArguments;
} {
  const timestamps = messages
    .map((m) => m.timestamp)
    .filter((t) => t != null)
    .sort();
  const firstTimestamp = timestamps[0] ?? NOW;
  const maxTimestamp = timestamps[timestamps.length - 1] ?? NOW;
  const recordArgs = messages.map((message, i) => ({
    ...message,
    offsetDelta: i,
    // `(message.timestamp || dateNow) - firstTimestamp`, strings included.
    timestampDelta: Number(message.timestamp || NOW) - Number(firstTimestamp),
  }));
  const fields: RecordBatchArguments = {
    firstTimestamp,
    maxTimestamp,
    producerId: pick([-1, 0, 4_242, '9007199254740993', -(2 ** 40)].map((v) => Long.fromValue(v))),
    producerEpoch: pick([0, 1, 7, 32_767]),
    firstSequence: pick([0, 1, 1_000, 2 ** 31 - 1]),
    transactional: randomInt(2) === 0,
    lastOffsetDelta: messages.length - 1,
  };
  return { recordArgs, fields };
}

async function assertSameBatch(
  recordArgs: readonly RecordArguments[],
  fields: RecordBatchArguments,
  what: string,
): Promise<void> {
  const expected = await kafkajsRecordBatch({
    ...fields,
    records: recordArgs.map(originalRecord),
  });
  const actual = await RecordBatch({ ...fields, records: recordArgs.map(Record) });
  assert.equal(actual.size(), expected.size(), `${what}: size`);
  assert.ok(actual.buffer.equals(expected.buffer), `${what}: bytes`);
}

void test('record batches equal kafkajs byte for byte (random messages)', async () => {
  for (let round = 0; round < 3_000; round++) {
    const { recordArgs, fields } = batchFor(randomMessages(randomCount()));
    await assertSameBatch(recordArgs, fields, `round ${round}`);
  }
  // kafkajs's defaults (no arguments but the records) and a batch at the edges of the int fields.
  await atNow(() => assertSameBatch([], {}, 'defaults, no records'));
  await atNow(() => assertSameBatch([{ value: 'v' }, { key: 'k', value: null }], {}, 'defaults'));
  await assertSameBatch(
    [{ key: 'k', value: 'v' }],
    {
      firstOffset: Long.fromValue('-9223372036854775808'),
      partitionLeaderEpoch: -1,
      firstTimestamp: '9223372036854775807',
      maxTimestamp: NOW,
      producerEpoch: -32_768,
      firstSequence: -(2 ** 31),
      lastOffsetDelta: 2 ** 31 - 1,
    },
    'extremes',
  );
});

void test('single records equal kafkajs, including the ones kafkajs encodes itself', () => {
  const cases: RecordArguments[] = [
    {},
    { key: null, value: null },
    { key: 'k', value: 'v', offsetDelta: 0, timestampDelta: 0 },
    { key: 'k', value: 'v', offsetDelta: 63, timestampDelta: -64 },
    { key: 'k', value: 'v', offsetDelta: 64, timestampDelta: 64 },
    { key: 'k', value: 'v', offsetDelta: 2 ** 31 - 1, timestampDelta: 2 ** 53 - 1 },
    { key: 'k', value: 'v', offsetDelta: -1, timestampDelta: -(2 ** 53) + 1 },
    { key: 'k', value: 'v', offsetDelta: 2 ** 31 + 5, timestampDelta: 2 ** 31 },
    { key: 'k', value: 'v', timestampDelta: -(2 ** 31) - 1 },
    { key: 'k', value: 'v', timestampDelta: 2 ** 60 }, // not a safe integer: kafkajs's encoding
    { key: 'k', value: 'v', timestampDelta: NaN },
    { key: 'k', value: 'v', timestampDelta: '12' }, // not a number: kafkajs's encoding
    { value: 'x'.repeat(70_000), headers: { a: ['1', Buffer.from([0, 1, 2])], b: [] } },
    { value: 'v', headers: { only: [] } },
    { value: '\ud800 lone surrogate', headers: { '\udfff': '\ud800' } },
    { value: new Uint8Array([1, 2, 3]) }, // not a Buffer: kafkajs's encoding (and its mismatched length)
  ];
  for (const args of cases) {
    const record = Record(args);
    const expected = originalRecord(args).buffer;
    assert.ok(record.buffer.equals(expected), JSON.stringify(args).slice(0, 200));
    assert.equal(record.size(), expected.length);
    const target = Buffer.alloc(record.encodedSize + 4, 0xee);
    assert.equal(record.writeInto(target, 2), record.encodedSize + 2);
    assert.ok(target.subarray(2, -2).equals(expected));
  }
  // What kafkajs rejects, this rejects.
  for (const args of [{ value: 5 }, { value: 'v', headers: { h: null } }, { value: 'v', headers: null }]) {
    assert.throws(() => originalRecord(args));
    assert.throws(() => Record(args));
  }
});

void test('compressed and mixed batches go to kafkajs and give its bytes', async () => {
  const { recordArgs, fields } = batchFor(randomMessages(50));
  // gzip (kafkajs uses zlib.gzip, no timestamp in the header): equal input, equal bytes.
  await assertSameBatch(recordArgs, { ...fields, compression: 1 }, 'gzip');
  // Records that are not ours (none in kafkajs, but kafkajs's RecordBatch takes them).
  const fixed = { firstTimestamp: NOW, maxTimestamp: NOW, lastOffsetDelta: 1 };
  const a = { value: 'a', offsetDelta: 0 };
  const b = { value: 'b', offsetDelta: 1 };
  const actual = await RecordBatch({ ...fixed, records: [Record(a), originalRecord(b)] });
  const expected = await kafkajsRecordBatch({
    ...fixed,
    records: [originalRecord(a), originalRecord(b)],
  });
  assert.ok(actual.buffer.equals(expected.buffer));
});

void test('kafkajs uses the exact-size encoding once the Kafka client is loaded', () => {
  assert.equal(require('kafkajs/src/protocol/recordBatch/record/v0/index.js'), Record);
  const batchModule = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
    readonly RecordBatch: unknown;
    readonly MAGIC_BYTE: unknown;
  };
  assert.equal(batchModule.RecordBatch, RecordBatch);
  assert.deepEqual(Object.keys(batchModule), Object.keys(originalRecordBatchModule));
  assert.equal(batchModule.MAGIC_BYTE, originalRecordBatchModule.MAGIC_BYTE);
  assert.equal(batchModule.MAGIC_BYTE, 2);
  // The replacement was written against this version; another one needs the comparison above re-read.
  const { version } = require('kafkajs/package.json') as { version: string };
  assert.equal(version, '2.2.4');
});
