/**
 * Replaces kafkajs's internal `groupMessagesPerPartition` (src/producer/groupMessagesPerPartition.js),
 * which sorts a produce request's messages by partition, with a linear version of the same function.
 *
 * kafkajs 2.2.4 builds each partition's list with `[...current, message]`, a copy of the list for every
 * message: quadratic in the messages of one topic in one request. A unit of work produces a few thousand
 * scores and anchors in one request, and in `npm run bench -- --compare --model` this one line allocated
 * 853 MB of the 4,296 MB the worker allocated in all (a sampled heap profile with collected objects kept),
 * so a fifth of every young-generation collection was spent on it. The result is the same object: one
 * array per partition, keyed by partition number, messages in the order given.
 *
 * How: kafkajs is CommonJS and `sendMessages.js` takes the function with `require()` when it is first
 * loaded. This module runs before kafkajs is first loaded (kafka-client.ts, the only module that imports
 * kafkajs, imports this one first) and puts the linear function in the require cache under the original's
 * path. If kafkajs was loaded before (it cannot be, through src/), it throws rather than leaving a
 * half-applied patch. kafkajs is pinned by package-lock.json; test/unit/ingest/kafkajs-grouping.test.ts
 * compares the two functions and checks that the replacement is the one kafkajs uses.
 */
import { createRequire } from 'node:module';

/** The arguments kafkajs passes (sendMessages.js). */
export interface GroupArguments<M> {
  readonly topic: string;
  readonly partitionMetadata: readonly unknown[];
  readonly messages: readonly M[];
  readonly partitioner: (args: {
    topic: string;
    partitionMetadata: readonly unknown[];
    message: M;
  }) => number;
}

/** kafkajs's groupMessagesPerPartition, in linear time. */
export function groupMessagesPerPartition<M>(args: GroupArguments<M>): Record<number, M[]> {
  const { topic, partitionMetadata, messages, partitioner } = args;
  const result: Record<number, M[]> = {};
  if (partitionMetadata.length === 0) return result;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    const list = result[partition];
    if (list === undefined) result[partition] = [message];
    else list.push(message);
  }
  return result;
}

const require = createRequire(import.meta.url);
const GROUPING_PATH = require.resolve('kafkajs/src/producer/groupMessagesPerPartition.js');
const SEND_MESSAGES_PATH = require.resolve('kafkajs/src/producer/sendMessages.js');

/** kafkajs's own function, kept for the test that compares the two. */
export const originalGroupMessagesPerPartition: unknown = require(GROUPING_PATH);

if (require.cache[SEND_MESSAGES_PATH] !== undefined) {
  throw new Error('kafkajs was loaded before its message grouping could be replaced');
}
const cached = require.cache[GROUPING_PATH];
if (cached === undefined) throw new Error('kafkajs message grouping is not in the require cache');
cached.exports = groupMessagesPerPartition;
