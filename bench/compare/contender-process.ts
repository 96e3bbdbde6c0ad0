/**
 * The parent's side of a contender process (contender.ts): start it, follow its progress, ask for its
 * report, stop it. Every wait is bounded in time.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { ContenderKind, ContenderReport } from './recording.js';
import { ENGINE_NODE_FLAGS } from './engine-node-flags.js';

export interface ContenderSpec {
  /** Name in results and plots, e.g. `dmid (rules)`. */
  readonly name: string;
  readonly kind: ContenderKind;
  readonly scorer: 'rules' | 'model';
}

export interface ContenderProcess {
  /** Records handled since the last reset, as last reported (every 250 ms). */
  processed(): number;
  reset(): void;
  report(): Promise<ContenderReport>;
  /** Asks for a clean stop; kills it if it has not exited within 30 s. */
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly brokers: string;
  readonly redisUrl: string;
  readonly topicPrefix: string;
  readonly keyPrefix: string;
  readonly groupId: string;
  /** Write a V8 CPU profile of the contender into this directory (`--profile DIR`). */
  readonly profileDir?: string;
}

export function startContender(spec: ContenderSpec, options: StartOptions): ContenderProcess {
  const script = new URL('./contender.ts', import.meta.url).pathname;
  const args = ['--kind', spec.kind, '--scorer', spec.scorer, '--prefix', options.topicPrefix];
  args.push('--key-prefix', options.keyPrefix, '--group', options.groupId);
  const child: ChildProcess = fork(script, args, {
    execArgv: [
      ...ENGINE_NODE_FLAGS,
      // Extra flags for experiments, including those NODE_OPTIONS refuses (--trace-gc).
      ...(process.env.DMID_BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
      '--import',
      'tsx',
      ...(options.profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`]),
    ],
    env: {
      PATH: process.env.PATH,
      DMID_KAFKA_BROKERS: options.brokers,
      DMID_REDIS_URL: options.redisUrl,
      // Passed on for experiments.
      ...(process.env.NODE_OPTIONS === undefined ? {} : { NODE_OPTIONS: process.env.NODE_OPTIONS }),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let processed = 0;
  const waiting: ((report: ContenderReport) => void)[] = [];
  child.on('message', (message: { type?: string; processed?: number }) => {
    if (message.type === 'progress') processed = message.processed ?? processed;
    else if (message.type === 'report') waiting.shift()?.(message as ContenderReport);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  // A send to a child that has died: reported by report() below, not as an unhandled 'error' event.
  child.on('error', () => undefined);
  return {
    processed: () => processed,
    reset() {
      processed = 0;
      child.send({ type: 'reset' });
    },
    report() {
      if (!child.connected)
        return Promise.reject(new Error(`${spec.name}: the contender exited (code ${child.exitCode})`));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${spec.name}: no report within 30 s`)), 30_000);
        waiting.push((report) => {
          clearTimeout(timer);
          resolve(report);
        });
        child.send({ type: 'report' });
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `done` every 100 ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** Waits until `count()` has not changed for `quietMs` (a drained pipeline), at most `timeoutMs`. */
export async function waitQuiet(count: () => number, quietMs: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = count();
  let since = Date.now();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const now = count();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
  }
}
