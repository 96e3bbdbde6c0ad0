/**
 * worker-killed-mid-stream: a `dmid run` process killed with SIGKILL while it works, then started again,
 * reflects every valid event exactly once, and never emits two different records under one score id.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { test } from 'node:test';
import { goodArrivals, subjectId, T0 } from '../../support/evidence-factory.js';
import { assertEachEventOnce, assertNoConflictingScores } from '../../support/exactly-once.js';
import { kafkaBrokers } from '../../support/kafka.js';
import { startPipeline, waitFor, type TestPipeline } from '../../support/pipeline.js';
import { redisUrl } from '../../support/redis.js';
import { shiftArrivals } from '../../support/reason-scenarios.js';

const CLI = new URL('../../../src/cli/bin.ts', import.meta.url).pathname;

/** Whether a worker process has said it started (its engine is up and consuming). */
const started = new WeakMap<ChildProcess, () => boolean>();

function startWorkerProcess(pipeline: TestPipeline): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'run'], {
    env: {
      PATH: process.env.PATH,
      DMID_KAFKA_BROKERS: kafkaBrokers().join(','),
      DMID_REDIS_URL: redisUrl(),
      DMID_TOPIC_PREFIX: pipeline.topicPrefix,
      DMID_REDIS_KEY_PREFIX: pipeline.keyPrefix,
      DMID_KAFKA_GROUP_ID: pipeline.groupId,
      // The killed worker holds its partitions until the group evicts it: 8 s instead of the default 30.
      DMID_KAFKA_SESSION_TIMEOUT_MS: '8000',
      DMID_TOPIC_PARTITIONS: '3',
      DMID_API_PORT: '0',
      DMID_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  started.set(child, () => stderr.includes('kafka mode, API on'));
  return child;
}

void test('worker-killed-mid-stream: SIGKILL and restart reflect every valid event exactly once', async (t) => {
  const pipeline = await startPipeline(t);
  const scores = pipeline.collect(pipeline.topics.scores);
  const subjects = Array.from({ length: 120 }, () => subjectId());
  const plan = subjects.map((s) => ({
    subject: s,
    arrivals: shiftArrivals(goodArrivals(), Date.now() - T0, s),
  }));

  let child = startWorkerProcess(pipeline);
  t.after(() => child.kill('SIGKILL'));
  // Publish in waves so that the kill lands while batches are being handled.
  for (const [i, { arrivals }] of plan.entries()) {
    await pipeline.publish(arrivals);
    if (i === 40) {
      await waitFor(
        async () => (await pipeline.store.readState(subjects[0] ?? '')).emittedVersion > 0,
        'a first score',
      );
    }
  }
  await waitFor(
    async () => (await pipeline.store.readState(subjects[60] ?? '')).version > 0,
    'work under way',
  );
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));

  child = startWorkerProcess(pipeline);
  for (const { subject, arrivals } of plan) await assertEachEventOnce(pipeline, subject, arrivals, 90_000);
  // A score produced twice (crash between produce and commit) is the same record, never a different one.
  assertNoConflictingScores(pipeline, scores);
  const last = child;
  await waitFor(() => started.get(last)?.() === true, 'the restarted worker to report it started');
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  assert.equal(child.exitCode, 0, 'SIGTERM stops the worker cleanly');
});
