/**
 * The test runner behind `npm test`: unit tests, then integration tests against a real Kafka and Redis
 * found or started by test/support/infra.ts, stopped again afterwards whatever happens.
 *
 *   tsx scripts/test.ts                      unit, then integration
 *   tsx scripts/test.ts --unit               unit only
 *   tsx scripts/test.ts --integration        integration only
 *   tsx scripts/test.ts [--] <filter>...     only files whose path contains one of the filters
 *
 * Node 20's `--test` does not expand globs, so files are collected here, sorted. The spec reporter is
 * asked for explicitly: without a terminal Node would print TAP, and CI reads the closing `ℹ pass N` /
 * `ℹ fail N` lines. Kafka or Redis that cannot be had fails the run, in CI and elsewhere alike.
 */
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Infra } from '../test/support/infra.js';
import { INFRA_TOOLING_ENV, startInfra } from '../test/support/infra.js';
import { startLocalCluster } from '../test/support/infra-cluster.js';
import { redisClusterScript } from '../test/support/redis-cluster.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));

interface Args {
  readonly unit: boolean;
  readonly integration: boolean;
  readonly filters: readonly string[];
}

function parseArgs(argv: readonly string[]): Args {
  let unit = false;
  let integration = false;
  const filters: string[] = [];
  for (const arg of argv) {
    if (arg === '--unit') unit = true;
    else if (arg === '--integration') integration = true;
    else if (arg === '--') continue;
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg} (use --unit, --integration)`);
    else filters.push(arg.replaceAll('\\', '/').replace(/^\.\//, ''));
  }
  // Neither flag means both phases.
  return unit || integration ? { unit, integration, filters } : { unit: true, integration: true, filters };
}

async function collect(dir: string): Promise<string[]> {
  const entries = await readdir(join(REPO, dir), { recursive: true, withFileTypes: true }).catch(
    (error: unknown) => {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return [];
      throw error;
    },
  );
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => relative(REPO, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

function select(files: readonly string[], filters: readonly string[]): string[] {
  return filters.length === 0 ? [...files] : files.filter((f) => filters.some((x) => f.includes(x)));
}

/** The environment tests run in: ours without the tooling-only DMID_ variables, plus `extra`. */
function testEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of INFRA_TOOLING_ENV) delete env[name];
  return env;
}

let child: ReturnType<typeof spawn> | undefined;
let interrupted: NodeJS.Signals | undefined;

/** Runs `node --import tsx --test ...` with the terminal's stdio; resolves true when it passed. */
function runNodeTests(
  files: readonly string[],
  extra: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<boolean> {
  const args = ['--import', 'tsx', '--test', '--test-reporter=spec', ...extra, ...files];
  return new Promise((resolve) => {
    child = spawn(process.execPath, args, { cwd: REPO, env, stdio: 'inherit' });
    child.on('error', (error) => {
      console.error(`test runner: could not start node: ${error.message}`);
      resolve(false);
    });
    child.on('close', (code) => {
      child = undefined;
      resolve(code === 0);
    });
  });
}

function banner(text: string): void {
  console.log(`\n━━ ${text} ━━`);
}

/** Unit test files run at the same time. */
const UNIT_CONCURRENCY = 2;

async function unitPhase(files: readonly string[]): Promise<boolean> {
  if (files.length === 0) {
    banner('unit: no test files, skipped');
    return true;
  }
  banner(`unit: ${files.length} file(s)`);
  // Two files at a time: unit tests share nothing (no broker, no fixed port, temporary folders), and
  // node's default on a 2-core machine is one, which leaves a core idle while a file waits on a child.
  return runNodeTests(files, [`--test-concurrency=${UNIT_CONCURRENCY}`], testEnv());
}

async function withInfra(run: (infra: Infra) => Promise<boolean>): Promise<boolean> {
  const startedAt = Date.now();
  let infra: Infra;
  try {
    infra = await startInfra();
  } catch (error) {
    // A missing broker is a failure everywhere, never a skip: a green run must mean the tests ran.
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`test runner: integration tests cannot run: ${reason}`);
    console.error(
      'test runner: they need Java 17 and Maven (for Kafka) and redis-server; see docs/development.md',
    );
    return false;
  }
  try {
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    console.log(
      `infra (${infra.source}, ${seconds} s): kafka ${infra.kafkaBrokers}, redis ${infra.redisUrl}`,
    );
    return interrupted === undefined && (await run(infra));
  } finally {
    await infra.stop().catch((error: unknown) => {
      console.error(`test runner: stopping infra failed: ${String(error)}`);
    });
  }
}

/** Fault tests break brokers: they run on a three-broker cluster of their own (infra-cluster.ts). */
const FAULTS_DIR = 'test/integration/faults/';

/**
 * Fault tests left out of a run that names no file, each with why: they fail on main today, as they
 * should (docs/fault-tests.md has the figures). `npm test -- faults` runs them all. Remove an entry when
 * its test passes on main.
 */
const FAULTS_PENDING: Readonly<Record<string, string>> = {
  'test/integration/faults/leader-killed.test.ts': 'to be run twice more on main before it is enabled',
  'test/integration/faults/rolling-restart.test.ts':
    'passed once on wip-r16; to be run twice on main before it is enabled',
  'test/integration/faults/worker-killed-backlog.test.ts':
    "a SIGKILLed worker's redone units reach identity.scores twice",
};

/** The fault tests, on the cluster started for them (Redis from `infra`); the cluster stopped after. */
async function faultPhase(files: readonly string[], infra: Infra): Promise<boolean> {
  banner(`integration (faults, three-broker cluster): ${files.length} file(s)`);
  const startedAt = Date.now();
  let cluster;
  try {
    cluster = await startLocalCluster();
  } catch (error) {
    console.error(`test runner: the fault tests cannot run: ${String(error)}`);
    return false;
  }
  try {
    console.log(`cluster (${((Date.now() - startedAt) / 1000).toFixed(1)} s): kafka ${cluster.brokers}`);
    return (
      interrupted === undefined &&
      (await runNodeTests(
        files,
        ['--test-concurrency=1', '--test-timeout=180000'],
        testEnv({ DMID_KAFKA_BROKERS: cluster.brokers, DMID_REDIS_URL: infra.redisUrl }),
      ))
    );
  } finally {
    await cluster.stop().catch((error: unknown) => {
      console.error(`test runner: stopping the cluster failed: ${String(error)}`);
    });
  }
}

/** Tests of Redis Cluster itself; they run on the six-node cluster (deploy/local/redis-cluster.sh). */
const REDIS_CLUSTER_DIR = 'test/integration/redis-cluster/';
/** Pipeline tests that run on standalone Redis and, once more, on the cluster. */
const ALSO_ON_REDIS_CLUSTER = ['test/integration/ingest/worker.test.ts'];

/** The Redis Cluster tests, on the cluster started for them (Kafka from `infra`); stopped after. */
async function redisClusterPhase(files: readonly string[], infra: Infra): Promise<boolean> {
  banner(`integration (Redis Cluster, 3 masters + 3 replicas): ${files.length} file(s)`);
  let started: boolean;
  try {
    started = (await redisClusterScript(['start'])) === 'started';
  } catch (error) {
    console.error(`test runner: the Redis Cluster tests cannot run: ${String(error)}`);
    return false;
  }
  try {
    const port = Number(process.env.DMID_LOCAL_REDIS_CLUSTER_PORT ?? 17000);
    const nodes = [0, 1, 2, 3, 4, 5].map((i) => `127.0.0.1:${port + i}`).join(',');
    return (
      interrupted === undefined &&
      (await runNodeTests(
        files,
        ['--test-concurrency=1', '--test-timeout=120000'],
        testEnv({
          DMID_KAFKA_BROKERS: infra.kafkaBrokers,
          DMID_REDIS_URL: infra.redisUrl,
          DMID_REDIS_CLUSTER_NODES: nodes,
          DMID_TEST_REDIS: 'cluster',
        }),
      ))
    );
  } finally {
    if (started) await redisClusterScript(['stop']).catch(() => undefined);
  }
}

async function integrationPhase(files: readonly string[]): Promise<boolean> {
  if (files.length === 0) {
    banner('integration: no test files, skipped');
    return true;
  }
  const faults = files.filter((f) => f.startsWith(FAULTS_DIR));
  const onRedisCluster = files.filter(
    (f) => f.startsWith(REDIS_CLUSTER_DIR) || ALSO_ON_REDIS_CLUSTER.includes(f),
  );
  const others = files.filter((f) => !f.startsWith(FAULTS_DIR) && !f.startsWith(REDIS_CLUSTER_DIR));
  return withInfra(async (infra) => {
    let ok = true;
    if (others.length > 0) {
      banner(`integration: ${others.length} file(s)`);
      ok = await runNodeTests(
        others,
        // One file at a time: they share one broker and one Redis on a small machine. The timeout is a
        // backstop for a test that hangs despite its own bounded waits.
        ['--test-concurrency=1', '--test-timeout=120000'],
        testEnv({ DMID_KAFKA_BROKERS: infra.kafkaBrokers, DMID_REDIS_URL: infra.redisUrl }),
      );
    }
    if (faults.length > 0 && interrupted === undefined) ok = (await faultPhase(faults, infra)) && ok;
    if (onRedisCluster.length > 0 && interrupted === undefined)
      ok = (await redisClusterPhase(onRedisCluster, infra)) && ok;
    return ok;
  });
}

function onSignal(signal: NodeJS.Signals): void {
  if (interrupted !== undefined) return;
  interrupted = signal;
  console.error(`\ntest runner: ${signal}, stopping tests and infra`);
  // The child usually got the same signal from the terminal; this covers `kill <runner pid>`.
  child?.kill(signal);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const unitFiles = args.unit ? select(await collect('test/unit'), args.filters) : [];
  let integrationFiles = args.integration ? select(await collect('test/integration'), args.filters) : [];
  if (args.filters.length === 0) {
    for (const [file, why] of Object.entries(FAULTS_PENDING)) {
      if (!integrationFiles.includes(file)) continue;
      integrationFiles = integrationFiles.filter((f) => f !== file);
      console.log(`test runner: ${file} left out (${why}); run it with \`npm test -- faults\``);
    }
  }
  if (args.filters.length > 0 && unitFiles.length + integrationFiles.length === 0) {
    console.error(`test runner: no test file matches ${args.filters.join(', ')}`);
    return 1;
  }
  const unitOk =
    args.unit && (args.filters.length === 0 || unitFiles.length > 0) ? await unitPhase(unitFiles) : true;
  const integrationOk =
    interrupted === undefined &&
    args.integration &&
    (args.filters.length === 0 || integrationFiles.length > 0)
      ? await integrationPhase(integrationFiles)
      : true;
  if (interrupted !== undefined) return interrupted === 'SIGINT' ? 130 : 143;
  return unitOk && integrationOk ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
