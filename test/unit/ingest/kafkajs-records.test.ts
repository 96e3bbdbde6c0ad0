/**
 * The exact-size record encoding (kafkajs-records.ts) gives kafkajs's own bytes, record batch by record
 * batch and for whole produce requests, and it is the one kafkajs uses once the Kafka client is loaded.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { test } from 'node:test';
import { runInThisContext } from 'node:vm';
import '../../../src/ingest/kafka-client.js';
import {
  originalRecord,
  originalRecordBatchModule,
  Record,
  RecordBatch,
  type KafkaEncoder,
  type RecordArguments,
  type RecordBatchArguments,
} from '../../../src/ingest/kafkajs-records.js';

const require = createRequire(import.meta.url);
const Long = require('kafkajs/src/utils/long.js') as { fromValue(value: unknown): unknown };

interface ProduceRequest {
  encode(): Promise<KafkaEncoder>;
}
type ProduceRequestFunction = (args: object) => ProduceRequest;

/**
 * kafkajs's produce request v3 as kafkajs wrote it: the module's source run in a module of its own whose
 * `require` hands it kafkajs's original Record and RecordBatch (the require cache has ours).
 */
function originalProduceV3(): ProduceRequestFunction {
  const filename = require.resolve('kafkajs/src/protocol/requests/produce/v3/request.js');
  const requireFrom = createRequire(filename);
  const originals: { readonly [path: string]: unknown } = {
    [require.resolve('kafkajs/src/protocol/recordBatch/record/v0/index.js')]: originalRecord,
    [require.resolve('kafkajs/src/protocol/recordBatch/v0/index.js')]: originalRecordBatchModule,
  };
  const ownRequire = (id: string): unknown => originals[requireFrom.resolve(id)] ?? requireFrom(id);
  const wrapped = runInThisContext(Module.wrap(readFileSync(filename, 'utf8')), { filename }) as (
    ...args: unknown[]
  ) => void;
  const module = { exports: {} as unknown };
  wrapped(module.exports, ownRequire, module, filename, filename.replace(/[/\\][^/\\]*$/, ''));
  return module.exports as ProduceRequestFunction;
}

const TEXTS = [
  '',
  'a',
  'subject-42',
  'é',
  'ünïcödé ✓',
  '日本語のキー',
  '🦄 emoji',
  'x'.repeat(300),
  '\u{10FFFF}',
];

function pick<T>(values: readonly T[]): T {
  return values[randomInt(values.length)] as T;
}

function randomText(): string {
  return randomInt(4) === 0 ? randomBytes(randomInt(1, 200)).toString('base64') : pick(TEXTS);
}

function randomBytesValue(): Buffer {
  return pick([Buffer.alloc(0), randomBytes(randomInt(1, 20)), randomBytes(randomInt(100, 2_000))]);
}

function randomKeyOrValue(): string | Buffer | null | undefined {
  switch (randomInt(5)) {
    case 0:
      return null;
    case 1:
      return undefined;
    case 2:
      return randomBytesValue();
    default:
      return randomText();
  }
}

function randomHeaderValue(): string | Buffer {
  return randomInt(2) === 0 ? randomText() : randomBytesValue();
}

function randomHeaders(): object | undefined {
  switch (randomInt(4)) {
    case 0:
      return undefined;
    case 1:
      return {};
    default: {
      const headers: { [key: string]: string | Buffer | (string | Buffer)[] } = {};
      for (let i = randomInt(1, 5); i > 0; i--) {
        const key = pick(['trace-id', 'content-type', 'ключ', `h${i}`, '']);
        headers[key] =
          randomInt(3) === 0
            ? Array.from({ length: randomInt(0, 4) }, randomHeaderValue)
            : randomHeaderValue();
      }
      return headers;
    }
  }
}

const NOW = Date.now();

interface Message {
  key?: string | Buffer | null;
  value: string | Buffer | null | undefined;
  headers?: object;
  timestamp?: number | string;
}

function randomTimestamp(): number | string | undefined {
  switch (randomInt(4)) {
    case 0:
      return undefined;
    case 1:
      return String(NOW - randomInt(100_000_000));
    default:
      // Around now, far in the past (deltas beyond 32 bits), the epoch.
      return pick([NOW + randomInt(-5_000, 5_000), NOW - randomInt(2 ** 40), 0]);
  }
}

function randomMessages(count: number): Message[] {
  return Array.from({ length: count }, () => {
    const message: Message = { value: randomKeyOrValue() };
    const key = randomKeyOrValue();
    if (key !== undefined) message.key = key;
    const headers = randomHeaders();
    if (headers !== undefined) message.headers = headers;
    const timestamp = randomTimestamp();
    if (timestamp !== undefined) message.timestamp = timestamp;
    return message;
  });
}

function randomCount(): number {
  return pick([0, 1, 2, randomInt(3, 20), randomInt(20, 300)]);
}

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

/** Runs `f` with Date.now() fixed at NOW: kafkajs stamps batches and messages without a timestamp. */
async function atNow<T>(f: () => Promise<T>): Promise<T> {
  const now = Date.now;
  Date.now = () => NOW;
  try {
    return await f();
  } finally {
    Date.now = now;
  }
}

async function assertSameBatch(
  recordArgs: readonly RecordArguments[],
  fields: RecordBatchArguments,
  what: string,
): Promise<void> {
  const expected = await originalRecordBatchModule.RecordBatch({
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
  const expected = await originalRecordBatchModule.RecordBatch({
    ...fixed,
    records: [originalRecord(a), originalRecord(b)],
  });
  assert.ok(actual.buffer.equals(expected.buffer));
});

void test('produce requests v3 equal kafkajs byte for byte (several topics and partitions)', async () => {
  const original = originalProduceV3();
  const patched = require('kafkajs/src/protocol/requests/produce/v3/request.js') as ProduceRequestFunction;
  assert.notEqual(original, patched);
  for (let round = 0; round < 200; round++) {
    const topicData = Array.from({ length: randomInt(1, 4) }, (_, t) => ({
      topic: `topic-${t}-${randomText()}`,
      partitions: Array.from({ length: randomInt(1, 6) }, (_, p) => ({
        partition: p * 3,
        firstSequence: randomInt(0, 1_000_000),
        messages: randomMessages(randomCount()),
      })),
    }));
    const args = {
      acks: pick([-1, 0, 1]),
      timeout: 30_000,
      transactionalId: pick([null, 'tx-1']),
      producerId: pick([Long.fromValue(-1), Long.fromValue(123_456_789)]),
      producerEpoch: pick([0, 3]),
      topicData,
    };
    const expected = await atNow(() => original(args).encode());
    const actual = await atNow(() => patched(args).encode());
    assert.ok(actual.buffer.equals(expected.buffer), `round ${round}`);
  }
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
