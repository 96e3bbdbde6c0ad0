/**
 * Scale-out of the side-by-side benchmark: dmid (rules) with 1 and with 2 worker processes in one consumer
 * group over 12 partitions per topic, and a run with rebalances in mid-run (a second worker joins after a
 * third of the events, and leaves after two thirds) that checks nothing was lost and nothing applied twice:
 * every subject's state version equals its number of valid events, and a score record produced twice (a
 * batch redone by the partition's new owner) is the same record, byte for byte.
 */
import { createHash } from 'node:crypto';
import { createCodec } from '../../src/codec/codec.js';
import { topicNames } from '../../src/config.js';
import { createKafkaClient } from '../../src/ingest/kafka-client.js';
import { consumeRecords } from '../../src/ingest/kafka-reader.js';
import { createRedisStore } from '../../src/state/redis-store.js';
import { preloadEvents } from '../bench-support.js';
import { freshKeyPrefix, freshTopics, type CompareContext } from './context.js';
import { startContender, waitQuiet, waitUntil, type ContenderProcess } from './contender-process.js';

const DMID = { name: 'dmid (rules)', kind: 'dmid', scorer: 'rules' } as const;

export interface ScaleOutResult {
  readonly oneWorkerEventsPerSecond: number;
  readonly twoWorkersEventsPerSecond: number;
  readonly speedup: number;
  /** Draining events/s by number of workers in the group. */
  readonly drainingByWorkers: Record<number, number>;
  readonly rebalance: RebalanceResult;
}

export interface RebalanceResult {
  readonly events: number;
  readonly subjects: number;
  /** Records handled by each worker (a record redone after a rebalance counts for both). */
  readonly handledByWorker: number[];
  /** Valid events missing from state (must be 0). */
  readonly lost: number;
  /** Valid events applied more than once (must be 0). */
  readonly appliedTwice: number;
  readonly scoreRecords: number;
  readonly distinctScores: number;
  /** Score ids produced twice with different bytes (must be 0). */
  readonly conflictingDuplicates: number;
  readonly seconds: number;
}

function startWorker(ctx: CompareContext, prefix: string, keyPrefix: string): ContenderProcess {
  return startContender(DMID, {
    brokers: ctx.brokers,
    redisUrl: ctx.redisUrl,
    topicPrefix: prefix,
    keyPrefix,
    groupId: `${prefix}group`,
  });
}

/** Waits until every worker handles records: probe events on every partition until each has some. */
async function joinAll(
  ctx: CompareContext,
  prefix: string,
  procs: readonly ContenderProcess[],
): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (!procs.every((p) => p.processed() > 0) && Date.now() < deadline) {
    ctx.progress.set(`scale-out: waiting for ${procs.length} worker(s) to join the group`);
    await preloadEvents(ctx.producer, topicNames(prefix), { events: 500, subjects: 500, seed: 'probe' });
    await waitUntil(() => procs.every((p) => p.processed() > 0), 2000);
  }
  if (!procs.every((p) => p.processed() > 0)) throw new Error('scale-out: a worker never joined the group');
  // Let the last rebalance settle before the measured events arrive.
  await waitQuiet(() => procs.reduce((sum, p) => sum + p.processed(), 0), 1000, 10_000);
  for (const p of procs) p.reset();
}

/**
 * Events/s of `workers` processes in one group: once all of them handle records, `events` are produced as
 * fast as possible and the rate is taken over the middle 80% of them (start and finish ramps left out).
 */
