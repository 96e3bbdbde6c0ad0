/**
 * The Kafka transport: one consumer-group member over the signal topics and one idempotent producer.
 *
 * Offsets are committed by hand, per batch, only after the handler resolved (so after everything
 * downstream succeeded); commits of batches that finish together go out as one request, in the
 * background, and stop() has them all land before the member leaves the group (else a restart would hand
 * those batches out again). A batch whose partition was taken away by a rebalance while it was handled
 * (`isStale`) is not committed: the new owner redoes it, which the idempotent state store makes harmless.
 */
import { DmidError, isDmidError } from '../errors.js';
import { createCoalescingSender } from './record-batches.js';
import { withRetry } from './retry.js';
import {
  isKafkaError,
  produceToTopics,
  withKafka,
  type KafkaClient,
  type KafkaConsumer,
  type KafkaProducer,
} from './kafka-client.js';
import type { InboundRecord, RunOptions, TopicRecords, Transport, TransportStatus } from './transport.js';

export interface KafkaTransportOptions {
  readonly client: KafkaClient;
  readonly groupId: string;
  /**
   * Partitions handled at the same time by this member. More overlaps Redis and produce round trips of
   * different partitions. Default 48 (every partition of the four topics at 12 partitions each).
   */
  readonly partitionsConsumedConcurrently?: number;
  /** Called with the seconds each batch's offset commit took (the `commit` stage of the breakdown). */
  readonly onCommitted?: (seconds: number) => void;
}

interface Connections {
  readonly consumer: KafkaConsumer;
  readonly producer: KafkaProducer;
}

/**
 * Commits one partition's offset, retrying while the broker says "not now" (a partition whose leader is
 * still being elected, a coordinator loading). The commit is retried here, not by re-running the batch:
 * kafkajs re-runs `eachBatch` when it throws, and the batch's outputs would be produced again. A commit
 * that cannot succeed (the partition went to another member) is given up: the batch is then redelivered
 * to the new owner, which the idempotent store makes harmless.
 */
type PartitionOffset = { topic: string; partition: number; offset: string };
type Committer = (
  offsets: readonly { topic: string; records: readonly PartitionOffset[] }[],
) => Promise<void>;

/** One commit request for the offsets of every batch that finished while the previous one was in flight. */
function createCommitter(consumer: KafkaConsumer): Committer {
  return createCoalescingSender<{ topic: string; records: readonly PartitionOffset[] }>(
    (groups) => withKafka('offset commit', () => consumer.commitOffsets(groups.flatMap((g) => g.records))),
    (topic, parts) => {
      // The newest offset of each partition: committing it covers the older ones.
      const newest = new Map<number, PartitionOffset>();
      for (const o of parts.flatMap((p) => p.records)) {
        const held = newest.get(o.partition);
        if (held === undefined || BigInt(o.offset) > BigInt(held.offset)) newest.set(o.partition, o);
      }
      return { topic, records: [...newest.values()] };
    },
  );
}

async function commit(
  committer: Committer,
  offset: PartitionOffset,
  heartbeat: () => Promise<void>,
): Promise<void> {
  let stopped = false;
  try {
    await withRetry(() => committer([{ topic: offset.topic, records: [offset] }]), {
      stopping: () => stopped,
      heartbeat,
      onRetry: (_error, attempt) => {
        stopped = attempt >= COMMIT_ATTEMPTS;
      },
      onRecovered: () => undefined,
    });
  } catch (error) {
    if (isDmidError(error) || isKafkaError(error)) return;
    throw error;
  }
}

/** Tries of one offset commit before it is left to redelivery. */
const COMMIT_ATTEMPTS = 20;

