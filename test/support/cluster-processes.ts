/**
 * dmid processes for the fault tests on the three-broker cluster: `dmid run` (the worker) and
 * `dmid ledger-writer`, started as an operator would, watched for an exit the test did not ask for.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { TestContext } from 'node:test';
import { kafkaBrokers } from './kafka.js';
import type { TestPipeline } from './pipeline.js';
import { redisUrl } from './redis.js';

const CLI = new URL('../../src/cli/bin.ts', import.meta.url).pathname;

export interface DmidProcess {
  readonly child: ChildProcess;
  /** What the process printed on stderr so far (its last 8000 characters). */
  stderr(): string;
  /** Whether it said it started (its API is up). */
  started(): boolean;
  /** Set when it exited: how, or null while it runs. */
  exit(): string | null;
  /** SIGKILLs it and waits for the exit. */
  kill(): Promise<void>;
  /** SIGTERMs it and resolves with its exit code. */
  stop(): Promise<number | null>;
}

function watch(t: TestContext, child: ChildProcess): DmidProcess {
  let stderr = '';
  let exit: string | null = null;
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-8000);
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = `exited (code ${code}, signal ${signal})`;
      resolve();
    });
  });
  t.after(async () => {
    if (exit === null) child.kill('SIGKILL');
    await exited;
  });
  return {
    child,
    stderr: () => stderr,
    started: () => stderr.includes('API on'),
    exit: () => exit,
    async kill() {
      if (exit === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (exit === null) child.kill('SIGTERM');
      await exited;
      return child.exitCode;
    },
  };
}

function baseEnv(pipeline: TestPipeline): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    DMID_KAFKA_BROKERS: kafkaBrokers().join(','),
    DMID_REDIS_URL: redisUrl(),
    DMID_TOPIC_PREFIX: pipeline.topicPrefix,
    DMID_REDIS_KEY_PREFIX: pipeline.keyPrefix,
    DMID_TOPIC_PARTITIONS: '3',
    DMID_TOPIC_REPLICATION_FACTOR: '3',
    // A killed process holds its partitions until the group evicts it: the cluster allows 2 s and up.
    DMID_KAFKA_SESSION_TIMEOUT_MS: '6000',
    DMID_API_PORT: '0',
    DMID_LOG_LEVEL: 'warn',
  };
}

/** `dmid run` in the pipeline's consumer group. */
export function startWorkerProcess(t: TestContext, pipeline: TestPipeline): DmidProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'run'], {
    env: { ...baseEnv(pipeline), DMID_KAFKA_GROUP_ID: pipeline.groupId },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return watch(t, child);
}

/** `dmid ledger-writer` appending to `ledgerFile`, in consumer group `groupId`. */
export function startLedgerWriterProcess(
  t: TestContext,
  pipeline: TestPipeline,
  ledgerFile: string,
  groupId: string,
): DmidProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'ledger-writer'], {
    env: {
      ...baseEnv(pipeline),
      DMID_LEDGER_GROUP_ID: groupId,
      DMID_LEDGER_FILE: ledgerFile,
      DMID_LEDGER_BATCH_MS: '100',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return watch(t, child);
}
