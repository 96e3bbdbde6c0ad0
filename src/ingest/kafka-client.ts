/**
 * The one place in src/ that opens Kafka clients (@platformatic/kafka; design.md: the client stays behind
 * src/ingest/ so another one can replace it). Everything else gets Kafka through the factories and helpers
 * here, with client failures turned into {@link DmidError}s by kafka-errors.ts.
 */
import {
  Consumer,
  ProduceAcks,
  Producer,
  type BaseOptions,
  type MessageToProduce,
  type Partitioner,
} from '@platformatic/kafka';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DmidError } from '../errors.js';
import { openAdmin, type KafkaAdmin } from './kafka-admin.js';
import { withKafka } from './kafka-errors.js';
import { murmur2 } from './partitioner.js';
import type { ProduceOptions, ProduceRecord, ProduceResult, TopicBatch } from './record-batches.js';
import { chunkRecords, chunkTopicBatches, createSerialQueue } from './record-batches.js';

export type { ConsumedRecord, ProduceOptions, ProduceRecord, ProduceResult } from './record-batches.js';
export type { KafkaAdmin } from './kafka-admin.js';
export {
  isKafkaError,
  isKafkaFatal,
  isKafkaUnavailable,
  kafkaProtocolErrorType,
  withKafka,
} from './kafka-errors.js';

/** Records as the client takes and gives them: keys, values and header names and values as bytes. */
export type NativeProducer = Producer<Buffer, Buffer, Buffer, Buffer>;
export type NativeConsumer = Consumer<Buffer, Buffer, Buffer, Buffer>;

/** A connected producer. Send through {@link produceRecords} or {@link produceToTopics}. */
export interface KafkaProducer {
  readonly native: NativeProducer;
  disconnect(): Promise<void>;
}

export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

export interface KafkaLogEntry {
  readonly level: Exclude<KafkaLogLevel, 'nothing'>;
  /** What logged it: `producer`, `consumer`, `admin`. */
  readonly namespace: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export type KafkaLogger = (entry: KafkaLogEntry) => void;

export interface KafkaClientOptions {
  /** Bootstrap brokers as `host:port`; at least one. */
  readonly brokers: readonly string[];
  /** Sent to the broker with every request; shows up in broker logs and quotas. */
  readonly clientId: string;
  /** Lowest level passed on. Default `'warn'`. */
  readonly logLevel?: KafkaLogLevel;
  /** Where client log lines go. Default: one JSON line per entry on stderr. */
  readonly logger?: KafkaLogger;
  /** TCP connect timeout, milliseconds. Default 3000. */
  readonly connectionTimeoutMs?: number;
  /** Time a broker has to answer a request, milliseconds. Default 30000. */
  readonly requestTimeoutMs?: number;
  /**
   * How often the client retries a failed request (with waits doubling from 250 ms to 5 s) before the
   * failure reaches the caller. Default 5.
   */
  readonly retries?: number;
  /** Session timeout of the consumers this client opens, unless one names its own. Default 30000. */
  readonly sessionTimeoutMs?: number;
  /**
   * Producers and consumers retry a lost broker for ever (waits capped at 5 s) instead of `retries` times:
   * for long-running processes, which should ride out a broker restart, not exit. The admin keeps
   * `retries`, so a cluster unreachable at start-up still fails the start.
   */
  readonly reconnectForever?: boolean;
  /** TLS to the brokers (PEM file paths, read once here); absent: plaintext. */
  readonly tls?: KafkaTlsOptions | null;
  /** SASL login; absent: none. */
  readonly sasl?: KafkaSaslOptions | null;
}

export interface KafkaTlsOptions {
  /** CA bundle the brokers' certificates are checked against; null: the system CAs. */
  readonly caFile: string | null;
  /** Client certificate and key for mutual TLS; null: none. */
  readonly certFile: string | null;
  readonly keyFile: string | null;
}

export interface KafkaSaslOptions {
  readonly mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  readonly username: string;
  readonly password: string;
}

function readPem(setting: string, path: string | null): Buffer | undefined {
  if (path === null) return undefined;
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new DmidError('DMID_SECRET_UNREADABLE', `${setting}: cannot read ${path}`, {
      field: setting,
      cause,
    });
  }
}