export function createKafkaTransport(options: KafkaTransportOptions): Transport {
  let producer: KafkaProducer | undefined;
  let connections: Connections | undefined;
  let state: TransportStatus = { ok: false, detail: 'not started' };
  let stopping: Promise<void> | undefined;
  let failure: ((error: unknown) => void) | undefined;
  const pendingCommits = new Set<Promise<void>>();
  let stopRequested = false;

  const producerReady = async (): Promise<KafkaProducer> => {
    producer ??= await options.client.producer();
    return producer;
  };
  const coalesced = createCoalescingSender<TopicRecords>(
    async (batches) => produceToTopics(await producerReady(), batches),
    (topic, parts) => ({ topic, records: parts.flatMap((p) => p.records) }),
  );

  async function run(runOptions: RunOptions): Promise<void> {
    if (connections !== undefined) throw new Error('kafka transport: run() called twice');
    const consumer = await options.client.consumer({ groupId: options.groupId });
    const committer = createCommitter(consumer);
    connections = { consumer, producer: await producerReady() };
    const failed = new Promise<never>((_, reject) => {
      failure = reject;
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      state = { ok: false, detail: `consumer crashed: ${payload.error.message}` };
      failure?.(new DmidError('DMID_KAFKA_UNAVAILABLE', 'Kafka consumer crashed', { cause: payload.error }));
    });
    // A new group starts at the oldest record, so nothing published before the first start is missed.
    await withKafka('subscribe', () =>
      consumer.subscribe({ topics: [...runOptions.topics], fromBeginning: true }),
    );
    await withKafka('consumer run', () =>
      consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 48,
        eachBatch: async (payload) => {
          const { batch } = payload;
          const heartbeat = (): Promise<void> => payload.heartbeat();
          const last = batch.messages.at(-1);
          if (last === undefined) return;
          const records: InboundRecord[] = batch.messages.map((m) => ({
            key: m.key,
            value: m.value,
            offset: m.offset,
            timestampMs: Number(m.timestamp),
          }));
          try {
            await runOptions.handle({
              topic: batch.topic,
              partition: batch.partition,
              records,
              highWatermark: batch.highWatermark,
              heartbeat,
            });
          } catch (error) {
            state = { ok: false, detail: 'batch handling failed' };
            failure?.(error);
            throw error;
          }
          if (payload.isStale()) return;
          // kafkajs fetches on from the last *resolved* offset: without this it hands the batch out again.
          payload.resolveOffset(last.offset);
          const next = (BigInt(last.offset) + 1n).toString();
          // Not awaited: the next fetch need not wait for the commit round trip. The batch's outputs are
          // acknowledged already; stop() waits for outstanding commits before it leaves the group.
          const offset = { topic: batch.topic, partition: batch.partition, offset: next };
          const commitStart = performance.now();
          const committing = commit(committer, offset, heartbeat).then(() =>
            options.onCommitted?.((performance.now() - commitStart) / 1000),
          );
          // Once stop() was asked, the batch waits for its commit: consumer.stop() waits for the batches in
          // flight, then leaves the group, after which a commit can no longer succeed.
          if (stopRequested) return committing;
          pendingCommits.add(committing);
          void committing.finally(() => pendingCommits.delete(committing));
        },
      }),
    );
    state = { ok: true, detail: 'consuming' };
    try {
      await Promise.race([failed, new Promise<void>((resolve) => stoppedSignal.push(resolve))]);
    } finally {
      await stop();
    }
  }

  const stoppedSignal: (() => void)[] = [];

  function stop(): Promise<void> {
    stopping ??= (async () => {
      state = { ok: false, detail: 'stopping' };
      // The commits of batches already handled go out while this member still owns their partitions;
      // the batches in flight commit before they return (see eachBatch); then consumer.stop() waits for
      // them and leaves the group.
      stopRequested = true;
      await Promise.allSettled([...pendingCommits]);
      await connections?.consumer.stop();
      await Promise.allSettled([...pendingCommits]);
      await connections?.consumer.disconnect();
      await producer?.disconnect();
      state = { ok: false, detail: 'stopped' };
      for (const resolve of stoppedSignal.splice(0)) resolve();
    })();
    return stopping;
  }

  return {
    run,
    send: (batches: readonly TopicRecords[]) => coalesced(batches.filter((b) => b.records.length > 0)),
    stop,
    status: () => state,
  };
}
