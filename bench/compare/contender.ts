/**
 * One contender of the side-by-side benchmark, in its own process so that its CPU time and peak RSS are
 * its own. Started by compare.ts with an IPC channel:
 *
 *   parent -> child  {type:'reset'}   forget what was recorded so far (CPU time counts from here)
 *                    {type:'report'}  answer with a {type:'report'} message (see ContenderReport)
 *                    {type:'stop'}    stop cleanly (finish the batch in flight, commit) and exit 0
 *   child -> parent  {type:'progress', processed} about every 250 ms, and the report when asked
 *
 * Contenders (--kind):
 *   ceiling  consumes the four signal topics and produces one record per input with the same Kafka client
 *            and transport as dmid, doing no other work: the most client and broker allow here;
 *   naive    what a straightforward implementation does: a per-message handler, awaited Redis round trips
 *            and a scoring call per event, each output produced and each offset committed per message;
 *   dmid     the worker as shipped (--scorer rules | model).
 *
 * Latency of a record: from its Kafka timestamp (producer create time) to its outputs acknowledged.
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createCodec } from '../../src/codec/codec.js';
import { loadConfig, topicNames } from '../../src/config.js';
import { createKafkaClient } from '../../src/ingest/kafka-client.js';
import { createKafkaTransport } from '../../src/ingest/kafka-transport.js';
import { createWorker, type BatchStage, type WorkerMetrics } from '../../src/ingest/worker.js';
import { createRedisStore } from '../../src/state/redis-store.js';
import { runNaivePeer } from './naive-peer.js';
import { createScorerByName } from './scorers.js';

export type ContenderKind = 'ceiling' | 'naive' | 'dmid';

export interface ContenderReport {
  readonly type: 'report';
  readonly processed: number;
  /** Epoch ms the first record arrived (work began) and the last one was handled, since the reset. */
  readonly firstAt: number;
  readonly lastAt: number;
  readonly latenciesMs: number[];
  /** Epoch ms each latency was recorded, parallel to latenciesMs. */
  readonly recordedAt: number[];
  /** User + system CPU seconds (all threads) from the first record handled since the reset. */
  readonly cpuSeconds: number;
  /** Peak resident set size of the process, bytes. */
  readonly maxRssBytes: number;
  /** Seconds per stage summed over batches (dmid only), and units of work seen (dmid: units of partition
   * batches; ceiling: batches; naive peer: records). */
  readonly stages: Partial<Record<BatchStage, number>>;
  readonly batches: number;
  /** Scores produced (none by the ceiling); dmid makes fewer than records when a unit holds several records
   * of one subject. */
  readonly scores: number;
  /** Records dead-lettered, by reason (dmid only): a throughput of dead letters is no throughput. */
  readonly deadLettered: Record<string, number>;
}

/** What every contender records into. */
export class Recording {
  processed = 0;
  firstAt = 0;
  lastAt = 0;
  latenciesMs: number[] = [];
  recordedAt: number[] = [];
  stages: Partial<Record<BatchStage, number>> = {};
  batches = 0;
  scores = 0;
  deadLettered: Record<string, number> = {};
  private cpuStart = process.cpuUsage();

  reset(): void {
    this.processed = 0;
    this.firstAt = 0;
    this.lastAt = 0;
    this.latenciesMs = [];
    this.recordedAt = [];
    this.stages = {};
    this.batches = 0;
    this.scores = 0;
    this.deadLettered = {};
    this.cpuStart = process.cpuUsage();
  }

  /**
   * Records arrived: the first call since the reset starts the clock and the CPU count. Start-up
   * (transpiling, connecting, joining the group) is not the cost of handling events, but the handling of
   * the first batches is: a backlog is taken in a few large fetches, so timing from the first batch
   * *finished* would leave out most of the work.
   */
  arrived(): void {
    if (this.firstAt !== 0) return;
    this.firstAt = Date.now();
    this.cpuStart = process.cpuUsage();
  }

  /** `count` records handled (outputs acknowledged) now. */
  handled(count: number): void {
    this.arrived();
    this.lastAt = Date.now();
    this.processed += count;
  }

  /** One record's latency, recorded now. */
  latency(ms: number): void {
    this.latenciesMs.push(ms);
    this.recordedAt.push(Date.now());
  }

