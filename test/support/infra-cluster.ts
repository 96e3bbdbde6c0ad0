/**
 * The three-broker cluster of the fault tests (test/integration/faults/), from
 * deploy/local/kafka-cluster.sh: the same jars and Java as the single local broker, never testcontainers
 * (the tests kill and restart brokers through the script, which only it can do). The test runner starts it
 * only when fault tests are selected and stops it after them, unless it found it running.
 *
 * Ports: DMID_CLUSTER_KAFKA_PORTS (three, default 19092 19094 19096; controllers on each port + 1).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const CLUSTER_SCRIPT = `${REPO}deploy/local/kafka-cluster.sh`;

export interface ClusterRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `kafka-cluster.sh <args>` with `env` added to ours; progress goes to our stderr as it happens when
 * `echo` (a start takes seconds), and is kept for the caller otherwise. Killed after `timeoutMs`.
 */
export function runClusterScript(
  args: readonly string[],
  options: { timeoutMs: number; env?: Record<string, string>; echo?: boolean },
): Promise<ClusterRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [CLUSTER_SCRIPT, ...args], {
      cwd: REPO,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', options.echo === true ? 'inherit' : 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal === null ? 1 : 128), stdout: stdout.trim(), stderr });
    });
  });
}

export function clusterPorts(): number[] {
  const value = process.env.DMID_CLUSTER_KAFKA_PORTS ?? '19092 19094 19096';
  return value
    .split(/[\s,]+/)
    .filter((p) => p !== '')
    .map(Number);
}

export interface LocalCluster {
  /** host:port of the three brokers, comma-separated (the format of DMID_KAFKA_BROKERS). */
  readonly brokers: string;
  readonly started: boolean;
  /** Stops the cluster when this process started it. */
  stop(): Promise<void>;
}

/** Starts the cluster (or reuses one answering on its ports); the jars must have been fetched. */
export async function startLocalCluster(): Promise<LocalCluster> {
  const fetch = await runClusterScriptOf('kafka.sh', 'fetch', 600_000);
  if (fetch !== 0) throw new Error(`deploy/local/kafka.sh fetch exited with ${fetch}`);
  const result = await runClusterScript(['start'], { timeoutMs: 240_000, echo: true });
  if (result.code !== 0) throw new Error(`deploy/local/kafka-cluster.sh start exited with ${result.code}`);
  const started = result.stdout === 'started';
  return {
    brokers: clusterPorts()
      .map((p) => `127.0.0.1:${p}`)
      .join(','),
    started,
    async stop() {
      if (!started) return;
      const stop = await runClusterScript(['stop'], { timeoutMs: 90_000, echo: true });
      if (stop.code !== 0) throw new Error(`deploy/local/kafka-cluster.sh stop exited with ${stop.code}`);
    },
  };
}

function runClusterScriptOf(script: string, command: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [`${REPO}deploy/local/${script}`, command], {
      cwd: REPO,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code ?? 1);
    });
  });
}
