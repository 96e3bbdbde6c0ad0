/**
 * The produce request v3 that does not copy every message (kafkajs-produce.ts) gives kafkajs's own bytes
 * for whole requests (kafkajs's own Record, RecordBatch and crc32C underneath), and it is the one kafkajs's
 * v3 to v7 use once the Kafka client is loaded.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import '../../../src/ingest/kafka-client.js';
import { produceRequestV3, recordOfMessage } from '../../../src/ingest/kafkajs-produce.js';
import { Record } from '../../../src/ingest/kafkajs-records.js';
import {
  atNow,
  kafkajsOriginals,
  NOW,
  pick,
  randomCount,
  randomMessages,
  randomText,
  type ProduceRequest,
  type ProduceRequestFunction,
} from './kafkajs-fixtures.js';

const require = createRequire(import.meta.url);
const Long = require('kafkajs/src/utils/long.js') as { fromValue(value: unknown): unknown };
const { produceV3: kafkajsProduceV3 } = kafkajsOriginals();
const V3_PATH = 'kafkajs/src/protocol/requests/produce/v3/request.js';
const GZIP = 1;

function requestArgs(topicData: object[], compression?: number): object {
  return {
    acks: pick([-1, 0, 1]),
    timeout: 30_000,
    transactionalId: pick([null, undefined, 'tx-1']),
    producerId: pick([undefined, Long.fromValue(-1), Long.fromValue(123_456_789)]),
    producerEpoch: pick([undefined, 0, 3]),
    ...(compression === undefined ? {} : { compression }),
    topicData,
  };
}

function randomTopicData(): object[] {
  return Array.from({ length: randomInt(1, 4) }, (_, t) => ({
    topic: `topic-${t}-${randomText()}`,
    partitions: Array.from({ length: randomInt(1, 6) }, (_, p) => ({
      partition: p * 3,
      firstSequence: randomInt(0, 1_000_000),
      messages: randomMessages(randomCount()),
    })),
  }));
}

async function encoded(request: ProduceRequestFunction, args: object): Promise<Buffer> {
  return (await atNow(() => request(args).encode())).buffer;
}

/** The request's bytes, or the error it was rejected with. */
async function outcome(request: ProduceRequestFunction, args: object): Promise<Buffer | string> {
  return encoded(request, args).catch(
    (error: unknown) => `${(error as Error).name}: ${(error as Error).message}`,
  );
}

/** The same bytes as kafkajs's request, or the same error. */
async function assertSameRequest(args: object, what: string): Promise<void> {
  const expected = await outcome(kafkajsProduceV3, args);
  const actual = await outcome(produceRequestV3 as ProduceRequestFunction, args);
  if (typeof expected === 'string' || typeof actual === 'string') assert.equal(actual, expected, what);
  else assert.ok(actual.equals(expected), what);
}

function oneTopic(messages: readonly unknown[]): object[] {
  return [{ topic: 't', partitions: [{ partition: 0, firstSequence: 0, messages }] }];
}

/** One partition of the given messages, compression none and gzip. */
async function assertSameMessages(messages: readonly unknown[], what: string): Promise<void> {
  for (const compression of [undefined, GZIP]) {
    await assertSameRequest(
      requestArgs(oneTopic(messages), compression),
      `${what}, compression ${compression}`,
    );
  }
}

void test('produce requests v3 equal kafkajs byte for byte (topics, partitions, timestamps, gzip)', async () => {
  for (let round = 0; round < 300; round++) {
    const compression = pick([undefined, 0, GZIP]);
    await assertSameRequest(requestArgs(randomTopicData(), compression), `round ${round}`);
  }
});

