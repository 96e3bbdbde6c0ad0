/**
 * A simple reader for tools and tests (`dmid consume`, the policy backtest, checks): a group member on one
 * topic handing records to a callback one at a time, reading committed records only (read_committed:
 * the outputs of an aborted transaction are never seen).
 */
import {
  FetchIsolationLevels,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  type Message,
  type MessagesStream,
} from '@platformatic/kafka';
import type { KafkaClient } from './kafka-client.js';
import { classifyKafkaError, withKafka } from './kafka-errors.js';
import type { ConsumedRecord } from './record-batches.js';

export interface ConsumeOptions {
  readonly client: KafkaClient;
  /** The topic read, or several. */
  readonly topic: string | readonly string[];
  readonly groupId: string;
  /** Where a group without committed offsets starts: the oldest record (true) or new records only. */
  readonly fromBeginning: boolean;
  /**
   * Called once per record, in offset order within a partition. Its offset is committed only after it
   * returns; if it throws, reading stops and {@link consumeRecords} rejects with that error.
   */
  readonly onRecord: (record: ConsumedRecord) => void | Promise<void>;
  /** Aborting stops reading; {@link consumeRecords} then resolves. */
  readonly signal?: AbortSignal;
}

export interface ConsumeSummary {
  /** Records handed to onRecord that returned without throwing. */
  readonly records: number;
}

/** Header values as UTF-8; a name repeated in one record keeps its last value (Java's `lastHeader`). */
export function headerTexts(entries: readonly (readonly [Buffer, Buffer])[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of entries) headers[name.toString('utf8')] = value.toString('utf8');
  return headers;
}

export function toConsumedRecord(message: Message<Buffer, Buffer, Buffer, Buffer>): ConsumedRecord {
  return {
    topic: message.topic,
    key: message.key === undefined || message.key === null ? null : message.key.toString('utf8'),
    value: message.value ?? null,
    partition: message.partition,
    offset: String(message.offset),
    timestamp: String(message.timestamp),
    headers: headerTexts(message.headerEntries),
  };
}

/**
 * Subscribes a group to one topic and hands records to `onRecord` until `signal` aborts, `onRecord` throws
 * or the consumer fails. Leaves the group and disconnects in every case.
 */
export async function consumeRecords(options: ConsumeOptions): Promise<ConsumeSummary> {
  const consumer = options.client.consumer({ groupId: options.groupId });
  let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  let records = 0;
  const commits = new Set<Promise<void>>();
  const aborted = (): boolean => options.signal?.aborted === true;
  const topics = typeof options.topic === 'string' ? [options.topic] : [...options.topic];
  const onAbort = (): void => {
    // Joining the group can take seconds: an abort meanwhile closes the consumer under it.
    if (stream === undefined) void consumer.close(true).catch(() => undefined);
    else void stream.close().catch(() => undefined);
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (aborted()) return { records: 0 };
    stream = await withKafka(`subscribe to ${topics.join(', ')}`, () =>
      consumer.consume({
        topics,
        autocommit: false,
        isolationLevel: FetchIsolationLevels.READ_COMMITTED,
        mode: MessagesStreamModes.COMMITTED,
        fallbackMode: options.fromBeginning
          ? MessagesStreamFallbackModes.EARLIEST
          : MessagesStreamFallbackModes.LATEST,
      }),
    );
    if (aborted()) return { records: 0 };
    for await (const message of stream as AsyncIterable<Message<Buffer, Buffer, Buffer, Buffer>>) {
      await options.onRecord(toConsumedRecord(message));
      records += 1;
      // Not awaited one by one: the stream merges the commits of a partition into one request.
      const committing = Promise.resolve(message.commit()).catch(() => undefined);
      commits.add(committing);
      void committing.finally(() => commits.delete(committing));
      if (aborted()) break;
    }
    return { records };
  } catch (error) {
    // Closing the stream under an abort ends the iteration with an error of its own.
    if (aborted()) return { records };
    throw classifyKafkaError(`consume from ${topics.join(', ')}`, error);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await Promise.allSettled([...commits]);
    await stream?.close().catch(() => undefined);
    await consumer.close().catch(() => undefined);
  }
}
