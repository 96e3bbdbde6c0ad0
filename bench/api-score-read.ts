/**
 * One-off measurement of `GET /v1/subjects/:id/score` against the in-memory store: requests/s and client
 * latency percentiles over loopback, plus the in-process `app.inject` rate for comparison. A figure to
 * quote, not a test: nothing here asserts.
 *
 *   npx tsx bench/api-score-read.ts [--requests 200000] [--seconds 20] [--connections 32]
 *                                   [--subjects 10000] [--log-level info]
 *
 * The server runs in this process, the load generator in a child process (the other core), with
 * keep-alive connections and a fixed number of requests in flight; it stops at the request count or the
 * time limit, whichever comes first. Request logs go to /dev/null at the given level, so their cost counts.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { createMetrics } from '../src/api/metrics.js';
import { readinessOf } from '../src/api/readiness.js';
import { createApiServer } from '../src/api/server.js';
import type { LogLevel } from '../src/config.js';
import { DEFAULT_HALF_LIVES_MS } from '../src/scoring/decay.js';
import { createMemoryStore } from '../src/state/memory-store.js';
import { identityScore } from '../test/support/api-harness.js';
import { subjectId } from '../test/support/evidence-factory.js';
import { argument, option, percentile } from './bench-support.js';

interface LoadPlan {
  readonly url: string;
  readonly ids: readonly string[];
  readonly requests: number;
  readonly seconds: number;
  readonly connections: number;
}

interface LoadResult {
  readonly completed: number;
  readonly failed: number;
  readonly elapsedMs: number;
  readonly latenciesMs: number[];
}

const LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function logLevel(): LogLevel {
  const given = argument('log-level') ?? 'info';
  const found = LEVELS.find((level) => level === given);
  if (found === undefined) throw new Error(`--log-level must be one of ${LEVELS.join(', ')}`);
  return found;
}

/** The load generator (worker thread): `connections` loops, each one request at a time. */
async function generateLoad(plan: LoadPlan): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: plan.connections });
  const latenciesMs: number[] = [];
  let issued = 0;
  let failed = 0;
  const start = performance.now();
  const deadline = start + plan.seconds * 1000;
  const getOnce = (path: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request(`${plan.url}${path}`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
  const loop = async (): Promise<void> => {
    while (issued < plan.requests && performance.now() < deadline) {
      const id = plan.ids[issued++ % plan.ids.length] ?? '';
      const sent = performance.now();
      const status = await getOnce(`/v1/subjects/${id}/score`);
      latenciesMs.push(performance.now() - sent);
      if (status !== 200) failed++;
    }
  };
  await Promise.all(Array.from({ length: plan.connections }, loop));
  agent.destroy();
  return { completed: latenciesMs.length, failed, elapsedMs: performance.now() - start, latenciesMs };
}

async function injectRate(
  app: ReturnType<typeof createApiServer>['app'],
  ids: readonly string[],
): Promise<number> {
  const count = 20_000;
  const start = performance.now();
  for (let i = 0; i < count; i++)
    await app.inject({ method: 'GET', url: `/v1/subjects/${ids[i % ids.length]}/score` });
  return count / ((performance.now() - start) / 1000);
}

async function main(): Promise<void> {
  const level = logLevel();
  const store = createMemoryStore();
  const ids = Array.from({ length: option('subjects', 10_000) }, () => subjectId());
  const now = Date.now();
  await store.saveScores(ids.map((id) => ({ version: 1, score: identityScore(id, now - 3_600_000) })));
  const server = createApiServer({
    store,
    metrics: createMetrics(),
    readiness: () => readinessOf({}),
    halfLives: DEFAULT_HALF_LIVES_MS,
    // As src/logger.ts builds it: asynchronous writes.
    logger: pino({ level }, pino.destination({ dest: '/dev/null', sync: false })),
  });
  const injectedPerSecond = await injectRate(server.app, ids);
  const { url } = await server.listen('127.0.0.1', 0);
  const plan: LoadPlan = {
    url,
    ids,
    requests: option('requests', 200_000),
    seconds: option('seconds', 20),
    connections: option('connections', 32),
  };
  // The client runs this same TypeScript file in its own process (another core), with the tsx loader.
  const client = fork(fileURLToPath(import.meta.url), ['--client'], { execArgv: ['--import', 'tsx'] });
  client.send(plan);
  const [result] = (await once(client, 'message')) as [LoadResult];
  client.disconnect();
  await server.close();
  const sorted = result.latenciesMs.sort((a, b) => a - b);
  const report = {
    logLevel: level,
    connections: plan.connections,
    completed: result.completed,
    failed: result.failed,
    seconds: +(result.elapsedMs / 1000).toFixed(2),
    requestsPerSecond: Math.round(result.completed / (result.elapsedMs / 1000)),
    p50Ms: +percentile(sorted, 50).toFixed(3),
    p99Ms: +percentile(sorted, 99).toFixed(3),
    maxMs: +(sorted.at(-1) ?? Number.NaN).toFixed(3),
    injectRequestsPerSecond: Math.round(injectedPerSecond),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

if (process.argv.includes('--client')) {
  const [plan] = (await once(process, 'message')) as [LoadPlan];
  process.send?.(await generateLoad(plan));
} else {
  await main();
}
