/**
 * The Kafka transport: one consumer-group member over the signal topics and one idempotent producer.
 *
 * Records arrive one by one from the client's stream; those of one partition that arrived in the same turn
 * of the event loop are handed to the handler as one batch, one batch per partition in flight (so a
 * partition's records are handled in offset order) and every partition in parallel. The stream pauses
 * while too many records wait.
 *
 * Offsets are committed per batch, only after the handler resolved (so after everything downstream
 * succeeded), through the client's stream, which merges the commits of a partition into one request. A
 * batch whose partition was taken away by a rebalance while it was handled is not committed: the new owner
 * redoes it, which the idempotent state store makes harmless.
 */
import {
  FetchIsolationLevels,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  type Message,
  type MessagesStream,
} from '@platformatic/kafka';
import { hostname } from 'node:os';
import {
  watchConnectivity,
  type ConnectivityListener,
  type KafkaConnectivity,
} from './kafka-connectivity.js';
import { classifyKafkaError, isTransientStreamFailure, kafkaErrorDetail } from './kafka-errors.js';
import { canRetry } from '../errors.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTransactionalSender, type ConsumedPosition } from './kafka-transactions.js';
import { headerTexts } from './kafka-reader.js';
import { createCoalescingSender } from './record-batches.js';
import {
  produceToTopics,
  retryDelayMs,
  type KafkaClient,
  type KafkaProducer,
  type NativeConsumer,
} from './kafka-client.js';
import type {
  InboundBatch,
  InboundRecord,
  RunOptions,
  TopicRecords,
  Transport,
  TransportStatus,
} from './transport.js';

export interface KafkaTransportOptions {
  readonly client: KafkaClient;
  readonly groupId: string;
  /**
   * Partition batches handled at the same time by this member. More overlaps Redis and produce round trips of
   * different partitions. Default 48 (every partition of the four topics at 12 partitions each).
   */
  readonly partitionsConsumedConcurrently?: number;
  /** Records of one partition handed to the handler at most at once. Default 2,000. */
  readonly maxBatchRecords?: number;
  /** Called with the seconds each batch's offset commit took (the `commit` stage of the breakdown). */
  readonly onCommitted?: (seconds: number) => void;
  /**
   * Makes every send one Kafka transaction under this id (stable per group member; kafka-transactions.ts),
   * with the offsets of the batches a send names as consumed. Unset: an idempotent producer, and offsets
   * committed after the handler.
   */
  readonly transactionalId?: string | undefined;
  /** Told when the cluster is lost and reached again (kafka-connectivity.ts); status() says so too. */
  readonly onConnectivity?: ConnectivityListener;
  /**
   * How long stop() lets the batches in flight finish, milliseconds. Past it they are abandoned: not
   * committed (their transaction is left open, aborted by the broker's transaction timeout or by the next
   * instance under the same transactional id), so their partitions' next owner does them again. Default
   * 10000. Without it, a produce retried for ever (a deleted topic) made stop() wait for ever.
   */
  readonly stopGraceMs?: number;
}

/** Settles with `promise`, or with `undefined` after `ms` milliseconds, whichever comes first. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Each close step of an abandoning stop() gets this long, milliseconds. */
const CLOSE_STEP_MS = 3000;

type NativeMessage = Message<Buffer, Buffer, Buffer, Buffer>;

/** Records waiting above this pause the stream; it resumes below half of it. */
const PAUSE_AT_RECORDS = 20_000;
/** How often the partitions' end offsets are read, for the lag the worker reports. */
const END_OFFSETS_INTERVAL_MS = 5000;

interface PartitionQueue {
  readonly topic: string;
  readonly partition: number;
  waiting: NativeMessage[];
  busy: boolean;
  /** The next offset expected: a rebalance refetches from the committed offset; older ones are dropped. */
  next: bigint;
}

function toInbound(m: NativeMessage): InboundRecord {
  return {
    key: m.key ?? null,
    value: m.value ?? null,
    offset: String(m.offset),
    timestampMs: Number(m.timestamp),
    headers: headerTexts(m.headerEntries),
  };
}

