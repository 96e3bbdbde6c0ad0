/**
 * One Kafka transaction per unit of work: the records a unit produces (scores, anchors, dead letters) and
 * the offsets of the batches it consumed are committed together or not at all. A crash or a fenced
 * instance leaves an aborted transaction, which read_committed readers never see, and uncommitted offsets,
 * so the unit is done again by whoever owns its partitions next.
 *
 * Sends that arrive while a transaction is in flight wait and then go out together in the next one (a
 * producer has one transaction open at a time), so the number of transactions follows the broker's latency,
 * not the number of units.
 *
 * Fencing: the producer's transactional id is stable per group member, so a restarted member fences its
 * predecessor (whose open transaction is aborted); the consumed offsets carry the consumer's group
 * generation, so the offsets of a member that lost its partitions in a rebalance are refused and its
 * transaction aborted (KIP-447).
 */
import type { Message } from '@platformatic/kafka';
import { DmidError } from '../errors.js';
import {
  classifyKafkaError,
  isKafkaError,
  isTransientTransactionFailure,
  kafkaErrorDetail,
} from './kafka-errors.js';
import {
  MAX_REQUEST_BYTES,
  toNativeMessage,
  type KafkaProducer,
  type NativeConsumer,
} from './kafka-client.js';
import { commitOffsetsInTransaction } from './kafka-txn-offsets.js';
import { chunkTopicBatches } from './record-batches.js';
import type { TopicRecords } from './transport.js';

/** The last record of a consumed batch: committing it commits the batch. */
export type ConsumedPosition = Message<Buffer, Buffer, Buffer, Buffer>;

interface Pending {
  readonly batches: readonly TopicRecords[];
  readonly consumed: readonly ConsumedPosition[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export interface TransactionalSender {
  /** Resolves once `batches` and the `consumed` offsets are committed in one transaction. */
  send(batches: readonly TopicRecords[], consumed: readonly ConsumedPosition[]): Promise<void>;
}

/** Most records gathered into one transaction. */
const MAX_TRANSACTION_RECORDS = 20_000;

/** Errors that say this member's view of the group is out of date: the unit is retried after a rejoin. */
function isRebalance(error: unknown): boolean {
  const leaves = error instanceof AggregateError ? (error.errors as unknown[]) : [error];
  return leaves.some((e) => isKafkaError(e) && (e.needsRejoin === true || e.rebalanceInProgress === true));
}

/** The newest consumed position of each partition (committing it covers the older ones). */
function newestPerPartition(positions: readonly ConsumedPosition[]): ConsumedPosition[] {
  const newest = new Map<string, ConsumedPosition>();
  for (const p of positions) {
    const key = `${p.topic}:${p.partition}`;
    const held = newest.get(key);
    if (held === undefined || p.offset > held.offset) newest.set(key, p);
  }
  return [...newest.values()];
}

export interface TransactionalSenderDeps {
  /** The transactional producer, opened on first use. */
  readonly producer: () => Promise<KafkaProducer>;
  /**
   * Drops the producer after a transaction that could not even be aborted (broker gone): the next one is
   * opened afresh, and opening it under the same transactional id aborts the dangling transaction.
   */
  readonly discardProducer: () => Promise<void>;
  /** The group member whose consumed offsets go into the transactions. */
  readonly consumer: () => NativeConsumer | undefined;
}

export function createTransactionalSender(deps: TransactionalSenderDeps): TransactionalSender {
  let pending: Pending[] = [];
  let running = false;

  async function commitTogether(group: readonly Pending[]): Promise<void> {
    const native = (await deps.producer()).native;
    const transaction = await native.beginTransaction().catch((error: unknown) => {
      throw classifyKafkaError('begin transaction', error);
    });
    try {
      const batches = group.flatMap((g) => g.batches).filter((b) => b.records.length > 0);
      for (const request of chunkTopicBatches(batches, MAX_REQUEST_BYTES)) {
        await transaction.send({
          messages: request.flatMap((b) => b.records.map((r) => toNativeMessage(b.topic, r))),
        });
      }
      const member = deps.consumer();
      const owned = newestPerPartition(group.flatMap((g) => g.consumed)).filter((p) =>
        member?.assignments?.some((a) => a.topic === p.topic && a.partitions.includes(p.partition)),
      );
      if (member !== undefined && owned.length > 0) {
        await transaction.addConsumer(member);
        // One TxnOffsetCommit for every partition of the transaction (the client would send one each).
        await commitOffsetsInTransaction(native, transaction.id, member, owned);
      }
      await transaction.commit();
    } catch (error) {
      const aborted = await transaction.abort().then(
        () => true,
        () => false,
      );
      const rebalance = isRebalance(error);
      const transient = !rebalance && isTransientTransactionFailure(error);
      // A producer whose epoch or sequence state the broker no longer accepts cannot go on: a new one
      // (InitProducerId under the same id) gets a fresh epoch and aborts whatever is still open.
      if (!aborted || transient) await deps.discardProducer();
      if (rebalance) {
        throw new DmidError('DMID_KAFKA_UNAVAILABLE', 'Kafka transaction aborted by a group rebalance', {
          cause: error,
        });
      }
      if (transient) {
        throw new DmidError(
          'DMID_KAFKA_UNAVAILABLE',
          `Kafka transaction aborted, to be retried: ${kafkaErrorDetail(error)}`,
          { cause: error },
        );
      }
      throw classifyKafkaError('transaction', error);
    }
  }

  async function pump(): Promise<void> {
    running = true;
    while (pending.length > 0) {
      let records = 0;
      let take = 0;
      while (take < pending.length && (take === 0 || records < MAX_TRANSACTION_RECORDS)) {
        records += (pending[take]?.batches ?? []).reduce((n, b) => n + b.records.length, 0);
        take += 1;
      }
      const group = pending.slice(0, take);
      pending = pending.slice(take);
      try {
        await commitTogether(group);
        for (const g of group) g.resolve();
      } catch (error) {
        for (const g of group) g.reject(error);
      }
    }
    running = false;
  }

  return {
    send: (batches, consumed) =>
      new Promise<void>((resolve, reject) => {
        pending.push({ batches, consumed, resolve, reject });
        if (!running) void pump();
      }),
  };
}
