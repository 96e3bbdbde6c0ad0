/**
 * The consumed offsets of a transaction in one TxnOffsetCommit request. The client's
 * `transaction.addOffset()` sends one request per partition, and concurrent calls are merged into the first
 * (so they must go in turn): a unit that consumed from 30 partitions paid 30 round trips to the group
 * coordinator, one after another, inside its transaction, which is the larger part of a unit's fixed cost
 * under live load. The request itself takes every partition of every topic; this sends it with the client's
 * own connection, API version negotiation and retries.
 */
import {
  kGetApi,
  kGetConnection,
  kMetadata,
  kPerformWithRetry,
  type API,
  type Callback,
  type Message,
} from '@platformatic/kafka';
import type { NativeConsumer, NativeProducer } from './kafka-client.js';

/** The last record of a consumed batch (kafka-transactions.ts). */
type ConsumedPosition = Message<Buffer, Buffer, Buffer, Buffer>;

interface TxnOffsetCommitRequestTopic {
  name: string;
  partitions: { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number }[];
}

type TxnOffsetCommitApi = API<
  [
    transactionalId: string,
    groupId: string,
    producerId: bigint,
    producerEpoch: number,
    generationId: number,
    memberId: string,
    groupInstanceId: string | null,
    topics: TxnOffsetCommitRequestTopic[],
  ],
  unknown
>;

/**
 * Commits `positions` (the newest consumed record of each partition, one per partition) into the open
 * transaction `transactionalId` of `producer`, for `member`'s group generation. The group must already be
 * in the transaction (`transaction.addConsumer`).
 */
export function commitTransactionOffsets(
  producer: NativeProducer,
  transactionalId: string,
  member: NativeConsumer,
  positions: readonly ConsumedPosition[],
): Promise<void> {
  const topicsNamed = [...new Set(positions.map((p) => p.topic))];
  const { groupId, generationId, memberId, coordinatorId } = member;
  const producerId = producer.producerId;
  const producerEpoch = producer.producerEpoch;
  if (producerId === undefined || producerEpoch === undefined || memberId === null)
    return Promise.reject(new Error('transactional producer or group member not ready'));
  return new Promise<void>((resolve, reject) => {
    const done: Callback<unknown> = (error) => (error ? reject(error) : resolve());
    // With a callback the client returns nothing: the promise is this function's own.
    void producer[kPerformWithRetry](
      'txnOffsetCommit',
      (retry: Callback<unknown>) => {
        producer[kMetadata]({ topics: topicsNamed }, (error, metadata) => {
          if (error || metadata === undefined) return retry(error ?? new Error('no metadata'));
          const broker = coordinatorId === null ? undefined : metadata.brokers.get(coordinatorId);
          if (broker === undefined) return retry(new Error(`group coordinator ${coordinatorId} unknown`));
          producer[kGetConnection](broker, (error, connection) => {
            if (error || connection === undefined) return retry(error ?? new Error('no connection'));
            producer[kGetApi]('TxnOffsetCommit', (error, api: TxnOffsetCommitApi | undefined) => {
              if (error || api === undefined) return retry(error ?? new Error('no TxnOffsetCommit API'));
              const topics = topicsNamed.map((name) => ({
                name,
                partitions: positions
                  .filter((p) => p.topic === name)
                  .map((p) => ({
                    partitionIndex: p.partition,
                    committedOffset: p.offset + 1n,
                    committedLeaderEpoch:
                      metadata.topics.get(name)?.partitions[p.partition]?.leaderEpoch ?? -1,
                  })),
              }));
              api(
                connection,
                transactionalId,
                groupId,
                producerId,
                producerEpoch,
                generationId,
                memberId,
                null,
                topics,
                (error) => retry(error ?? null),
              );
            });
          });
        });
      },
      done,
    );
  });
}