  report(): ContenderReport {
    const cpu = process.cpuUsage(this.cpuStart);
    return {
      type: 'report',
      processed: this.processed,
      firstAt: this.firstAt,
      lastAt: this.lastAt,
      latenciesMs: this.latenciesMs,
      recordedAt: this.recordedAt,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      stages: this.stages,
      batches: this.batches,
      scores: this.scores,
      deadLettered: this.deadLettered,
    };
  }
}

const { values } = parseArgs({
  options: {
    kind: { type: 'string' },
    scorer: { type: 'string', default: 'rules' },
    prefix: { type: 'string' },
    'key-prefix': { type: 'string' },
    group: { type: 'string' },
  },
});
const kind = values.kind as ContenderKind;
if (!['ceiling', 'naive', 'dmid'].includes(kind)) throw new Error(`--kind ${values.kind} is not a contender`);
const topics = topicNames(values.prefix ?? '');
const groupId = values.group ?? '';
const config = loadConfig(process.env);
const brokers = config.kafka.brokers ?? [];
const client = createKafkaClient({ brokers, clientId: `bench-${kind}`, logLevel: 'error' });
const recording = new Recording();
const signalTopics = [topics.telecom, topics.location, topics.biometric, topics.registry];

/** Resolves when the contender has stopped; `stop` asks it to. */
interface Running {
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

function startCeiling(): Running {
  const transport = createKafkaTransport({ client, groupId });
  const done = transport.run({
    topics: signalTopics,
    handle: async (batch) => {
      recording.arrived();
      await transport.send([
        {
          topic: topics.scores,
          records: batch.records.map((r) => ({ key: r.key?.toString('utf8') ?? null, value: r.value })),
        },
      ]);
      const now = Date.now();
      for (const r of batch.records) recording.latency(now - r.timestampMs);
      recording.batches += 1;
      recording.handled(batch.records.length);
    },
  });
  return { done, stop: () => transport.stop() };
}

async function startDmid(): Promise<Running> {
  const scorer = await createScorerByName(values.scorer ?? 'rules');
  const store = createRedisStore({ redis: config.redis.url ?? '', keyPrefix: values['key-prefix'] ?? '' });
  const addStage = (stage: BatchStage, seconds: number): void => {
    recording.stages[stage] = (recording.stages[stage] ?? 0) + seconds;
  };
  const metrics: WorkerMetrics = {
    consumed: () => recording.arrived(),
    deadLettered: (reason) => {
      recording.deadLettered[reason] = (recording.deadLettered[reason] ?? 0) + 1;
    },
    scoresEmitted: (count) => {
      recording.scores += count;
    },
    endToEnd: (_observed, ingestSeconds) => recording.latency(ingestSeconds * 1000),
    batch: (size) => {
      recording.batches += 1;
      recording.handled(size);
    },
    stage: addStage,
    lag: () => undefined,
    paused: () => undefined,
  };
  const worker = createWorker({
    transport: createKafkaTransport({ client, groupId, onCommitted: (s) => addStage('commit', s) }),
    store,
    scorer,
    codec: createCodec(),
    metrics,
    logger: pino({ level: 'warn' }),
    topics,
    groupId,
    validation: { maxFutureSkewMs: 300_000 },
  });
  const done = worker.run().finally(() => store.close());
  return { done, stop: () => worker.stop() };
}

async function start(): Promise<Running> {
  if (kind === 'ceiling') return startCeiling();
  if (kind === 'dmid') return startDmid();
  return runNaivePeer({
    client,
    redisUrl: config.redis.url ?? '',
    keyPrefix: values['key-prefix'] ?? '',
    topics,
    groupId,
    recording,
    scorer: await createScorerByName(values.scorer ?? 'rules'),
  });
}

const running = await start();
const progress = setInterval(() => process.send?.({ type: 'progress', processed: recording.processed }), 250);
process.on('message', (message: { type?: string }) => {
  if (message.type === 'reset') recording.reset();
  else if (message.type === 'report') process.send?.(recording.report());
  else if (message.type === 'stop') void running.stop();
});
process.on('disconnect', () => void running.stop());
try {
  await running.done;
} finally {
  clearInterval(progress);
}
process.exit(0);
