/**
 * Replaces kafkajs's produce request v3 (src/protocol/requests/produce/v3/request.js), which v4 to v7 wrap,
 * with a copy that gives the same request without copying every message.
 *
 * kafkajs 2.2.4's partition encoder calls `Record({ ...message, offsetDelta: i, timestampDelta })`: an
 * object spread per message, 2.3% of the worker's CPU under live load once the record encoding was made
 * exact-size (kafkajs-records.ts), plus the garbage. Here the message's key, value and headers go to that
 * Record's fields (`plainRecord`) with the two deltas, the same values; what it does not write goes to
 * kafkajs's Record with the spread object as before. The batch's first and last timestamps are what
 * kafkajs's `messages.map(m => m.timestamp).filter(t => t != null).sort()` puts first and last: a stable
 * sort by the values as strings, i.e. the first of the smallest strings and the last of the largest, found
 * in one pass without the two arrays; timestamps other than numbers and strings go through kafkajs's
 * expression. Everything else is kafkajs's code as written (the spreads per topic and per partition, the
 * awaits, the Encoder calls), so requests, compressed ones included, are the same bytes.
 *
 * A message is read directly when it is a plain object (prototype Object.prototype), as kafkajs's producer
 * and this project build them; then the spread copy has the same key, value and headers unless one is an
 * own non-enumerable property, which no object literal has. Other messages are spread as by kafkajs.
 *
 * How, as in kafkajs-grouping.ts: produce/index.js requires ./v3/request when a request is built, and
 * v4/v5 (under v6/v7) take it with `require('../v3/request')` when first loaded. This module loads
 * kafkajs's v3 module (so that its cache entry exists) and replaces its exports before any of those is
 * loaded (kafka-client.ts imports it before kafkajs); if one was, it throws. The test,
 * test/unit/ingest/kafkajs-produce.test.ts, compares whole requests with kafkajs's own and checks that
 * v3 to v7 use this one.
 */
import { createRequire } from 'node:module';
import {
  plainRecord,
  Record,
  RecordBatch,
  type EncodedRecord,
  type KafkaEncoder,
} from './kafkajs-records.js';

/** A kafkajs Encoder, as far as the request uses it. */
interface RequestEncoder extends KafkaEncoder {
  writeString(value: unknown): RequestEncoder;
  writeInt16(value: unknown): RequestEncoder;
  writeInt32(value: unknown): RequestEncoder;
  writeArray(value: unknown[]): RequestEncoder;
  writeEncoder(value: KafkaEncoder): RequestEncoder;
}

/** A message as kafkajs's producer passes it. */
interface Message {
  readonly key?: unknown;
  readonly value?: unknown;
  readonly headers?: unknown;
  readonly timestamp?: unknown;
}

/** What produce/v3/request.js takes. */
export interface ProduceRequestArguments {
  readonly acks: unknown;
  readonly timeout: unknown;
  readonly transactionalId?: unknown;
  readonly producerId?: unknown;
  readonly producerEpoch?: unknown;
  readonly compression?: unknown;
  readonly topicData: Iterable<object>;
}

interface PartitionData {
  readonly partition: unknown;
  readonly messages: readonly Message[];
  readonly transactionalId: unknown;
  readonly firstSequence: unknown;
  readonly producerId: unknown;
  readonly producerEpoch: unknown;
}

interface TopicData {
  readonly topic: unknown;
  readonly partitions: Iterable<object>;
  readonly transactionalId: unknown;
  readonly producerId: unknown;
  readonly producerEpoch: unknown;
}

const require = createRequire(import.meta.url);
const REQUEST_V3_PATH = require.resolve('kafkajs/src/protocol/requests/produce/v3/request.js');
/** The modules that take v3 when first loaded: v4 and v5 directly, v6 and v7 through v5. */
const WRAPPERS = [4, 5, 6, 7].map((v) =>
  require.resolve(`kafkajs/src/protocol/requests/produce/v${v}/request.js`),
);

if (WRAPPERS.some((path) => require.cache[path] !== undefined)) {
  throw new Error('kafkajs was loaded before its produce request could be replaced');
}

const Encoder = require('kafkajs/src/protocol/encoder.js') as new () => RequestEncoder;
const Long = require('kafkajs/src/utils/long.js') as { fromInt(value: number): unknown };
const { Produce: apiKey } = require('kafkajs/src/protocol/requests/apiKeys.js') as { Produce: number };
const { Types } = require('kafkajs/src/protocol/message/compression/index.js') as {
  Types: { None: unknown };
};