/** `<group id>-<host name>-<pid>`: unique among live workers, and stable across restarts in a container. */
export function defaultTransactionalId(groupId: string): string {
  return `${groupId}-${hostname()}-${process.pid}`;
}

export function createKafkaTransport(options: KafkaTransportOptions): Transport {
  const maxBatch = options.maxBatchRecords ?? 2000;
  const concurrency = options.partitionsConsumedConcurrently ?? 48;
  let producer: KafkaProducer | undefined;
  let consumer: NativeConsumer | undefined;
  let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  let state: TransportStatus = { ok: false, detail: 'not started' };
  let stopping: Promise<void> | undefined;
  let stopRequested = false;
  let failure: ((error: unknown) => void) | undefined;
  const queues = new Map<string, PartitionQueue>();
  const inFlight = new Set<Promise<void>>();
  const endOffsets = new Map<string, bigint>();
  let waiting = 0;
  let dispatchScheduled = false;
  let endOffsetsTimer: NodeJS.Timeout | undefined;
  let connectivity: KafkaConnectivity | undefined;

  let opening: Promise<KafkaProducer> | undefined;
  const producerReady = async (): Promise<KafkaProducer> => {
    if (producer !== undefined) return producer;
    opening ??= options.client
      .producer(options.transactionalId === undefined ? {} : { transactionalId: options.transactionalId })
      .finally(() => {
        opening = undefined;
      });
    producer = await opening;
    return producer;
  };
  const coalesced = createCoalescingSender<TopicRecords>(
    async (batches) => produceToTopics(await producerReady(), batches),
    (topic, parts) => ({ topic, records: parts.flatMap((p) => p.records) }),
  );
  const transactional =
    options.transactionalId === undefined
      ? undefined
      : createTransactionalSender({
          producer: producerReady,
          discardProducer: async () => {
            const held = producer;
            producer = undefined;
            await held?.disconnect().catch(() => undefined);
          },
          consumer: () => consumer,
        });
  /** The last record of each batch handed out, and the batches a transaction committed. */
  const positions = new WeakMap<InboundBatch, ConsumedPosition>();
  const committedInTransaction = new WeakSet<InboundBatch>();

  async function send(
    batches: readonly TopicRecords[],
    consumed: readonly InboundBatch[] = [],
  ): Promise<void> {
    const nonEmpty = batches.filter((b) => b.records.length > 0);
    if (transactional === undefined) return coalesced(nonEmpty);
    const held = consumed.flatMap((b) => {
      const position = positions.get(b);
      return position === undefined ? [] : [position];
    });
    if (nonEmpty.length === 0 && held.length === 0) return;
    await transactional.send(nonEmpty, held);
    for (const b of consumed) committedInTransaction.add(b);
  }

  const assigned = (topic: string, partition: number): boolean =>
    consumer?.assignments?.some((a) => a.topic === topic && a.partitions.includes(partition)) ?? false;

  function onMessage(m: NativeMessage): void {
    const key = `${m.topic}:${m.partition}`;
    let queue = queues.get(key);
    if (queue === undefined) {
      queue = { topic: m.topic, partition: m.partition, waiting: [], busy: false, next: -1n };
      queues.set(key, queue);
    }
    if (m.offset < queue.next) return;
    queue.next = m.offset + 1n;
    queue.waiting.push(m);
    waiting += 1;
    if (waiting >= PAUSE_AT_RECORDS && stream !== undefined && !stream.isPaused()) stream.pause();
    scheduleDispatch();
  }

  function scheduleDispatch(): void {
    if (dispatchScheduled) return;
    dispatchScheduled = true;
    setImmediate(dispatch);
  }

  function dispatch(): void {
    dispatchScheduled = false;
    if (stopRequested) return;
    for (const queue of queues.values()) {
      if (inFlight.size >= concurrency) break;
      if (queue.busy || queue.waiting.length === 0) continue;
      const messages = queue.waiting.splice(0, maxBatch);
      waiting -= messages.length;
      queue.busy = true;
      const handling = handleBatch(queue, messages).finally(() => {
        queue.busy = false;
        inFlight.delete(handling);
        if (queue.waiting.length > 0) scheduleDispatch();
      });
      inFlight.add(handling);
    }
    if (waiting < PAUSE_AT_RECORDS / 2 && stream?.isPaused() === true && !stopRequested) stream.resume();
  }

  async function handleBatch(queue: PartitionQueue, messages: NativeMessage[]): Promise<void> {
    const last = messages.at(-1);
    if (last === undefined) return;
    const key = `${queue.topic}:${queue.partition}`;
    const end = endOffsets.get(key) ?? 0n;
    const batch: InboundBatch = {
      topic: queue.topic,
      partition: queue.partition,
      records: messages.map(toInbound),
      highWatermark: String(end > last.offset ? end : last.offset + 1n),
      // The client heartbeats in the background, whatever the handler does.
      heartbeat: () => Promise.resolve(),
    };
    positions.set(batch, last);
    try {
      await runHandler(batch);
    } catch (error) {
      // A unit cut short by stop() is abandoned, not a failure: it is not committed, so the partition's
      // next owner redoes it (the worker stops retrying once stopping, by design).
      if (stopRequested) return;
      state = { ok: false, detail: 'batch handling failed' };
      failure?.(error);
      return;
    }
    // Committed with the outputs, in their transaction.
    if (committedInTransaction.has(batch)) return;
    // A partition taken away meanwhile is redone by its new owner.
    if (!assigned(queue.topic, queue.partition)) return;
    const commitStart = performance.now();
    try {
      await last.commit();
      options.onCommitted?.((performance.now() - commitStart) / 1000);
    } catch {
      // A commit refused by a rebalance: the batch is redelivered to the partition's owner.
    }
  }

  let runHandler: (batch: InboundBatch) => Promise<void> = () => Promise.resolve();

  async function refreshEndOffsets(topics: readonly string[]): Promise<void> {
    const offsets = await consumer?.listOffsets({ topics: [...topics] }).catch(() => undefined);
    for (const [topic, partitions] of offsets ?? []) {
      partitions.forEach((offset, partition) => endOffsets.set(`${topic}:${partition}`, offset));
    }
  }

  /**
   * Opens a group member and its stream. A stream that fails on something a restart of it can outlive
   * (brokers restarting one after the other: connections closed, a leader on a broker the client's
   * metadata does not list yet) is replaced by a new member (see {@link restartConsuming}); anything else
   * ends run().
   */
  async function startConsuming(runOptions: RunOptions): Promise<void> {
    const member = options.client.consumer({ groupId: options.groupId });
    consumer = member;
    // After a rebalance the stream refetches every assigned partition from its committed offset.
    member.on('consumer:group:join', () => {
      for (const queue of queues.values()) queue.next = -1n;
    });
    try {
      // A new group starts at the oldest record, so nothing published before the first start is missed.
      stream = await member.consume({
        topics: [...runOptions.topics],
        autocommit: false,
        isolationLevel: FetchIsolationLevels.READ_COMMITTED,
        mode: MessagesStreamModes.COMMITTED,
        fallbackMode: MessagesStreamFallbackModes.EARLIEST,
        maxBytes: 10 * 1024 * 1024,
        maxBytesPerPartition: 1024 * 1024,
        maxWaitTime: 500,
      });
    } catch (error) {
      await member.close().catch(() => undefined);
      throw classifyKafkaError('subscribe', error);
    }
    const current = stream;
    current.on('data', onMessage);
    current.once('error', (error: unknown) => {
      if (stopRequested) return;
      if (isTransientStreamFailure(error)) {
        options.client.log('warn', 'consumer', 'consumer stream failed; rejoining the group', {
          error: kafkaErrorDetail(error),
        });
        state = { ok: false, detail: 'consumer rejoining the group' };
        void restartConsuming(runOptions, member);
        return;
      }
      state = {
        ok: false,
        detail: `consumer failed: ${error instanceof Error ? error.message : String(error)}`,
      };
      failure?.(classifyKafkaError('consume', error));
    });
  }

  /**
   * Replaces a failed member: what it fetched but did not hand out is dropped and a new member resumes
   * from the committed offsets, retried with capped backoff until the cluster answers. Batches still in
   * flight commit their offsets through the new member when it owns their partitions (a record redone
   * meanwhile is harmless: the state store is idempotent by version).
   */
  async function restartConsuming(runOptions: RunOptions, failed: NativeConsumer): Promise<void> {
    for (const queue of queues.values()) {
      waiting -= queue.waiting.length;
      queue.waiting = [];
      queue.next = -1n;
    }
    // Transactions until the new member joins carry no offsets (their units are redone), never a closed
    // member's. Not waiting for the batches in flight: they need a live member for their offsets.
    if (consumer === failed) consumer = undefined;
    await within(
      failed.close(true).catch(() => undefined),
      5000,
    );
    for (let attempt = 1; !stopRequested; attempt++) {
      try {
        await startConsuming(runOptions);
        // stop() may have closed the member before this one: this one is closed here.
        if (stopRequested) await Promise.allSettled([stream?.close(), consumer?.close()]);
        else state = { ok: true, detail: 'consuming' };
        return;
      } catch (error) {
        if (!canRetry(error)) {
          failure?.(error);
          return;
        }
        await sleep(retryDelayMs(attempt));
      }
    }
  }

  async function run(runOptions: RunOptions): Promise<void> {
    if (consumer !== undefined) throw new Error('kafka transport: run() called twice');
    runHandler = runOptions.handle;
    await producerReady();
    const failed = new Promise<never>((_, reject) => {
      failure = reject;
    });
    failed.catch(() => undefined);
    try {
      await startConsuming(runOptions);
    } catch (error) {
      await stop();
      throw error;
    }
    void refreshEndOffsets(runOptions.topics);
    endOffsetsTimer = setInterval(() => void refreshEndOffsets(runOptions.topics), END_OFFSETS_INTERVAL_MS);
    endOffsetsTimer.unref();
    state = { ok: true, detail: 'consuming' };
    connectivity = watchConnectivity(
      () =>
        consumer === undefined
          ? Promise.reject(new Error('no consumer'))
          : consumer.metadata({ topics: [], forceUpdate: true, retries: 0 }),
      (connected, reconnected) => {
        options.onConnectivity?.(connected, reconnected);
        if (stopRequested || !state.ok === !connected) return;
        state = connected
          ? { ok: true, detail: 'consuming' }
          : { ok: false, detail: 'Kafka cluster unreachable; retrying' };
      },
    );
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
      stopRequested = true;
      clearInterval(endOffsetsTimer);
      connectivity?.stop();
      stream?.pause();
      // The batches in flight finish and commit while this member still owns their partitions, within
      // the grace period; past it they are abandoned (uncommitted) and the clients closed by force.
      const grace = options.stopGraceMs ?? 10_000;
      const finished = await within(
        Promise.allSettled([...inFlight]).then(() => true),
        grace,
      );
      const abandoned = finished !== true;
      await within(stream?.close().catch(() => undefined) ?? Promise.resolve(), CLOSE_STEP_MS);
      await within(consumer?.close(abandoned).catch(() => undefined) ?? Promise.resolve(), CLOSE_STEP_MS);
      const closeProducer = abandoned ? producer?.native.close(true) : producer?.disconnect();
      await within(closeProducer?.catch(() => undefined) ?? Promise.resolve(), CLOSE_STEP_MS);
      state = { ok: false, detail: 'stopped' };
      for (const resolve of stoppedSignal.splice(0)) resolve();
    })();
    return stopping;
  }

  return {
    run,
    send,
    stop,
    status: () => state,
  };
}
