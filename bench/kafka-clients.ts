/**
 * Per-event cost of three Kafka clients doing the same pass-through work, to decide whether replacing
 * kafkajs is worth it:
 *
 *   npx tsx bench/kafka-clients.ts [--events N] [--runs K] [--confluent-path DIR]
 *
 * Clients:
 *   transport     the project's wrapper (src/ingest/kafka-client.ts, kafka-transport.ts), as the `ceiling`
 *                 contender of bench/compare does it: a group member over the four signal topics, one record
 *                 produced per input with transport.send, offsets committed after the outputs are acknowledged;
 *   platformatic  @platformatic/kafka: Consumer (group, manual commits after the outputs are acknowledged) and
 *                 idempotent Producer (acks all), keys partitioned like the Java client;
 *   confluent     @confluentinc/kafka-javascript (librdkafka underneath) through its KafkaJS-compatible API
 *                 (`KafkaJS.Kafka`): consumer.run with eachBatch (one partition's records at a time, up to 48
 *                 concurrently), offsets committed with consumer.commitOffsets after the outputs are
 *                 acknowledged, idempotent producer (acks all) with librdkafka's `murmur2_random` partitioner
 *                 (Java's murmur2 for keyed records; librdkafka's own default, consistent_random, is not).
 *                 A native module that is not a project dependency: it is loaded only when this client runs,
 *                 from the package directory given by --confluent-path (e.g.
 *                 /tmp/ckjs/node_modules/@confluentinc/kafka-javascript); without the option the client is
 *                 skipped. Built against the system librdkafka:
 *                   apt-get install librdkafka-dev
 *                   # then, in a scratch directory (not this project):
 *                   CKJS_LINKING=dynamic npm install @confluentinc/kafka-javascript@1.10.1
 *
 * Each run: fresh topics (4 inputs + 1 output, 12 partitions each, random prefix), N seeded simulator events
 * preloaded (default 100,000), then the client in its own process (so CPU time and RSS are its own) drains
 * the backlog into the output topic. Measured from the first record arrived to the last output
 * acknowledged: events/s, CPU seconds per 1,000 events, peak RSS. Runs alternate between the clients
 * (default 3 each) so drift of the machine hits them all; prints a table and one JSON line with every run and
 * the medians. After each run the outputs and committed offsets are checked against the inputs.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  Consumer,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  ProduceAcks,
  Producer,
  type Message,
} from '@platformatic/kafka';
import { loadConfig, topicNames, type TopicNames } from '../src/config.js';
import { createKafkaClient, type KafkaAdmin } from '../src/ingest/kafka-client.js';
import { createKafkaTransport } from '../src/ingest/kafka-transport.js';
import { ensureTopics } from '../src/ingest/topics.js';
import { murmur2 } from '../src/ingest/partitioner.js';
import { preloadEvents } from './bench-support.js';

type ClientName = 'transport' | 'platformatic' | 'confluent';
const CLIENTS: readonly ClientName[] = ['transport', 'platformatic', 'confluent'];

const PARTITIONS = 12;
/** From the child's start to the last output acknowledged; a run that takes longer fails. */
const DRAIN_TIMEOUT_MS = 120_000;
/** After the last output acknowledged, how long the committed offsets may take to cover every input. */
const COMMIT_TIMEOUT_MS = 15_000;
/** A child asked to stop that has not exited by then is killed. */
const STOP_TIMEOUT_MS = 30_000;

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '3' },
    subjects: { type: 'string', default: '20000' },
    // Directory of a built @confluentinc/kafka-javascript package; the confluent client is skipped without it.
    'confluent-path': { type: 'string' },
    // Internal: set by the parent when it forks a client process.
    child: { type: 'string' },
    prefix: { type: 'string', default: '' },
    group: { type: 'string', default: '' },
    expect: { type: 'string', default: '0' },
  },
});

