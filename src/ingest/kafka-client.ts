/**
 * The one module in src/ that imports kafkajs (design.md: the client stays behind src/ingest/ so another
 * one can replace it). Everything else gets Kafka through the factories and helpers here, with kafkajs
 * failures turned into {@link DmidError}s: a broker that cannot be reached becomes
 * `DMID_KAFKA_UNAVAILABLE` (retry may help) with the kafkajs error as `cause`; programmer errors
 * (bad arguments) are thrown as they are.
 */
// First: it replaces one kafkajs internal before kafkajs is loaded (see the module).
import './kafkajs-grouping.js';
// Also before kafkajs: a slicing-by-8 crc32C, exact-size record batches in place of kafkajs's per-record
// Encoders, and a produce request v3 that does not copy every message (see the modules).
import './kafkajs-crc32c.js';
import './kafkajs-records.js';
import './kafkajs-produce.js';
import kafkajs from 'kafkajs';
import { randomInt } from 'node:crypto';
import type {
  Admin,
  Consumer,
  EachBatchPayload,
  ICustomPartitioner,
  IHeaders,
  KafkaMessage,
  LogEntry,
  Producer,
} from 'kafkajs';
import { DmidError } from '../errors.js';
import { partitionOfKey } from './partitioner.js';
import type { ConsumedRecord, ProduceOptions, ProduceRecord, ProduceResult } from './record-batches.js';
import type { StopLatch } from './record-batches.js';
import type { TopicBatch } from './record-batches.js';
import { chunkRecords, chunkTopicBatches, createSerialQueue, createStopLatch } from './record-batches.js';

export type { ConsumedRecord, ProduceOptions, ProduceRecord, ProduceResult } from './record-batches.js';

// kafkajs is CommonJS and spreads its error classes into module.exports, which Node's ESM loader cannot
// see as named exports: they are only reachable through the default import.
const { Kafka, logLevel: KafkaJsLevel, KafkaJSError, KafkaJSProtocolError, KafkaJSAggregateError } = kafkajs;

/** Connected kafkajs handles, under our names so callers never import kafkajs themselves. */
export type KafkaAdmin = Admin;
export type KafkaProducer = Producer;
export type KafkaConsumer = Consumer;

export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

export interface KafkaLogEntry {
  readonly level: Exclude<KafkaLogLevel, 'nothing'>;
  /** The kafkajs component, e.g. `Connection`, `Consumer`. */
  readonly namespace: string;
  readonly message: string;
  /** kafkajs' structured fields (broker, groupId, error, ...). Never record contents below `debug`. */
  readonly fields: Readonly<Record<string, unknown>>;
}

export type KafkaLogger = (entry: KafkaLogEntry) => void;

export interface KafkaClientOptions {
  /** Bootstrap brokers as `host:port`; at least one. */
  readonly brokers: readonly string[];
  /** Sent to the broker with every request; shows up in broker logs and quotas. */
  readonly clientId: string;
  /** Lowest kafkajs level passed on. Default `'warn'`. */
  readonly logLevel?: KafkaLogLevel;
  /** Where kafkajs log lines go. Default: one JSON line per entry on stderr. */
  readonly logger?: KafkaLogger;
  /** TCP connect timeout, milliseconds. Default 3000. */
  readonly connectionTimeoutMs?: number;
  /** Time a broker has to answer a request, milliseconds. Default 30000. */
  readonly requestTimeoutMs?: number;
  /** How often kafkajs retries a failed request before giving up. Default 5. */
  readonly retries?: number;
  /** Session timeout of the consumers this client opens, unless one names its own. Default 30000. */
  readonly sessionTimeoutMs?: number;
}

export interface ConsumerOptions {
  /** Consumer group id. Offsets are committed under it. */
  readonly groupId: string;
  /**
   * Milliseconds without a heartbeat before the group evicts this member (a member that died without
   * leaving holds its partitions until then). Default: the client's, else 30000 (kafkajs).
   */
  readonly sessionTimeoutMs?: number | undefined;
}

export interface KafkaClient {
  readonly clientId: string;
  /** A connected admin client. The caller disconnects it. */
  admin(): Promise<KafkaAdmin>;
  /**
   * A connected idempotent producer partitioning keys like the Java client (murmur2), so a subject lands
   * on the same partition whichever client wrote it. Send through {@link produceRecords}.
   */
  producer(): Promise<KafkaProducer>;
  /** A connected consumer that does not restart itself after a crash: the crash reaches the caller. */
  consumer(options: ConsumerOptions): Promise<KafkaConsumer>;
}

