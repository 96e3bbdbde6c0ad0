/**
 * Kafka and Redis from the scripts in deploy/local/: the official Kafka jars run by the machine's Java,
 * and redis-server. Used when no DMID_* address is given and no Docker engine answers.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface ScriptResult {
  readonly code: number;
  /** The script's stdout, trimmed: `started` or `reused` for `start`. */
  readonly stdout: string;
}

/**
 * Runs deploy/local/<script> <command>. Progress goes to our stderr as it happens (a broker start takes
 * seconds and CI logs should show why); stdout is captured. Killed after `timeoutMs`.
 */
export function runScript(script: string, command: string, timeoutMs: number): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [`${REPO}deploy/local/${script}`, command], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal === null ? 1 : 128), stdout: stdout.trim() });
    });
  });
}

export function localKafkaPort(): number {
  return Number(process.env.DMID_LOCAL_KAFKA_PORT ?? '9092');
}

export function localRedisPort(): number {
  return Number(process.env.DMID_LOCAL_REDIS_PORT ?? '6379');
}

export interface LocalService {
  readonly address: string;
  /** True when this process started it (and so must stop it); false when one was already running. */
  readonly started: boolean;
  stop(): Promise<void>;
}

async function startWith(
  script: string,
  address: string,
  steps: readonly { command: string; timeoutMs: number }[],
): Promise<LocalService> {
  let last: ScriptResult = { code: 0, stdout: '' };
  for (const step of steps) {
    last = await runScript(script, step.command, step.timeoutMs);
    if (last.code !== 0) {
      throw new Error(`deploy/local/${script} ${step.command} exited with ${last.code}`);
    }
  }
  const started = last.stdout === 'started';
  return {
    address,
    started,
    async stop() {
      if (!started) return;
      const result = await runScript(script, 'stop', 60_000);
      if (result.code !== 0) throw new Error(`deploy/local/${script} stop exited with ${result.code}`);
    },
  };
}

/** A local broker: fetches the jars when missing (Maven Central), then starts or reuses one. */
export function startLocalKafka(): Promise<LocalService> {
  return startWith('kafka.sh', `127.0.0.1:${localKafkaPort()}`, [
    { command: 'fetch', timeoutMs: 600_000 },
    { command: 'start', timeoutMs: 180_000 },
  ]);
}

export function startLocalRedis(): Promise<LocalService> {
  return startWith('redis.sh', `redis://127.0.0.1:${localRedisPort()}`, [
    { command: 'start', timeoutMs: 60_000 },
  ]);
}