/** What a client process reports once it has handled `expect` records. */
interface ChildReport {
  readonly events: number;
  /** From the first record arrived to the last output acknowledged. */
  readonly seconds: number;
  /** User + system CPU seconds (all threads) over the same span. */
  readonly cpuSeconds: number;
  readonly maxRssBytes: number;
}

type ChildMessage =
  | { type: 'progress'; processed: number }
  | { type: 'done'; report: ChildReport }
  | { type: 'failed'; error: string };

// ---------------------------------------------------------------------------------------------------
// Child: one client draining the backlog.
// ---------------------------------------------------------------------------------------------------

/** Clock and CPU count start at the first record: start-up and the group join are not per-event cost. */
class Meter {
  processed = 0;
  private firstAt = 0;
  private cpuStart = process.cpuUsage();
  private reported = false;

  constructor(private readonly expected: number) {}

  arrived(): void {
    if (this.firstAt !== 0) return;
    this.firstAt = performance.now();
    this.cpuStart = process.cpuUsage();
  }

  /** `count` records whose outputs are acknowledged; reports to the parent once all expected are. */
  handled(count: number): void {
    this.processed += count;
    if (this.reported || this.processed < this.expected) return;
    this.reported = true;
    const cpu = process.cpuUsage(this.cpuStart);
    send({
      type: 'done',
      report: {
        events: this.processed,
        seconds: (performance.now() - this.firstAt) / 1000,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        maxRssBytes: process.resourceUsage().maxRSS * 1024,
      },
    });
  }
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

interface Running {
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/** The `ceiling` contender of bench/compare/contender.ts. */
function startTransport(brokers: string[], topics: TopicNames, groupId: string, meter: Meter): Running {
  const client = createKafkaClient({ brokers, clientId: 'bench-transport', logLevel: 'error' });
  const transport = createKafkaTransport({ client, groupId });
  const done = transport.run({
    topics: [topics.telecom, topics.location, topics.biometric, topics.registry],
    handle: async (batch) => {
      meter.arrived();
      await transport.send([
        {
          topic: topics.scores,
          records: batch.records.map((r) => ({ key: r.key?.toString('utf8') ?? null, value: r.value })),
        },
      ]);
      meter.handled(batch.records.length);
    },
  });
  return { done, stop: () => transport.stop() };
}

/**
 * Most record bytes per produce call: the transport's request limit (kafka-client.ts), below the broker's
 * 1 MiB message.max.bytes.
 */
const MAX_SEND_BYTES = 900 * 1024;
/** Records held (fetched, not yet produced) above which the stream is paused, and below which it resumes. */
const PAUSE_AT = 20_000;
const RESUME_AT = 5_000;

/**
 * Consumed records are collected and produced in as few sends as MAX_SEND_BYTES allows, one send in flight
 * (an idempotent producer allows no more anyway); after a send is acknowledged, the newest offset of each
 * partition it covered is committed, commits of sends that finish meanwhile coalescing into one request.
 */
async function startPlatformatic(
  brokers: string[],
  topics: TopicNames,
  groupId: string,
  meter: Meter,
): Promise<Running> {
  // No serializers given: the library's defaults pass keys and values through as the Buffers they are.
  const producer = new Producer({
    clientId: 'bench-platformatic',
    bootstrapBrokers: brokers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    autocreateTopics: false,
    // The library's default partitioner takes murmur2 unsigned (`>>> 0`), not masked like the Java client,
    // so half the keys would land elsewhere; this is the Java rule with the project's murmur2, as kafkajs
    // is given (the library reduces it modulo the partition count).
    partitioner: (_message, key) => (key === undefined ? 0 : murmur2(key) & 0x7fffffff),
  });
  const consumer = new Consumer({
    clientId: 'bench-platformatic',
    bootstrapBrokers: brokers,
    groupId,
    autocommit: false,
    // kafkajs' defaults, so both fetch the same way.
    minBytes: 1,
    maxBytes: 10 * 1024 * 1024,
    maxBytesPerPartition: 1024 * 1024,
    maxWaitTime: 5000,
  });
  const stream = await consumer.consume({
    topics: [topics.telecom, topics.location, topics.biometric, topics.registry],
    autocommit: false,
    // A new group starts at the oldest record, as the project's transport does (fromBeginning).
    mode: MessagesStreamModes.COMMITTED,
    fallbackMode: MessagesStreamFallbackModes.EARLIEST,
  });

  let failure: ((error: unknown) => void) | undefined;
  const failed = new Promise<never>((_, reject) => {
    failure = reject;
  });
  failed.catch(() => undefined);
  stream.on('error', (error) => failure?.(error));

  let pending: Message[] = [];
  let sending: Promise<void> | undefined;
  const toCommit = new Map<
    string,
    { topic: string; partition: number; offset: bigint; leaderEpoch: number }
  >();
  let committing: Promise<void> | undefined;

  const commitLoop = async (): Promise<void> => {
    while (toCommit.size > 0) {
      const offsets = [...toCommit.values()];
      toCommit.clear();
      await consumer.commit({ offsets });
    }
  };
  const startCommits = (): void => {
    committing ??= commitLoop()
      .catch((error: unknown) => failure?.(error))
      .finally(() => {
        committing = undefined;
        if (toCommit.size > 0) startCommits();
      });
  };

  const sendLoop = async (): Promise<void> => {
    // Once per turn of the event loop, so a fetch response is taken whole.
    await new Promise((resolve) => setImmediate(resolve));
    while (pending.length > 0) {
      let bytes = 0;
      let take = 0;
      while (take < pending.length && (take === 0 || bytes < MAX_SEND_BYTES)) {
        const m = pending[take] as Message;
        bytes += (m.key?.length ?? 0) + (m.value?.length ?? 0);
        take += 1;
      }
      const batch = pending.slice(0, take);
      pending = pending.slice(take);
      if (stream.isPaused() && pending.length < RESUME_AT) stream.resume();
      await producer.send({
        messages: batch.map((m) => ({ topic: topics.scores, key: m.key, value: m.value })),
        acks: ProduceAcks.ALL,
      });
      for (const m of batch) {
        // leaderEpoch -1: unknown, the broker then does not check it (the library has no public epoch).
        toCommit.set(`${m.topic}:${m.partition}`, {
          topic: m.topic,
          partition: m.partition,
          offset: m.offset + 1n,
          leaderEpoch: -1,
        });
      }
      startCommits();
      meter.handled(batch.length);
    }
  };
  const startSending = (): void => {
    sending ??= sendLoop()
      .catch((error: unknown) => failure?.(error))
      .finally(() => {
        sending = undefined;
        if (pending.length > 0) startSending();
      });
  };

  stream.on('data', (message: Message) => {
    meter.arrived();
    pending.push(message);
    if (pending.length >= PAUSE_AT && !stream.isPaused()) stream.pause();
    startSending();
  });

  let stopping: Promise<void> | undefined;
  let stopped: (() => void) | undefined;
  const stoppedSignal = new Promise<void>((resolve) => {
    stopped = resolve;
  });
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      stream.pause();
      await sending;
      await committing;
      await stream.close();
      await consumer.close();
      await producer.close();
      stopped?.();
    })();
    return stopping;
  };
  const done = Promise.race([failed, stoppedSignal]).finally(() => stop());
  return { done, stop };
}

