/**
 * broker-stopped-and-restarted: the single broker of the default setup stopped for 15 s and started again
 * with its data (`deploy/local/kafka.sh stop --keep-data`, then `start`) under a `dmid run` process (the
 * scoring worker and the alert consumer). The process does not exit, /readyz answers 503 within 2 s of the
 * loss (plus the poll's own slack) and 200 after the return, and every event published before the loss,
 * right after the return and after recovery is reflected exactly once.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { goodArrivals, subjectId, T0 } from '../../support/evidence-factory.js';
import { assertEachEventOnce, assertNoConflictingScores } from '../../support/exactly-once.js';
import { kafkaBrokers } from '../../support/kafka.js';
import { startPipeline, waitFor, type TestPipeline } from '../../support/pipeline.js';
import { redisUrl } from '../../support/redis.js';
import { shiftArrivals } from '../../support/reason-scenarios.js';

const CLI = new URL('../../../src/cli/bin.ts', import.meta.url).pathname;
const KAFKA_SH = new URL('../../../deploy/local/kafka.sh', import.meta.url).pathname;
const OUTAGE_MS = 15_000;
const run = promisify(execFile);

function startWorkerProcess(pipeline: TestPipeline): { child: ChildProcess; api: () => string | undefined } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'run'], {
    env: {
      PATH: process.env.PATH,
      DMID_KAFKA_BROKERS: kafkaBrokers().join(','),
      DMID_REDIS_URL: redisUrl(),
      DMID_TOPIC_PREFIX: pipeline.topicPrefix,
      DMID_REDIS_KEY_PREFIX: pipeline.keyPrefix,
      DMID_KAFKA_GROUP_ID: pipeline.groupId,
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
  return { child, api: () => /API on (http:\/\/\S+?)[ (]/.exec(stderr)?.[1] };
}

async function readyStatus(api: string): Promise<number> {
  const response = await fetch(`${api}/readyz`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
  return response?.status ?? 0;
}

/** Port of the test broker, for kafka.sh (the broker the test runner started there). */
function brokerEnv(): NodeJS.ProcessEnv {
  const port = kafkaBrokers()[0]?.split(':')[1] ?? '9092';
  return { ...process.env, DMID_LOCAL_KAFKA_PORT: port };
}

void test('broker-stopped-and-restarted: no exit, /readyz 503 then 200, every event once', async (t) => {
  const pipeline = await startPipeline(t);
  const plan = Array.from({ length: 60 }, () => {
    const subject = subjectId();
    return { subject, arrivals: shiftArrivals(goodArrivals(), Date.now() - T0, subject) };
  });
  const worker = startWorkerProcess(pipeline);
  t.after(() => worker.child.kill('SIGKILL'));
  let exited = false;
  worker.child.once('exit', () => {
    exited = true;
  });
  await waitFor(() => worker.api() !== undefined, 'the worker to start', 60_000);
  const api = worker.api() ?? '';
  for (const { arrivals } of plan.slice(0, 20)) await pipeline.publish(arrivals);
  await waitFor(async () => (await readyStatus(api)) === 200, 'ready before the outage', 30_000);

  await run('bash', [KAFKA_SH, 'stop', '--keep-data'], { env: brokerEnv() });
  const lostAt = Date.now();
  await waitFor(async () => (await readyStatus(api)) === 503, '/readyz 503 after the loss', 10_000);
  const notReadySeconds = (Date.now() - lostAt) / 1000;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - lostAt))));
  await run('bash', [KAFKA_SH, 'start'], { env: brokerEnv() });
  const backAt = Date.now();
  // Published while the worker is still finding its way back.
  for (const { arrivals } of plan.slice(20, 40)) await pipeline.publish(arrivals);
  await waitFor(async () => (await readyStatus(api)) === 200, '/readyz 200 after the return', 60_000);
  const recoverySeconds = (Date.now() - backAt) / 1000;
  for (const { arrivals } of plan.slice(40)) await pipeline.publish(arrivals);
  // Read from the start once the broker is back (the test's own reader does not ride out an outage).
  const scores = pipeline.collect(pipeline.topics.scores);

  for (const { subject, arrivals } of plan) await assertEachEventOnce(pipeline, subject, arrivals, 90_000);
  assertNoConflictingScores(pipeline, scores);
  assert.equal(exited, false, 'the worker did not exit during the outage');
  t.diagnostic(
    `fault figures [broker-restart]: subjects=${plan.length} notReadyAfterSeconds=${notReadySeconds.toFixed(1)} recoverySeconds=${recoverySeconds.toFixed(1)} exited=${exited}`,
  );
  assert.ok(notReadySeconds <= 4, `/readyz turned 503 after ${notReadySeconds} s`);
  worker.child.kill('SIGTERM');
  await new Promise((resolve) => worker.child.once('exit', resolve));
  assert.equal(worker.child.exitCode, 0, 'SIGTERM stops the worker cleanly');
});
