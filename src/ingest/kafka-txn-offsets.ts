/**
 * The consumed offsets of a transaction in ONE TxnOffsetCommit request. The client's own
 * `Transaction.addOffset` sends one request per partition and merges concurrent calls into the first (its
 * requests are deduplicated by operation name), so a unit that consumed N partitions paid N sequential
 * round trips to the group coordinator before it could commit. The request itself takes any number of
 * topics and partitions; this builds it once per transaction, with the same fields the client would send.
 */
import { txnOffsetCommitV3, txnOffsetCommitV4, type Connection } from '@platformatic/kafka';
import type { NativeConsumer, NativeProducer } from './kafka-client.js';

/** A consumed record's position: committing it commits everything before it in its partition. */
export interface OffsetPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

type TxnOffsetCommitApi = typeof txnOffsetCommitV4.api;

/** The newest request version both sides support (v3 is what every broker with KIP-447 has). */
async function txnOffsetCommitApi(producer: NativeProducer): Promise<TxnOffsetCommitApi> {
  const supported = (await producer.listApis()).find((a) => a.name === 'TxnOffsetCommit');
  return supported !== undefined && supported.maxVersion >= 4 ? txnOffsetCommitV4.api : txnOffsetCommitV3.api;
}

/**
 * Sends the offsets (one per partition, each the last consumed record) to the group coordinator as part
 * of the producer's open transaction. The group must already be in the transaction
 * (`transaction.addConsumer`). Throws the broker's error; the caller aborts the transaction.
 */
export async function commitOffsetsInTransaction(
  producer: NativeProducer,
  transactionalId: string,
  member: NativeConsumer,
  positions: readonly OffsetPosition[],
): Promise<void> {
  const topicNames = [...new Set(positions.map((p) => p.topic))];
  const metadata = await producer.metadata({ topics: topicNames });
  const coordinator = member.coordinatorId === null ? undefined : metadata.brokers.get(member.coordinatorId);
  if (coordinator === undefined) {
    throw new Error(`group coordinator ${member.coordinatorId} is not in the cluster metadata`);
  }
  const topics = topicNames.map((name) => ({
    name,
    partitions: positions
      .filter((p) => p.topic === name)
      .map((p) => ({
        partitionIndex: p.partition,
        committedOffset: p.offset + 1n,
        committedLeaderEpoch: metadata.topics.get(name)?.partitions[p.partition]?.leaderEpoch ?? -1,
      })),
  }));
  const api = await txnOffsetCommitApi(producer);
  const connection: Connection = await producer.connections.get(coordinator);
  await api.async(
    connection,
    transactionalId,
    member.groupId,
    producer.producerId ?? -1n,
    producer.producerEpoch ?? -1,
    member.generationId,
    member.memberId ?? '',
    null,
    topics,
  );
}