// The part of @confluentinc/kafka-javascript's KafkaJS-compatible API used here (types/kafkajs.d.ts), so
// the package need not be installed for the project to type-check.
interface CkjsMessage {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly offset: string;
}
interface CkjsEachBatchPayload {
  readonly batch: { readonly topic: string; readonly partition: number; readonly messages: CkjsMessage[] };
  /** A bound function (the library binds it to the payload). */
  readonly resolveOffset: (offset: string) => void;
}
interface CkjsTopicPartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}
interface CkjsProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  send(record: {
    topic: string;
    messages: { key: Buffer | null; value: Buffer | null }[];
  }): Promise<unknown[]>;
}
interface CkjsConsumer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(subscription: { topics: string[] }): Promise<void>;
  run(config: {
    eachBatchAutoResolve: boolean;
    partitionsConsumedConcurrently: number;
    eachBatch: (payload: CkjsEachBatchPayload) => Promise<void>;
  }): Promise<void>;
  commitOffsets(offsets: CkjsTopicPartitionOffset[]): Promise<void>;
}
interface CkjsKafka {
  producer(config: Record<string, unknown>): CkjsProducer;
  consumer(config: Record<string, unknown>): CkjsConsumer;
}
interface CkjsModule {
  readonly KafkaJS: {
    readonly Kafka: new (config: Record<string, unknown>) => CkjsKafka;
    readonly logLevel: { readonly ERROR: number };
  };
}