/** kafkajs numeric log levels by name. */
export const KAFKA_LOG_LEVELS: Readonly<Record<KafkaLogLevel, number>> = {
  nothing: KafkaJsLevel.NOTHING,
  error: KafkaJsLevel.ERROR,
  warn: KafkaJsLevel.WARN,
  info: KafkaJsLevel.INFO,
  debug: KafkaJsLevel.DEBUG,
};

function levelName(level: number): KafkaLogEntry['level'] {
  if (level <= Number(KafkaJsLevel.ERROR)) return 'error';
  if (level <= Number(KafkaJsLevel.WARN)) return 'warn';
  if (level <= Number(KafkaJsLevel.INFO)) return 'info';
  return 'debug';
}

function stderrLogger(entry: KafkaLogEntry): void {
  process.stderr.write(`${JSON.stringify({ source: 'kafkajs', ...entry })}\n`);
}

const UNAVAILABLE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSTimeout',
  'KafkaJSLockTimeout',
]);

/**
 * True for kafkajs errors that mean "the cluster is not reachable or not ready": connection and timeout
 * failures, exhausted retries, and protocol errors the broker marks retriable (leader elections, a
 * coordinator loading). Argument errors and non-retriable protocol errors (bad topic name, authorisation)
 * are not: retrying them cannot help.
 */
export function isKafkaUnavailable(error: unknown): boolean {
  if (error instanceof KafkaJSAggregateError) {
    return error.errors.length > 0 && error.errors.every((e) => isKafkaUnavailable(e));
  }
  if (!(error instanceof KafkaJSError)) return false;
  if (UNAVAILABLE_NAMES.has(error.name)) return true;
  return error instanceof KafkaJSProtocolError && error.retriable;
}

/** The broker's error type (`TOPIC_ALREADY_EXISTS`, ...) of a kafkajs protocol error, else undefined. */
export function kafkaProtocolErrorType(error: unknown): string | undefined {
  return error instanceof KafkaJSProtocolError ? error.type : undefined;
}

/**
 * Whether an error came from kafkajs (as opposed to our code or the caller's). Includes the aggregate
 * kafkajs throws for per-topic failures, which is not a KafkaJSError.
 */
export function isKafkaError(error: unknown): boolean {
  return error instanceof KafkaJSError || error instanceof KafkaJSAggregateError;
}

/** The errors inside a kafkajs aggregate (per-topic failures of one request); empty for anything else. */
export function kafkaAggregateErrors(error: unknown): readonly unknown[] {
  return error instanceof KafkaJSAggregateError ? error.errors : [];
}

/** Runs a kafkajs call; an unavailable cluster becomes DMID_KAFKA_UNAVAILABLE, anything else is rethrown. */
export async function withKafka<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isKafkaUnavailable(error)) {
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new DmidError('DMID_KAFKA_UNAVAILABLE', `Kafka ${action} failed: ${detail}`, { cause: error });
    }
    throw error;
  }
}

function validateOptions(options: KafkaClientOptions): void {
  if (options.brokers.length === 0) throw new RangeError('createKafkaClient: brokers must not be empty');
  for (const broker of options.brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(broker)) {
      throw new RangeError(`createKafkaClient: broker "${broker}" is not host:port`);
    }
  }
  if (options.clientId.trim() === '') throw new RangeError('createKafkaClient: clientId must not be empty');
  const session = options.sessionTimeoutMs;
  if (session !== undefined && (!Number.isSafeInteger(session) || session < 1)) {
    throw new RangeError(`createKafkaClient: sessionTimeoutMs ${session} is not a positive integer`);
  }
}

type KafkaJs = InstanceType<typeof Kafka>;

/**
 * kafkajs logs a heartbeat answered "the group is rebalancing" as an error, although it is how every
 * member learns of a rebalance (another member joined or left) and it rejoins at once: reported as info.
 */
function isRebalanceNotice(log: LogEntry['log']): boolean {
  return log.message.startsWith('Response Heartbeat') && String(log.error).includes('rebalancing');
}

