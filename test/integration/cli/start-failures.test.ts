/**
 * A start that cannot succeed ends with one line on stderr and exit code 1, never a stack, a hang or
 * tfjs's exit 7: the API port already taken (the engine entry of `npm start`, and `dmid run`), and a Kafka
 * cluster that cannot be reached (`dmid run`).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { test, type TestContext } from 'node:test';
import { kafkaBrokers, randomGroupId } from '../../support/kafka.js';
import { redisUrl } from '../../support/redis.js';

const CLI = new URL('../../../src/cli/bin.ts', import.meta.url).pathname;
const INDEX = new URL('../../../src/index.ts', import.meta.url).pathname;
/** A loaded machine takes a while to load tsx, tfjs and the model; the process must still end by itself. */
const DEADLINE_MS = 90_000;

async function holdPort(t: TestContext): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function runToExit(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stderrLines: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    env: { PATH: process.env.PATH, DMID_LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), DEADLINE_MS);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stderrLines: stderr.split('\n').filter((l) => l.trim() !== '') };
}

function kafkaEnv(): NodeJS.ProcessEnv {
  return {
    DMID_KAFKA_BROKERS: kafkaBrokers().join(','),
    DMID_REDIS_URL: redisUrl(),
    DMID_KAFKA_GROUP_ID: randomGroupId(),
  };
}

void test('npm start entry with its API port taken: one line, exit 1', async (t) => {
  const port = await holdPort(t);
  const { code, stderrLines } = await runToExit([INDEX], { DMID_API_PORT: String(port) });
  assert.equal(code, 1, stderrLines.join('\n'));
  assert.equal(stderrLines.length, 1, stderrLines.join('\n'));
  assert.match(
    stderrLines[0] ?? '',
    new RegExp(`^dmid: the API port 127\\.0\\.0\\.1:${port} is already in use`),
  );
});

void test('dmid run with its API port taken: one line, exit 1', async (t) => {
  const port = await holdPort(t);
  const { code, stderrLines } = await runToExit([CLI, 'run'], { ...kafkaEnv(), DMID_API_PORT: String(port) });
  assert.equal(code, 1, stderrLines.join('\n'));
  assert.deepEqual(
    stderrLines.filter((l) => l.startsWith('dmid:')),
    stderrLines,
    'nothing but the one line',
  );
  assert.equal(stderrLines.length, 1, stderrLines.join('\n'));
  assert.match(stderrLines[0] ?? '', /EADDRINUSE/);
});

void test('dmid run with Kafka unreachable: one line naming it, exit 1', async () => {
  const { code, stderrLines } = await runToExit([CLI, 'run'], {
    ...kafkaEnv(),
    // Port 1 on loopback refuses at once.
    DMID_KAFKA_BROKERS: '127.0.0.1:1',
    DMID_API_PORT: '0',
  });
  assert.equal(code, 1, stderrLines.join('\n'));
  const dmidLines = stderrLines.filter((l) => l.startsWith('dmid:'));
  assert.equal(dmidLines.length, 1, stderrLines.join('\n'));
  assert.match(dmidLines[0] ?? '', /DMID_KAFKA_UNAVAILABLE/);
});