/**
 * The KafkaJS-compatible API of @confluentinc/kafka-javascript, as the project's transport uses its client:
 * eachBatch over up to 48 partitions at once, each batch produced in one send; after a send is acknowledged
 * the batch's next offset is committed, commits of batches that finish meanwhile coalescing into one request
 * (consumer.commitOffsets, auto-commit off); the batch's last offset is also resolved, or the library would
 * deliver the batch again. The library has no consumer.stop(): stop waits for the batches
 * in flight and the commits, then disconnects.
 */
async function startConfluent(
  packageDir: string,
  brokers: string[],
  topics: TopicNames,
  groupId: string,
  meter: Meter,
): Promise<Running> {
  const { KafkaJS } = createRequire(import.meta.url)(resolvePath(packageDir)) as CkjsModule;
  const kafka = new KafkaJS.Kafka({
    kafkaJS: { brokers, clientId: 'bench-confluent', logLevel: KafkaJS.logLevel.ERROR },
  });
  const producer = kafka.producer({
    // librdkafka's default partitioner (consistent_random: CRC32 of the key) would place keys unlike the
    // Java client; murmur2_random is Java's murmur2 for keyed records. The compatibility layer sets it too,
    // but only when a kafkaJS block is given, so it is set here explicitly (these properties take precedence).
    partitioner: 'murmur2_random',
    kafkaJS: { idempotent: true, acks: -1, allowAutoTopicCreation: false },
  });
  const consumer = kafka.consumer({
    // Each batch is all of a partition's records the library has fetched (its default is 32 at most).
    'js.consumer.max.batch.size': -1,
    kafkaJS: {
      groupId,
      // A new group starts at the oldest record, as the project's transport does.
      fromBeginning: true,
      autoCommit: false,
      // kafkajs' defaults, so all clients fetch the same way.
      minBytes: 1,
      maxBytes: 10 * 1024 * 1024,
      maxBytesPerPartition: 1024 * 1024,
      maxWaitTimeInMs: 5000,
    },
  });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [topics.telecom, topics.location, topics.biometric, topics.registry] });

  let failure: ((error: unknown) => void) | undefined;
  const failed = new Promise<never>((_, reject) => {
    failure = reject;
  });
  failed.catch(() => undefined);

  const toCommit = new Map<string, CkjsTopicPartitionOffset>();
  let committing: Promise<void> | undefined;
  const commitLoop = async (): Promise<void> => {
    while (toCommit.size > 0) {
      const offsets = [...toCommit.values()];
      toCommit.clear();
      await consumer.commitOffsets(offsets);
    }
  };
  const startCommits = (): void => {
    committing ??= commitLoop()
      .catch((error: unknown) => failure?.(error))
      .finally(() => {
        committing = undefined;
        if (toCommit.size > 0) startCommits();
      });
  };

  let inFlight = 0;
  let idle: (() => void) | undefined;
  let stopping: Promise<void> | undefined;
  await consumer.run({
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 48,
    eachBatch: async ({ batch, resolveOffset }) => {
      const last = batch.messages.at(-1);
      if (last === undefined || stopping !== undefined) return;
      meter.arrived();
      inFlight += 1;
      try {
        await producer.send({
          topic: topics.scores,
          messages: batch.messages.map((m) => ({ key: m.key, value: m.value })),
        });
        // With eachBatchAutoResolve off, a batch whose last offset is not resolved when eachBatch returns is
        // sought back to and delivered again (the seek is queued, so only sometimes: 106 duplicate outputs
        // in one of three runs before this). Resolving only stores the offset in librdkafka; with
        // auto-commit off, the commit below is what the broker sees.
        resolveOffset(last.offset);
        toCommit.set(`${batch.topic}:${batch.partition}`, {
          topic: batch.topic,
          partition: batch.partition,
          offset: (BigInt(last.offset) + 1n).toString(),
        });
        startCommits();
        meter.handled(batch.messages.length);
      } catch (error) {
        failure?.(error);
        throw error;
      } finally {
        inFlight -= 1;
        if (inFlight === 0) idle?.();
      }
    },
  });

  let stopped: (() => void) | undefined;
  const stoppedSignal = new Promise<void>((resolve) => {
    stopped = resolve;
  });
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (inFlight > 0) await new Promise<void>((resolve) => (idle = resolve));
      while (committing !== undefined) await committing;
      await consumer.disconnect();
      await producer.disconnect();
      stopped?.();
    })();
    return stopping;
  };
  const done = Promise.race([failed, stoppedSignal]).finally(() => stop());
  return { done, stop };
}