void test('first and last timestamps are those of kafkajs sort() (as strings, stable)', async () => {
  const at = (timestamp: unknown, value = 'v'): object => ({ key: 'k', value, timestamp });
  const cases: [string, unknown[]][] = [
    ['none', [undefined, undefined, null]],
    ['numbers sorted as strings', [9, 10, 100, 99, 1_000]],
    ['milliseconds of different lengths', [NOW, 999_999_999_999, NOW - 5, 10_000_000_000_000]],
    ['strings and numbers', [String(NOW + 7), NOW, String(NOW - 3), NOW + 1, null]],
    ['equal as strings (stable)', [5, '5', 5, '5']],
    ['negative, zero and fractions', [-5, 0, -0, 1.5, -1.25, 0.1, 7]],
    ['zero: sorted, but kafkajs stamps the record with now', [0, NOW, 0]],
    ['empty and odd strings', ['', 'abc', String(NOW), ' 12', '1e3']],
    ['one timestamp', [undefined, NOW - 1_000, undefined]],
    ['not numbers or strings: kafkajs sort', [new Date(NOW), NOW - 1, true, 12n]],
    ['NaN and Infinity', [NaN, NOW, Infinity, -Infinity]],
  ];
  for (const [what, timestamps] of cases) {
    await assertSameMessages(
      timestamps.map((t, i) => at(t, `value-${i}`)),
      what,
    );
    await assertSameMessages(
      [...timestamps].reverse().map((t) => at(t)),
      `${what}, reversed`,
    );
  }
  // A BigInt next to a number: kafkajs throws on the delta; so does this.
  await assertSameMessages([at(1n), at(2)], 'BigInt and number');
  // Fractions: kafkajs's Record throws (a Long from a fraction), and so does this.
  await assert.rejects(atNow(() => kafkajsProduceV3(requestArgs(oneTopic([at(1.5), at(2)]))).encode()));
  await assertSameMessages([at(1.5), at(2)], 'fraction');
});

void test('messages that are not plain objects, and records kafkajs encodes itself', async () => {
  class WithGetters {
    get key(): string {
      return 'inherited';
    }
    value = 'own';
    timestamp = NOW - 3;
  }
  const nullPrototype = Object.assign(Object.create(null) as object, { key: 'k', value: 'v' });
  const hidden = Object.defineProperty({ value: 'v' }, 'key', { value: 'not copied', enumerable: false });
  await assertSameMessages([new WithGetters(), nullPrototype, { value: 'plain', key: null }], 'classes');
  await assertSameMessages([{ value: 'v', offsetDelta: 99, timestampDelta: 5 }], 'own deltas');
  await assertSameMessages([{ value: new Uint8Array([1, 2, 3]), timestamp: NOW }], 'Uint8Array');
  await assertSameMessages([{ value: 'v', timestamp: 2 ** 60 }, { value: 'w' }], 'huge delta');
  // The spread copy drops an own non-enumerable key; this reads it (see kafkajs-produce.ts).
  assert.ok(!recordOfMessage(hidden, 0, 0).buffer.equals(Record({ ...hidden }).buffer));
  // What kafkajs rejects, this rejects.
  for (const messages of [[{ value: 5 }], [{ value: 'v', headers: { h: null } }], [null]]) {
    await assert.rejects(atNow(() => kafkajsProduceV3(requestArgs(oneTopic(messages))).encode()));
    await assertSameMessages(messages, JSON.stringify(messages));
  }
});

void test('kafkajs produce requests v3 to v7 use this one once the Kafka client is loaded', async () => {
  assert.equal(require(V3_PATH), produceRequestV3);
  const args = requestArgs(randomTopicData(), pick([undefined, GZIP]));
  const ours = produceRequestV3(args as never);
  const kafkajs = kafkajsProduceV3(args);
  assert.deepEqual(Object.keys(ours), Object.keys(kafkajs));
  const expected = await encoded(kafkajsProduceV3, args);
  for (const version of [3, 4, 5, 6, 7]) {
    const request = (
      require(`kafkajs/src/protocol/requests/produce/v${version}/request.js`) as ProduceRequestFunction
    )(args) as ProduceRequest & { readonly apiName: string; expectResponse(): boolean };
    assert.equal(request.apiVersion, version);
    assert.equal(request.apiName, 'Produce');
    assert.equal(request.expectResponse(), (args as { acks: number }).acks !== 0);
    // v4 to v7 are v3's request with another version: ours.
    assert.equal(String(request.encode), String(ours.encode));
    assert.ok((await atNow(() => request.encode())).buffer.equals(expected), `v${version}`);
  }
});
