/**
 * One contender of the side-by-side benchmark, in its own process so that its CPU time and peak RSS are
 * its own. Started by compare.ts with an IPC channel:
 *
 *   parent -> child  {type:'reset'}   forget what was recorded so far (CPU time counts from here)
 *                    {type:'report'}  answer with a {type:'report'} message (see ContenderReport, recording.ts)
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
import { createKafkaTransport, defaultTransactionalId } from '../../src/ingest/kafka-transport.js';
import { createWorker, type BatchStage, type WorkerMetrics } from '../../src/ingest/worker.js';
import { createRedisStore } from '../../src/state/redis-store.js';
import { runNaivePeer } from './naive-peer.js';
import { Recording, type ContenderKind } from './recording.js';
import { createScorerByName } from './scorers.js';

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
    scoresEmitted: (levels) => {
      recording.scores += levels.length;
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
    transport: createKafkaTransport({
      client,
      groupId,
      onCommitted: (s) => addStage('commit', s),
      // As `dmid run` does: DMID_KAFKA_TRANSACTIONS=off in the environment measures without.
      transactionalId: config.kafka.transactions ? defaultTransactionalId(groupId) : undefined,
    }),
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