async function groupThroughput(ctx: CompareContext, workers: number, events: number): Promise<number> {
  const prefix = await freshTopics(ctx, 'scale');
  const keyPrefix = freshKeyPrefix(ctx);
  const procs = Array.from({ length: workers }, () => startWorker(ctx, prefix, keyPrefix));
  const total = (): number => procs.reduce((sum, p) => sum + p.processed(), 0);
  try {
    await joinAll(ctx, prefix, procs);
    const label = `scale-out: ${workers} worker(s)`;
    const loading = preloadEvents(ctx.producer, topicNames(prefix), {
      events,
      subjects: ctx.subjects,
      seed: 'bench-compare',
    });
    const mark = async (share: number): Promise<{ at: number; count: number }> => {
      await waitUntil(() => {
        ctx.progress.set(`${label}, ${total()}/${events}`);
        return total() >= share * events;
      }, 180_000);
      return { at: Date.now(), count: total() };
    };
    const from = await mark(0.1);
    const to = await mark(0.9);
    await loading;
    return ((to.count - from.count) * 1000) / (to.at - from.at);
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

/** Every score record on the topic, by id: how many, how many distinct, how many conflicting. */
async function scoreDuplicates(
  ctx: CompareContext,
  topic: string,
): Promise<{ records: number; distinct: number; conflicting: number }> {
  const offsets = await ctx.admin.fetchTopicOffsets(topic);
  const expected = offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  const client = createKafkaClient({
    brokers: ctx.brokers.split(','),
    clientId: 'bench-check',
    logLevel: 'error',
  });
  const codec = createCodec();
  const seen = new Map<string, string>();
  let records = 0;
  let conflicting = 0;
  const controller = new AbortController();
  const reading = consumeRecords({
    client,
    topic,
    groupId: `${topic}-check`,
    fromBeginning: true,
    signal: controller.signal,
    onRecord: (message) => {
      if (message.value === null) return;
      records += 1;
      const { scoreId } = codec.decode('score', message.value);
      const digest = createHash('sha256').update(message.value).digest('hex');
      const held = seen.get(scoreId);
      if (held !== undefined && held !== digest) conflicting += 1;
      seen.set(scoreId, digest);
    },
  });
  // End offsets count transaction markers too: past them, the reader has caught up once it goes quiet.
  await waitUntil(() => records >= expected || records > 0, 120_000);
  await waitQuiet(() => records, 3000, 120_000);
  controller.abort();
  await reading;
  return { records, distinct: seen.size, conflicting };
}

/**
 * A paced load of `events` (known to the last event) while worker A runs throughout, worker B joins after
 * a quarter of the events and leaves (SIGTERM-like clean stop) after three quarters: two rebalances.
 */
async function rebalanceRun(
  ctx: CompareContext,
  events: number,
  ratePerSecond: number,
): Promise<RebalanceResult> {
  const prefix = await freshTopics(ctx, 'rebalance');
  const keyPrefix = freshKeyPrefix(ctx);
  const started = Date.now();
  const a = startWorker(ctx, prefix, keyPrefix);
  const workers: ContenderProcess[] = [a];
  const total = (): number => workers.reduce((sum, w) => sum + w.processed(), 0);
  let produced = 0;
  const loading = preloadEvents(ctx.producer, topicNames(prefix), {
    events,
    subjects: ctx.subjects,
    seed: 'bench-rebalance',
    ratePerSecond,
    onProgress: (n) => {
      produced = n;
    },
  });
  const show = (phase: string): boolean => {
    ctx.progress.set(`rebalance: ${phase}, produced ${produced}, handled ${total()}/${events}`);
    return false;
  };
  await waitUntil(() => show('one worker') || produced >= events / 4, 120_000);
  const b = startWorker(ctx, prefix, keyPrefix);
  workers.push(b);
  await waitUntil(() => show('second worker joining') || produced >= (3 * events) / 4, 120_000);
  const handledByB = await b.report().then((r) => r.processed);
  await b.stop();
  const expected = await loading;
  // B's last batches (finished during its stop) are counted nowhere, so the end is "A has gone quiet",
  // not a count; the check below is what says whether anything was lost.
  show('second worker left');
  await waitQuiet(() => a.processed(), 3000, 120_000);
  const handledByA = a.processed();
  await a.stop();
  const seconds = (Date.now() - started) / 1000;

  ctx.progress.set('rebalance: checking every subject');
  const store = createRedisStore({ redis: ctx.redisUrl, keyPrefix });
  let lost = 0;
  let appliedTwice = 0;
  try {
    const subjects = [...expected];
    for (let i = 0; i < subjects.length; i += 500) {
      const chunk = subjects.slice(i, i + 500);
      const states = await Promise.all(chunk.map(([subject]) => store.readState(subject)));
      states.forEach((state, j) => {
        const want = chunk[j]?.[1] ?? 0;
        lost += Math.max(0, want - state.version);
        appliedTwice += Math.max(0, state.version - want);
      });
    }
  } finally {
    await store.close();
  }
  const scores = await scoreDuplicates(ctx, topicNames(prefix).scores);
  return {
    events,
    subjects: expected.size,
    handledByWorker: [handledByA, handledByB],
    lost,
    appliedTwice,
    scoreRecords: scores.records,
    distinctScores: scores.distinct,
    conflictingDuplicates: scores.conflicting,
    seconds,
  };
}

export async function measureScaleOut(
  ctx: CompareContext,
  events: number,
  workerCounts: readonly number[] = [1, 2],
): Promise<ScaleOutResult> {
  const byWorkers: Record<number, number> = {};
  for (const workers of new Set([1, 2, ...workerCounts])) {
    byWorkers[workers] = await groupThroughput(ctx, workers, events);
    ctx.progress.log(`scale-out: ${workers} worker(s) draining ${Math.round(byWorkers[workers])} events/s`);
  }
  const one = byWorkers[1] ?? NaN;
  const two = byWorkers[2] ?? NaN;
  // Paced at a third of one worker's rate, for about 20 s, so that the second worker's join and leave
  // both land in mid-stream.
  const rate = Math.max(500, Math.round(one / 3));
  const rebalance = await rebalanceRun(ctx, rate * 20, rate);
  ctx.progress.log(
    `rebalance: lost ${rebalance.lost}, applied twice ${rebalance.appliedTwice}, ` +
      `score records ${rebalance.scoreRecords} (${rebalance.distinctScores} distinct, ` +
      `${rebalance.conflictingDuplicates} conflicting)`,
  );
  return {
    oneWorkerEventsPerSecond: one,
    twoWorkersEventsPerSecond: two,
    speedup: two / one,
    drainingByWorkers: byWorkers,
    rebalance,
  };
}
