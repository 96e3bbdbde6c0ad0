/**
 * The client-neutral side of producing and consuming: record shapes, splitting a write into requests,
 * serialising work per producer, and the latch that ends a reader exactly once. Kept apart from kafka-client.ts so that file stays the thin client
 * wrapper, and so these rules survive a change of Kafka client.
 */

export interface ProduceRecord {
  /** The record key; for signals the subject id, which picks the partition. */
  readonly key: string;
  readonly value: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ProduceOptions {
  /** Most records per produce request. Default 1000. */
  readonly maxBatchRecords?: number;
  /** Most key+value bytes per produce request; below the broker's 1 MiB message.max.bytes. Default 512 KiB. */
  readonly maxBatchBytes?: number;
}

export interface ProduceResult {
  readonly records: number;
  /** Per partition written: the offset of its first record in each request. */
  readonly partitions: readonly { readonly partition: number; readonly baseOffset: string }[];
}

export interface ConsumedRecord {
  readonly topic: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly partition: number;
  readonly offset: string;
  /** Record timestamp, epoch milliseconds as a decimal string (64-bit values are kept as strings). */
  readonly timestamp: string;
  /** Header values as UTF-8; a key repeated in one record keeps its last value (Java's `lastHeader`). */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Splits records, in order, into chunks of at most `maxRecords` records and about `maxBytes` key+value
 * bytes (a single larger record gets a chunk of its own): one chunk is one produce request, which must
 * stay under the broker's message.max.bytes.
 */
export function* chunkRecords(
  records: readonly ProduceRecord[],
  maxRecords: number,
  maxBytes: number,
): Generator<readonly ProduceRecord[]> {
  if (!Number.isInteger(maxRecords) || maxRecords < 1)
    throw new RangeError('maxRecords must be an integer >= 1');
  if (!(maxBytes > 0)) throw new RangeError('maxBytes must be > 0');
  let chunk: ProduceRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = Buffer.byteLength(record.key) + record.value.length;
    if (chunk.length > 0 && (chunk.length >= maxRecords || bytes + size > maxBytes)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(record);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

/** Records for one topic, as several-topic writes take them (null key and value allowed: redacted letters). */
export interface TopicBatch<R> {
  readonly topic: string;
  readonly records: readonly R[];
}

/** Key, value and header bytes of a record: what counts against a produce request's size. */
export function recordBytes(record: {
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, string>>;
}): number {
  let bytes = (record.key === null ? 0 : Buffer.byteLength(record.key)) + (record.value?.length ?? 0);
  for (const [name, value] of Object.entries(record.headers ?? {}))
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

/**
 * Splits a write to several topics into requests of at most `maxBytes` record bytes (a single larger record
 * gets a request of its own), keeping each topic's records in order. Without this, the outputs of many
 * partitions handled at once can exceed the broker's message.max.bytes and be refused whole.
 */
export function chunkTopicBatches<R extends Parameters<typeof recordBytes>[0]>(
  batches: readonly TopicBatch<R>[],
  maxBytes: number,
): TopicBatch<R>[][] {
  if (!(maxBytes > 0)) throw new RangeError('maxBytes must be > 0');
  const requests: TopicBatch<R>[][] = [];
  let request = new Map<string, R[]>();
  let bytes = 0;
  let count = 0;
  const flush = (): void => {
    if (count > 0) requests.push([...request].map(([topic, records]) => ({ topic, records })));
    request = new Map();
    bytes = 0;
    count = 0;
  };
  for (const { topic, records } of batches) {
    for (const record of records) {
      const size = recordBytes(record);
      if (count > 0 && bytes + size > maxBytes) flush();
      const list = request.get(topic);
      if (list === undefined) request.set(topic, [record]);
      else list.push(record);
      bytes += size;
      count += 1;
    }
  }
  flush();
  return requests;
}

/**
 * Returns `run(owner, task)`, which starts `task` only after every task queued earlier for the same owner
 * has settled. A failed task does not fail the ones queued behind it. Owners are held weakly.
 */
export function createSerialQueue<Owner extends object>(): <T>(
  owner: Owner,
  task: () => Promise<T>,
) => Promise<T> {
  const tails = new WeakMap<Owner, Promise<unknown>>();
  return <T>(owner: Owner, task: () => Promise<T>): Promise<T> => {
    const next = (tails.get(owner) ?? Promise.resolve()).then(task);
    // The stored tail never rejects, so the next task always runs.
    tails.set(
      owner,
      next.catch(() => undefined),
    );
    return next;
  };
}

/** Settles once: `stop()` resolves `finished`, `fail(error)` rejects it; later calls are ignored. */
export interface StopLatch {
  readonly finished: Promise<void>;
  stopped(): boolean;
  stop(): void;
  fail(error: unknown): void;
}

export function createStopLatch(): StopLatch {
  let done = false;
  let resolveFinished: () => void = () => undefined;
  let rejectFinished: (error: Error) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    resolveFinished = resolve;
    rejectFinished = reject;
  });
  // `finished` may reject before anyone awaits it (a consumer crash while the group is still joining);
  // handled here so Node does not report it as unhandled before the caller's `await` sees it.
  finished.catch(() => undefined);
  return {
    finished,
    stopped: () => done,
    stop() {
      if (done) return;
      done = true;
      resolveFinished();
    },
    fail(error) {
      if (done) return;
      done = true;
      rejectFinished(error instanceof Error ? error : new Error(`non-Error thrown: ${typeof error}`));
    },
  };
}

/**
 * Group commit for produce requests: sends that arrive while one is in flight wait and then go out
 * together, as one request. With several partitions handled at once, this makes the number of produce
 * round trips follow the broker's latency instead of the number of batches (the producer allows one
 * request in flight; see kafka-client.ts). Each caller's promise settles with the request that carried
 * its records; order within a topic is the order of the calls.
 */
export function createCoalescingSender<
  B extends { readonly topic: string; readonly records: readonly unknown[] },
>(
  sendNow: (batches: readonly B[]) => Promise<void>,
  merge: (topic: string, parts: readonly B[]) => B,
  maxRecordsPerRequest = 10_000,
): (batches: readonly B[]) => Promise<void> {
  let pending: { batches: readonly B[]; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let running = false;
  const records = (batches: readonly B[]): number => batches.reduce((n, b) => n + b.records.length, 0);

  async function pump(): Promise<void> {
    running = true;
    while (pending.length > 0) {
      let count = 0;
      let take = 0;
      while (take < pending.length && (take === 0 || count < maxRecordsPerRequest)) {
        count += records(pending[take]?.batches ?? []);
        take += 1;
      }
      const group = pending.slice(0, take);
      pending = pending.slice(take);
      const byTopic = new Map<string, B[]>();
      for (const b of group.flatMap((g) => g.batches))
        byTopic.set(b.topic, [...(byTopic.get(b.topic) ?? []), b]);
      try {
        await sendNow([...byTopic].map(([topic, parts]) => merge(topic, parts)));
        for (const g of group) g.resolve();
      } catch (error) {
        for (const g of group) g.reject(error);
      }
    }
    running = false;
  }

  return (batches) =>
    new Promise<void>((resolve, reject) => {
      pending.push({ batches, resolve, reject });
      if (!running) void pump();
    });
}