/** The client's connection options for TLS and SASL, files read once at start-up. */
function securityOptions(options: KafkaClientOptions): Pick<BaseOptions, 'tls' | 'sasl'> {
  const result: Pick<BaseOptions, 'tls' | 'sasl'> = {};
  if (options.tls) {
    const ca = readPem('DMID_KAFKA_TLS_CA_FILE', options.tls.caFile);
    const cert = readPem('DMID_KAFKA_TLS_CERT_FILE', options.tls.certFile);
    const key = readPem('DMID_KAFKA_TLS_KEY_FILE', options.tls.keyFile);
    result.tls = {
      rejectUnauthorized: true,
      ...(ca === undefined ? {} : { ca }),
      ...(cert === undefined ? {} : { cert }),
      ...(key === undefined ? {} : { key }),
    };
  }
  if (options.sasl) {
    result.sasl = {
      mechanism: options.sasl.mechanism,
      username: options.sasl.username,
      password: options.sasl.password,
    };
  }
  return result;
}

export interface ConsumerOptions {
  /** Consumer group id. Offsets are committed under it. */
  readonly groupId: string;
  /** Milliseconds without a heartbeat before the group evicts this member. Default: the client's. */
  readonly sessionTimeoutMs?: number | undefined;
}

export interface ProducerOptions {
  /**
   * Makes the producer transactional under this id (stable per consumer-group member): opening it fences
   * any older producer with the same id, whose transactions can then no longer commit.
   */
  readonly transactionalId?: string;
}

export interface KafkaClient {
  readonly clientId: string;
  /** A connected admin client. The caller disconnects it. */
  admin(): Promise<KafkaAdmin>;
  /**
   * A connected idempotent producer (acks all) partitioning keys like the Java client (murmur2), so a
   * subject lands on the same partition whichever client wrote it.
   */
  producer(options?: ProducerOptions): Promise<KafkaProducer>;
  /** A consumer of a group, not yet subscribed (the transport and the reader subscribe it). */
  consumer(options: ConsumerOptions): NativeConsumer;
  log(
    level: KafkaLogEntry['level'],
    namespace: string,
    message: string,
    fields?: Record<string, unknown>,
  ): void;
}

const LEVEL_RANK: Readonly<Record<KafkaLogLevel, number>> = {
  nothing: 0,
  error: 1,
  warn: 2,
  info: 3,
  debug: 4,
};

