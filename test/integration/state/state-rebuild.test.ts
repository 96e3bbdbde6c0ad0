/**
 * state-loss-never-silent: the store is wiped under a running worker (every key of its prefix, the epoch
 * with it: what a Redis restarted empty keeps). The worker stops committing and says why; `dmid state
 * rebuild` replays the signal topics; the worker goes on; every subject's state then equals the state of
 * a run without the wipe, and no score id names two records.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stateCommand } from '../../../src/cli/state-command.js';
import type { KindedSignal } from '../../../src/state/state-store.js';
import { createMemoryStore } from '../../../src/state/memory-store.js';
import { captureIo } from '../../support/cli-io.js';
import { goodArrivals, subjectId, T0, type Arrivals } from '../../support/evidence-factory.js';
import { assertNoConflictingScores } from '../../support/exactly-once.js';
import { kafkaBrokers } from '../../support/kafka.js';
import { startPipeline, waitFor, type TestPipeline } from '../../support/pipeline.js';
import { deleteByPrefix, redisFor, redisUrl } from '../../support/redis.js';
import { shiftArrivals } from '../../support/reason-scenarios.js';

function kinded(arrivals: Arrivals): KindedSignal[] {
  return [
    ...(arrivals.telecom ?? []).map((signal) => ({ kind: 'telecom' as const, signal })),
    ...(arrivals.location ?? []).map((signal) => ({ kind: 'location' as const, signal })),
    ...(arrivals.biometric ?? []).map((signal) => ({ kind: 'biometric' as const, signal })),
    ...(arrivals.registry ?? []).map((signal) => ({ kind: 'registry' as const, signal })),
  ];
}

async function waitApplied(pipeline: TestPipeline, plan: Map<string, KindedSignal[]>, what: string) {
  await waitFor(
    async () => {
      for (const [subject, signals] of plan) {
        if ((await pipeline.store.readState(subject)).version !== signals.length) return false;
      }
      return true;
    },
    what,
    40_000,
  );
}

void test('state-loss-never-silent: wipe mid-stream, worker stops, rebuild equals a run without the wipe', async (t) => {
  const pipeline = await startPipeline(t, { scorer: 'rules' });
  const scores = pipeline.collect(pipeline.topics.scores);
  const { redis } = await redisFor(t);
  const plan = new Map<string, KindedSignal[]>();
  const waves: Arrivals[][] = [[], []];
  for (let i = 0; i < 40; i += 1) {
    const subject = subjectId();
    const first = shiftArrivals(goodArrivals(), Date.now() - T0 - 3_600_000, subject);
    // Half the subjects get more events after the wipe: their versions go on from the rebuilt state.
    const second = i % 2 === 0 ? shiftArrivals(goodArrivals(), Date.now() - T0, subject) : {};
    waves[0]?.push(first);
    waves[1]?.push(second);
    plan.set(subject, [...kinded(first), ...kinded(second)]);
  }
  for (const arrivals of waves[0] ?? []) await pipeline.publish(arrivals);
  pipeline.startWorker();
  const firstWave = new Map([...plan].map(([s, signals]) => [s, signals.slice(0, 9)]));
  await waitApplied(pipeline, firstWave, 'the first wave applied');
  assert.equal(pipeline.store.epochStatus().changed, false);

  await deleteByPrefix(redis, pipeline.keyPrefix);
  for (const arrivals of waves[1] ?? []) await pipeline.publish(arrivals);
  await waitFor(() => pipeline.store.epochStatus().changed, 'the worker to find its epoch gone', 20_000);
  assert.deepEqual(pipeline.store.epochStatus(), { changed: true, cause: 'missing' });

  const io = captureIo({
    env: {
      DMID_KAFKA_BROKERS: kafkaBrokers().join(','),
      DMID_REDIS_URL: redisUrl(),
      DMID_TOPIC_PREFIX: pipeline.topicPrefix,
      DMID_REDIS_KEY_PREFIX: pipeline.keyPrefix,
      DMID_KAFKA_GROUP_ID: pipeline.groupId,
    },
  });
  const scoresBeforeRebuild = scores.records.length;
  assert.equal(await stateCommand(['rebuild', '--idle-ms', '1500'], io), 0, io.err());
  const total = [...plan.values()].reduce((n, signals) => n + signals.length, 0);
  const summary = JSON.parse(io.out()) as { records: number; applied: number; epoch: { decision: string } };
  assert.equal(summary.records, total);
  assert.equal(summary.epoch.decision, 'rebuilt');
  assert.match(io.err(), /100\.0% \d+ records read/);

  await waitApplied(pipeline, plan, 'every event in the rebuilt state');
  await waitFor(() => !pipeline.store.epochStatus().changed, 'the worker to adopt the rebuilt epoch', 10_000);

  // The run without the wipe: the same events, as they come off the topics, applied to a fresh store.
  const reference = createMemoryStore();
  t.after(() => reference.close());
  for (const [subject, signals] of plan) {
    const consumed = signals.map(({ kind, signal }) => ({
      kind,
      signal: pipeline.codec.decode(kind, pipeline.codec.encode(kind, signal)),
    }));
    const [expected] = await reference.applySignals([{ subjectId: subject, signals: consumed }]);
    const rebuilt = await pipeline.store.readState(subject);
    assert.equal(rebuilt.version, expected?.version);
    assert.deepEqual(rebuilt.evidence, expected?.evidence);
  }
  // The redelivered unit is scored from the rebuilt state, under new incarnations: an id from before the
  // wipe never names a new record.
  const secondWave = [...plan].filter(([, signals]) => signals.length > 9).map(([s]) => s);
  await waitFor(
    async () => {
      for (const subject of secondWave) {
        const state = await pipeline.store.readState(subject);
        if (state.emittedVersion !== state.version) return false;
      }
      return true;
    },
    'the second wave scored after the rebuild',
    20_000,
  );
  const before = scoresBeforeRebuild;
  await scores.until((r) => r.length >= before + secondWave.length, 'the new scores on the topic', 20_000);
  assertNoConflictingScores(pipeline, scores);
});