async function runChild(client: ClientName): Promise<void> {
  const brokers = [...(loadConfig(process.env).kafka.brokers ?? [])];
  const topics = topicNames(values.prefix);
  const meter = new Meter(Number(values.expect));
  let running: Running;
  if (client === 'transport') running = startTransport(brokers, topics, values.group, meter);
  else if (client === 'platformatic') running = await startPlatformatic(brokers, topics, values.group, meter);
  else {
    const packageDir = values['confluent-path'];
    if (packageDir === undefined) throw new Error('the confluent client needs --confluent-path');
    running = await startConfluent(packageDir, brokers, topics, values.group, meter);
  }
  const progress = setInterval(() => send({ type: 'progress', processed: meter.processed }), 250);
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'stop') void running.stop();
  });
  process.on('disconnect', () => void running.stop());
  try {
    await running.done;
  } catch (error) {
    send({
      type: 'failed',
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    throw error;
  } finally {
    clearInterval(progress);
  }
}

// ---------------------------------------------------------------------------------------------------
// Parent: topics, preload, one child per run, checks, table.
// ---------------------------------------------------------------------------------------------------

interface RunResult {
  readonly client: ClientName;
  readonly run: number;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly cpuSecondsPer1000: number;
  readonly peakRssMiB: number;
  /** Records in the output topic, and input records covered by committed offsets, after the child exited. */
  readonly outputs: number;
  readonly committed: number;
  /** The same once the client has stopped: it must not lose or undo commits on the way out. */
  readonly committedAfterStop: number;
  /** Output records per partition: equal across clients when they partition keys alike. */
  readonly outputPartitions: number[];
}

/**
 * Runs one client process until it reports all `expected` records handled, then runs `settle` (while the
 * client is still a member of its group), then stops it.
 */
async function drainInChild(
  client: ClientName,
  prefix: string,
  groupId: string,
  expected: number,
  settle: () => Promise<void>,
): Promise<ChildReport> {
  const script = fileURLToPath(import.meta.url);
  const args = ['--child', client, '--prefix', prefix, '--group', groupId, '--expect', String(expected)];
  const confluentPath = values['confluent-path'];
  if (client === 'confluent' && confluentPath !== undefined) args.push('--confluent-path', confluentPath);
  const child = fork(script, args, {
    execArgv: ['--import', 'tsx'],
    env: {
      PATH: process.env.PATH,
      DMID_KAFKA_BROKERS: process.env.DMID_KAFKA_BROKERS,
      DMID_REDIS_URL: process.env.DMID_REDIS_URL,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.on('error', () => undefined); // a send to a child that died: reported through 'exit' below
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let processed = 0;
  try {
    const report = await new Promise<ChildReport>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `${client}: drained ${processed} of ${expected} records in ${DRAIN_TIMEOUT_MS / 1000} s`,
            ),
          ),
        DRAIN_TIMEOUT_MS,
      );
      child.on('message', (message: ChildMessage) => {
        if (message.type === 'progress') processed = message.processed;
        else if (message.type === 'failed') reject(new Error(`${client}: ${message.error}`));
        else {
          clearTimeout(timer);
          resolve(message.report);
        }
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${client}: the client process exited (code ${code}) after ${processed} records`));
      });
    });
    await settle();
    return report;
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      if (child.connected) child.send({ type: 'stop' });
      const kill = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(kill);
    }
  }
}

async function highWatermarks(admin: KafkaAdmin, topic: string): Promise<number[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.sort((a, b) => a.partition - b.partition).map((o) => Number(o.high));
}

async function committedTotal(admin: KafkaAdmin, groupId: string, topics: string[]): Promise<number> {
  const fetched = await admin.fetchOffsets(groupId, topics);
  return fetched.flatMap((t) => t.partitions).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

async function runOnce(
  admin: KafkaAdmin,
  client: ClientName,
  run: number,
  events: number,
  subjects: number,
  created: string[],
): Promise<RunResult> {
  const prefix = `bench-kc-${randomBytes(4).toString('hex')}-`;
  const topics = topicNames(prefix);
  const inputs = [topics.telecom, topics.location, topics.biometric, topics.registry];
  const made = [...inputs, topics.scores];
  created.push(...made);
  await ensureTopics(
    admin,
    made.map((name) => ({ name, partitions: PARTITIONS, replicationFactor: 1 })),
  );
  const brokers = loadConfig(process.env).kafka.brokers ?? [];
  const producer = await createKafkaClient({
    brokers,
    clientId: 'bench-preload',
    logLevel: 'error',
  }).producer();
  try {
    // The same seed every run: every client gets the same records.
    await preloadEvents(producer, topics, { events, subjects, seed: 'kafka-clients' });
  } finally {
    await producer.disconnect();
  }
  const groupId = `${prefix}group`;
  // Offsets are committed in the background after the outputs are acknowledged (both clients), so they
  // are awaited here, while the client is still in its group, at most COMMIT_TIMEOUT_MS.
  let committed = 0;
  const settle = async (): Promise<void> => {
    const deadline = Date.now() + COMMIT_TIMEOUT_MS;
    for (;;) {
      committed = await committedTotal(admin, groupId, inputs);
      if (committed >= events || Date.now() > deadline) return;
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const report = await drainInChild(client, prefix, groupId, events, settle);
  const outputPartitions = await highWatermarks(admin, topics.scores);
  const committedAfterStop = await committedTotal(admin, groupId, inputs);
  await admin.deleteTopics(made);
  created.splice(created.length - made.length, made.length);
  await admin.deleteGroups([groupId]).catch(() => undefined);
  return {
    client,
    run,
    events: report.events,
    seconds: round(report.seconds, 2),
    eventsPerSecond: Math.round(report.events / report.seconds),
    cpuSecondsPer1000: round((report.cpuSeconds / report.events) * 1000, 4),
    peakRssMiB: round(report.maxRssBytes / 1024 / 1024, 1),
    outputs: outputPartitions.reduce((a, b) => a + b, 0),
    committed,
    committedAfterStop,
    outputPartitions,
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function median(list: readonly number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

function row(cells: readonly (string | number)[]): string {
  const widths = [14, 5, 9, 9, 10, 12, 10];
  return cells.map((c, i) => String(c).padStart(widths[i] ?? 10)).join(' ');
}

async function runParent(): Promise<void> {
  const events = Number(values.events);
  const runs = Number(values.runs);
  const subjects = Number(values.subjects);
  for (const [name, value] of [
    ['events', events],
    ['runs', runs],
    ['subjects', subjects],
  ] as const) {
    if (!Number.isInteger(value) || value <= 0) throw new RangeError(`--${name} must be a positive integer`);
  }
  const brokers = loadConfig(process.env).kafka.brokers ?? [];
  if (brokers.length === 0) throw new Error('set DMID_KAFKA_BROKERS (e.g. 127.0.0.1:9092)');
  const clients = CLIENTS.filter(
    (client) => client !== 'confluent' || values['confluent-path'] !== undefined,
  );
  if (clients.length < CLIENTS.length) {
    process.stderr.write(
      'confluent: skipped (no --confluent-path to a built @confluentinc/kafka-javascript)\n',
    );
  }
  const admin = await createKafkaClient({
    brokers,
    clientId: 'bench-kafka-clients',
    logLevel: 'error',
  }).admin();
  const created: string[] = [];
  const results: RunResult[] = [];
  try {
    for (let run = 1; run <= runs; run += 1) {
      for (const client of clients) {
        const result = await runOnce(admin, client, run, events, subjects, created);
        results.push(result);
        const checks: string[] = [];
        if (result.outputs !== events) checks.push(`outputs ${result.outputs} != ${events}`);
        if (result.committed !== events) checks.push(`committed ${result.committed} != ${events}`);
        if (result.committedAfterStop !== result.committed) {
          checks.push(`committed after stop ${result.committedAfterStop}`);
        }
        process.stderr.write(
          `${client} run ${run}: ${result.eventsPerSecond} events/s, ${result.cpuSecondsPer1000} CPU s/1k, ` +
            `${result.peakRssMiB} MiB${checks.length > 0 ? ` (CHECK: ${checks.join(', ')})` : ''}\n`,
        );
      }
    }
  } finally {
    // Topics of a run that failed half way; the others were deleted after their run.
    if (created.length > 0) await admin.deleteTopics(created).catch(() => undefined);
    await admin.disconnect();
  }

  const medians = Object.fromEntries(
    clients.map((client) => {
      const mine = results.filter((r) => r.client === client);
      return [
        client,
        {
          eventsPerSecond: Math.round(median(mine.map((r) => r.eventsPerSecond))),
          cpuSecondsPer1000: round(median(mine.map((r) => r.cpuSecondsPer1000)), 4),
          peakRssMiB: round(median(mine.map((r) => r.peakRssMiB)), 1),
        },
      ];
    }),
  ) as Partial<
    Record<ClientName, { eventsPerSecond: number; cpuSecondsPer1000: number; peakRssMiB: number }>
  >;
  const partitioning = new Set(results.map((r) => r.outputPartitions.join(',')));

  console.log(row(['client', 'run', 'events', 'seconds', 'events/s', 'CPU s/1k ev', 'RSS MiB']));
  for (const r of results) {
    console.log(
      row([r.client, r.run, r.events, r.seconds, r.eventsPerSecond, r.cpuSecondsPer1000, r.peakRssMiB]),
    );
  }
  for (const client of clients) {
    const m = medians[client];
    if (m === undefined) continue;
    console.log(row([client, 'med', '', '', m.eventsPerSecond, m.cpuSecondsPer1000, m.peakRssMiB]));
  }
  console.log(
    JSON.stringify({
      bench: 'kafka-clients',
      events,
      partitions: PARTITIONS,
      samePartitioning: partitioning.size === 1,
      runs: results,
      medians,
    }),
  );
}

if (values.child !== undefined) {
  if (!CLIENTS.includes(values.child as ClientName))
    throw new Error(`--child ${values.child} is not a client`);
  await runChild(values.child as ClientName);
  process.exit(0);
} else {
  await runParent();
  process.exit(0);
}