/** A kafkajs log line as passed on, or undefined when it falls below `threshold` (a kafkajs level). */
export function toKafkaLogEntry(
  { namespace, level, log }: Pick<LogEntry, 'namespace' | 'level' | 'log'>,
  threshold: number,
): KafkaLogEntry | undefined {
  const effective = isRebalanceNotice(log) ? Number(KafkaJsLevel.INFO) : level;
  if (effective > threshold) return undefined;
  const fields = Object.fromEntries(
    Object.entries(log).filter(([name]) => name !== 'message' && name !== 'timestamp'),
  );
  return { level: levelName(effective), namespace, message: log.message, fields };
}

function logCreatorFor(sink: KafkaLogger, threshold: number) {
  return () =>
    (entry: LogEntry): void => {
      const passed = toKafkaLogEntry(entry, threshold);
      if (passed !== undefined) sink(passed);
    };
}

/**
 * kafkajs's DefaultPartitioner rule (a record's own partition, else the Java client's murmur2 of the key,
 * else round-robin over partitions with a leader), with the key hashed by partitioner.ts.
 */
const javaCompatiblePartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const key = message.key;
    if (key !== null && key !== undefined) return partitionOfKey(key, partitionMetadata.length);
    const counter = (counters.get(topic) ?? randomInt(2 ** 31)) + 1;
    counters.set(topic, counter);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    if (available.length > 0) return available[counter % available.length]?.partitionId ?? 0;
    return counter % partitionMetadata.length;
  };
};

async function openProducer(kafka: KafkaJs): Promise<KafkaProducer> {
  const producer = kafka.producer({
    createPartitioner: javaCompatiblePartitioner,
    idempotent: true,
    // kafkajs does not renumber sequences of a failed request when later ones are in flight (the Java
    // client does); one request in flight per broker keeps idempotence sound.
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await withKafka('producer connect', () => producer.connect());
  return producer;
}

async function openConsumer(kafka: KafkaJs, options: ConsumerOptions): Promise<KafkaConsumer> {
  const consumer = kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeout: options.sessionTimeoutMs }),
    // kafkajs restarts a crashed consumer on its own, forever; we want the crash at the caller.
    retry: { restartOnFailure: () => Promise.resolve(false) },
  });
  await withKafka('consumer connect', () => consumer.connect());
  return consumer;
}

export function createKafkaClient(options: KafkaClientOptions): KafkaClient {
  validateOptions(options);
  const kafka = new Kafka({
    brokers: [...options.brokers],
    clientId: options.clientId,
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: { retries: options.retries ?? 5 },
    logLevel: KAFKA_LOG_LEVELS[options.logLevel ?? 'warn'],
    logCreator: logCreatorFor(options.logger ?? stderrLogger, KAFKA_LOG_LEVELS[options.logLevel ?? 'warn']),
  });
  return {
    clientId: options.clientId,
    async admin() {
      const admin = kafka.admin();
      await withKafka('admin connect', () => admin.connect());
      return admin;
    },
    producer: () => openProducer(kafka),
    consumer: (consumerOptions) =>
      openConsumer(kafka, {
        ...consumerOptions,
        sessionTimeoutMs: consumerOptions.sessionTimeoutMs ?? options.sessionTimeoutMs,
      }),
  };
}

// kafkajs reads an idempotent producer's sequence numbers when a request is built and advances them only
// when it is answered, so two overlapping sends to one partition carry the same numbers and the broker
// drops the second as a duplicate while acknowledging it (tulios/kafkajs#1005). Sends are queued per producer.
const enqueue = createSerialQueue<KafkaProducer>();

/**
 * Writes records to one topic in as few produce requests as the size limits allow, in order, waiting for
 * all in-sync replicas. Concurrent calls on one producer are serialised (see above).
 */
export async function produceRecords(
  producer: KafkaProducer,
  topic: string,
  records: readonly ProduceRecord[],
  options: ProduceOptions = {},
): Promise<ProduceResult> {
  const maxRecords = options.maxBatchRecords ?? 1000;
  const maxBytes = options.maxBatchBytes ?? 512 * 1024;
  const partitions: { partition: number; baseOffset: string }[] = [];
  for (const chunk of chunkRecords(records, maxRecords, maxBytes)) {
    const metadata = await enqueue(producer, () =>
      withKafka(`produce to ${topic}`, () =>
        producer.send({
          topic,
          acks: -1,
          messages: chunk.map((r) => ({ key: r.key, value: r.value, headers: { ...r.headers } })),
        }),
      ),
    );
    for (const m of metadata) partitions.push({ partition: m.partition, baseOffset: m.baseOffset ?? '-1' });
  }
  return { records: records.length, partitions };
}