/** kafkajs's `Record({ ...message, offsetDelta, timestampDelta })`, without the copy where it can. */
export function recordOfMessage(
  message: Message,
  offsetDelta: number,
  timestampDelta: unknown,
): EncodedRecord {
  if (
    typeof message === 'object' &&
    message !== null &&
    Object.getPrototypeOf(message) === Object.prototype
  ) {
    const record = plainRecord(
      message.key,
      message.value,
      message.headers,
      offsetDelta,
      timestampDelta === undefined ? 0 : timestampDelta,
    );
    if (record !== undefined) return record;
  }
  return Record({ ...message, offsetDelta, timestampDelta });
}

/** kafkajs's expression for the sorted timestamps. */
function sortedTimestamps(messages: readonly Message[]): unknown[] {
  return messages
    .map((m) => m.timestamp)
    .filter((timestamp) => timestamp != null)
    .sort();
}

/**
 * The first and last of kafkajs's sorted timestamps ([dateNow] when there are none): `sort()` without a
 * comparator is stable and orders by String(value), code unit by code unit.
 */
function timestampBounds(messages: readonly Message[], dateNow: number): [unknown, unknown] {
  if (!Array.isArray(messages)) return boundsOf(sortedTimestamps(messages), dateNow);
  let first: unknown;
  let firstText = '';
  let last: unknown;
  let lastText = '';
  let found = false;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as Message;
    if (message === undefined && !(i in messages)) continue; // a hole: map and filter skip it
    const timestamp = message.timestamp;
    if (timestamp == null) continue;
    if (typeof timestamp !== 'number' && typeof timestamp !== 'string') {
      return boundsOf(sortedTimestamps(messages), dateNow);
    }
    const text = typeof timestamp === 'string' ? timestamp : String(timestamp);
    if (!found) {
      found = true;
      first = last = timestamp;
      firstText = lastText = text;
    } else {
      if (text < firstText) {
        first = timestamp;
        firstText = text;
      }
      if (text >= lastText) {
        last = timestamp;
        lastText = text;
      }
    }
  }
  return found ? [first, last] : [dateNow, dateNow];
}

function boundsOf(sorted: unknown[], dateNow: number): [unknown, unknown] {
  const timestamps = sorted.length === 0 ? [dateNow] : sorted;
  return [timestamps[0], timestamps[timestamps.length - 1]];
}

const partitionsEncoder =
  (compression: unknown) =>
  async ({
    partition,
    messages,
    transactionalId,
    firstSequence,
    producerId,
    producerEpoch,
  }: PartitionData): Promise<RequestEncoder> => {
    const dateNow = Date.now();
    const [firstTimestamp, maxTimestamp] = timestampBounds(messages, dateNow);

    const records = messages.map((message, i) =>
      recordOfMessage(message, i, ((message.timestamp || dateNow) as number) - (firstTimestamp as number)),
    );

    const recordBatch = await RecordBatch({
      compression,
      records,
      firstTimestamp,
      maxTimestamp,
      producerId,
      producerEpoch,
      firstSequence,
      transactional: !!transactionalId,
      lastOffsetDelta: records.length - 1,
    });

    return new Encoder().writeInt32(partition).writeInt32(recordBatch.size()).writeEncoder(recordBatch);
  };

const topicEncoder =
  (compression: unknown) =>
  async ({
    topic,
    partitions,
    transactionalId,
    producerId,
    producerEpoch,
  }: TopicData): Promise<RequestEncoder> => {
    const encodePartitions = partitionsEncoder(compression);
    const encodedPartitions = [];

    for (const data of partitions) {
      encodedPartitions.push(
        await encodePartitions({
          ...(data as PartitionData),
          transactionalId,
          producerId,
          producerEpoch,
        }),
      );
    }

    return new Encoder().writeString(topic).writeArray(encodedPartitions);
  };

/** kafkajs's produce request v3, the same request. */
export const produceRequestV3 = ({
  acks,
  timeout,
  transactionalId = null,
  producerId = Long.fromInt(-1),
  producerEpoch = 0,
  compression = Types.None,
  topicData,
}: ProduceRequestArguments) => ({
  apiKey,
  apiVersion: 3,
  apiName: 'Produce',
  expectResponse: () => acks !== 0,
  encode: async (): Promise<RequestEncoder> => {
    const encodeTopic = topicEncoder(compression);
    const encodedTopicData = [];

    for (const data of topicData) {
      encodedTopicData.push(
        await encodeTopic({ ...(data as TopicData), transactionalId, producerId, producerEpoch }),
      );
    }

    return new Encoder()
      .writeString(transactionalId)
      .writeInt16(acks)
      .writeInt32(timeout)
      .writeArray(encodedTopicData);
  },
});

require(REQUEST_V3_PATH);
const entry = require.cache[REQUEST_V3_PATH];
if (entry === undefined) throw new Error('kafkajs produce request v3 is not in the require cache');
entry.exports = produceRequestV3;