function stderrLogger(entry: KafkaLogEntry): void {
  process.stderr.write(`${JSON.stringify({ source: 'kafka', ...entry })}\n`);
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

/** Transaction timeout of transactional producers, and their request timeout, milliseconds. */
export const TRANSACTION_TIMEOUT_MS = 15_000;

/** Waits between retries of one request: doubling from 250 ms, capped at 5 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(250 * 2 ** Math.max(0, attempt - 1), 5000);
}

/**
 * The Java client's rule for keyed records (murmur2 of the key, made positive; the client reduces it
 * modulo the partition count): the library's own default takes the hash unsigned, which puts about half of
 * the keys elsewhere. Unkeyed records go round-robin.
 */
function javaCompatiblePartitioner(): Partitioner<Buffer, Buffer, Buffer, Buffer> {
  let counter = randomInt(2 ** 31);
  return (_message, key) => {
    if (key === undefined) {
      counter = (counter + 1) % 2 ** 31;
      return counter;
    }
    return murmur2(key) & 0x7fffffff;
  };
}

export function createKafkaClient(options: KafkaClientOptions): KafkaClient {
  validateOptions(options);
  const threshold = LEVEL_RANK[options.logLevel ?? 'warn'];
  const sink = options.logger ?? stderrLogger;
  const log: KafkaClient['log'] = (level, namespace, message, fields = {}) => {
    if (LEVEL_RANK[level] <= threshold) sink({ level, namespace, message, fields });
  };
  const security = securityOptions(options);
  const base = (): BaseOptions => ({
    ...security,
    clientId: options.clientId,
    bootstrapBrokers: [...options.brokers],
    connectTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    timeout: options.requestTimeoutMs ?? 30_000,
    retries: options.retries ?? 5,
    retryDelay: (_client, _operation, attempt) => retryDelayMs(attempt),
    autocreateTopics: false,
  });
  /** Broker connections that fail or drop are logged; the client reconnects on its own. */
  const watched = <C extends { on(event: string, listener: (...args: unknown[]) => void): unknown }>(
    namespace: string,
    client: C,
  ): C => {
    client.on('client:broker:failed', (payload: unknown) =>
      log('warn', namespace, 'broker connection failed', { broker: brokerOf(payload) }),
    );
    client.on('client:broker:disconnect', (payload: unknown) =>
      log('info', namespace, 'broker connection closed', { broker: brokerOf(payload) }),
    );
    return client;
  };
  const lasting = (): BaseOptions => ({
    ...base(),
    ...(options.reconnectForever === true ? { retries: true } : {}),
  });
  return {
    clientId: options.clientId,
    log,
    admin: () => openAdmin(base(), (admin) => watched('admin', admin)),
    async producer(producerOptions = {}) {
      const native = watched(
        'producer',
        new Producer<Buffer, Buffer, Buffer, Buffer>({
          ...lasting(),
          // Also the transaction timeout: an open transaction of a crashed producer holds read_committed
          // readers back until the broker aborts it after this long.
          ...(producerOptions.transactionalId === undefined
            ? {}
            : {
                timeout: TRANSACTION_TIMEOUT_MS,
                // "No producer id yet": the client would otherwise ask InitProducerId for id 0, epoch 0,
                // which the broker refuses as fenced (PRODUCER_FENCED) once the transactional id is known to
                // it, so a restarted member could never open its producer again.
                producerId: -1n,
                producerEpoch: -1,
              }),
          idempotent: true,
          acks: ProduceAcks.ALL,
          partitioner: javaCompatiblePartitioner(),
          ...(producerOptions.transactionalId === undefined
            ? {}
            : { transactionalId: producerOptions.transactionalId }),
        }),
      );
      try {
        await withKafka('producer connect', () => native.metadata({ topics: [] }));
      } catch (error) {
        await native.close().catch(() => undefined);
        throw error;
      }
      return { native, disconnect: () => native.close() };
    },
    consumer: (consumerOptions) =>
      watched(
        'consumer',
        new Consumer<Buffer, Buffer, Buffer, Buffer>({
          ...lasting(),
          groupId: consumerOptions.groupId,
          sessionTimeout: consumerOptions.sessionTimeoutMs ?? options.sessionTimeoutMs ?? 30_000,
          heartbeatInterval: 3000,
          autocommit: false,
        }),
      ),
  };
}

function brokerOf(payload: unknown): string | undefined {
  const broker = (payload as { broker?: { host?: string; port?: number } } | undefined)?.broker;
  return broker === undefined ? undefined : `${broker.host}:${broker.port}`;
}

/** One record as the client takes it. Null keys and values stay null on the wire (redacted dead letters). */
export function toNativeMessage(
  topic: string,
  record: {
    key: string | null;
    value: Buffer | null;
    headers?: Readonly<Record<string, string>> | undefined;
  },
): MessageToProduce<Buffer, Buffer, Buffer, Buffer> {
  const message: MessageToProduce<Buffer, Buffer, Buffer, Buffer> = {
    topic,
    // The client writes a missing value as a null one; its type only says Buffer.
    value: record.value as Buffer,
  };
  if (record.key !== null) message.key = Buffer.from(record.key, 'utf8');
  if (record.headers !== undefined) {
    const headers = new Map<Buffer, Buffer>();
    for (const [name, value] of Object.entries(record.headers))
      headers.set(Buffer.from(name, 'utf8'), Buffer.from(value, 'utf8'));
    message.headers = headers;
  }
  return message;
}

// One send at a time per producer: the outputs of a batch are acknowledged in the order they were asked
// for, and the broker sees each partition's sequence numbers in order.
const enqueue = createSerialQueue<KafkaProducer>();

/**
 * Writes records to one topic in as few produce requests as the size limits allow, in order, waiting for
 * all in-sync replicas. Concurrent calls on one producer are serialised.
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
    const result = await enqueue(producer, () =>
      withKafka(`produce to ${topic}`, () =>
        producer.native.send({ messages: chunk.map((r) => toNativeMessage(topic, r)) }),
      ),
    );
    for (const o of result.offsets ?? [])
      partitions.push({ partition: o.partition, baseOffset: String(o.offset) });
  }
  return { records: records.length, partitions };
}

/** Most record bytes per produce request of {@link produceToTopics}: below the broker's 1 MiB message.max.bytes. */
export const MAX_REQUEST_BYTES = 900 * 1024;

export type OutboundBatch = TopicBatch<{
  key: string | null;
  value: Buffer | null;
  headers?: Readonly<Record<string, string>>;
}>;

/**
 * Writes records to several topics in as few produce requests as the size limit allows, in order, waiting
 * for all in-sync replicas; serialised per producer like {@link produceRecords}.
 */
export async function produceToTopics(
  producer: KafkaProducer,
  batches: readonly OutboundBatch[],
): Promise<void> {
  const nonEmpty = batches.filter((b) => b.records.length > 0);
  for (const request of chunkTopicBatches(nonEmpty, MAX_REQUEST_BYTES)) {
    const messages = request.flatMap((b) => b.records.map((r) => toNativeMessage(b.topic, r)));
    await enqueue(producer, () =>
      withKafka(`produce to ${request.map((b) => b.topic).join(', ')}`, () =>
        producer.native.send({ messages }),
      ),
    );
  }
}