/** Most record bytes per produce request of {@link produceToTopics}: below the broker's 1 MiB message.max.bytes. */
const MAX_REQUEST_BYTES = 900 * 1024;

/**
 * Writes records to several topics in as few produce requests as the size limit allows (kafkajs sendBatch,
 * one request per broker), in order, waiting for all in-sync replicas; serialised per producer like
 * {@link produceRecords}. Null values are allowed (redacted dead letters).
 */
export async function produceToTopics(
  producer: KafkaProducer,
  batches: readonly TopicBatch<{
    key: string | null;
    value: Buffer | null;
    headers?: Readonly<Record<string, string>>;
  }>[],
): Promise<void> {
  const nonEmpty = batches.filter((b) => b.records.length > 0);
  for (const request of chunkTopicBatches(nonEmpty, MAX_REQUEST_BYTES)) {
    const topicMessages = request.map((b) => ({
      topic: b.topic,
      messages: b.records.map((r) =>
        r.headers === undefined
          ? { key: r.key, value: r.value }
          : { key: r.key, value: r.value, headers: { ...r.headers } },
      ),
    }));
    await enqueue(producer, () =>
      withKafka(`produce to ${topicMessages.map((t) => t.topic).join(', ')}`, () =>
        producer.sendBatch({ topicMessages, acks: -1 }),
      ),
    );
  }
}

function headerText(value: IHeaders[string]): string | undefined {
  if (value === undefined) return undefined;
  const last = Array.isArray(value) ? value.at(-1) : value;
  return last === undefined ? undefined : last.toString();
}

function toConsumedRecord(partition: number, message: KafkaMessage): ConsumedRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const text = headerText(value);
    if (text !== undefined) headers[name] = text;
  }
  return {
    key: message.key === null ? null : message.key.toString('utf8'),
    value: message.value,
    partition,
    offset: message.offset,
    timestamp: message.timestamp,
    headers,
  };
}

export interface ConsumeOptions {
  readonly client: KafkaClient;
  readonly topic: string;
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

/**
 * A simple reader for tools and tests: subscribes a group to one topic and hands records to `onRecord`
 * until `signal` aborts, `onRecord` throws or the consumer crashes. Disconnects in every case.
 */
export async function consumeRecords(options: ConsumeOptions): Promise<ConsumeSummary> {
  const consumer = await options.client.consumer({ groupId: options.groupId });
  try {
    await withKafka(`subscribe to ${options.topic}`, () =>
      consumer.subscribe({ topics: [options.topic], fromBeginning: options.fromBeginning }),
    );
    return await readUntilStopped(consumer, options);
  } finally {
    await consumer.disconnect();
  }
}

/**
 * Each offset is resolved only after onRecord returned, so a record whose handler threw is not committed;
 * reading then stops at once instead of letting kafkajs retry the handler.
 */
function batchHandler(options: ConsumeOptions, latch: StopLatch, counter: { records: number }) {
  return async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    for (const message of batch.messages) {
      if (latch.stopped() || !payload.isRunning() || payload.isStale()) return;
      try {
        await options.onRecord(toConsumedRecord(batch.partition, message));
      } catch (error) {
        latch.fail(error);
        return;
      }
      counter.records += 1;
      payload.resolveOffset(message.offset);
      await payload.heartbeat();
    }
  };
}

async function readUntilStopped(consumer: KafkaConsumer, options: ConsumeOptions): Promise<ConsumeSummary> {
  const counter = { records: 0 };
  const latch = createStopLatch();
  const onAbort = (): void => latch.stop();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const removeCrashListener = consumer.on(consumer.events.CRASH, ({ payload }) => {
    const message = `Kafka consumer crashed: ${payload.error.message}`;
    latch.fail(new DmidError('DMID_KAFKA_UNAVAILABLE', message, { cause: payload.error }));
  });
  try {
    if (options.signal?.aborted === true) return { records: 0 };
    // run() resolves only once the group is joined; an abort while joining must not wait for that.
    const running = withKafka(`consume from ${options.topic}`, () =>
      consumer.run({ eachBatchAutoResolve: false, eachBatch: batchHandler(options, latch, counter) }),
    );
    running.catch(() => undefined); // a failure after the reader stopped concerns nobody
    await Promise.race([running, latch.finished]);
    await latch.finished;
    return { records: counter.records };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    removeCrashListener();
  }
}
