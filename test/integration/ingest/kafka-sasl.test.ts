/**
 * dmid against a broker that demands a SASL/SCRAM login: its own broker (deploy/local/kafka.sh with a
 * SASL_PLAINTEXT listener, SCRAM credentials made at storage format), on ports next to the local one.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main } from '../../../src/cli/main.js';
import { loadConfig } from '../../../src/config.js';
import { createKafkaClient, produceRecords } from '../../../src/ingest/kafka-client.js';
import { consumeRecords } from '../../../src/ingest/kafka-reader.js';
import type { ConsumedRecord } from '../../../src/ingest/record-batches.js';
import { captureIo } from '../../support/cli-io.js';
import { kafkaBrokers } from '../../support/kafka.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
// Beside the suite's broker's client and controller ports (the runner passes only DMID_KAFKA_BROKERS):
// this broker's client, controller and SASL ports.
const PORT = Number(kafkaBrokers()[0]?.split(':')[1] ?? '9092') + 4;
const SASL_PORT = PORT + 2;
const PASSWORD = randomBytes(12).toString('hex');
const BROKER_ENV = {
  DMID_LOCAL_KAFKA_PORT: String(PORT),
  DMID_LOCAL_KAFKA_CONTROLLER_PORT: String(PORT + 1),
  DMID_LOCAL_KAFKA_SASL_PORT: String(SASL_PORT),
  DMID_LOCAL_KAFKA_SASL_PASSWORD: PASSWORD,
};

function kafkaScript(command: 'start' | 'stop'): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [`${REPO}deploy/local/kafka.sh`, command], {
      cwd: REPO,
      env: { ...process.env, ...BROKER_ENV },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code ?? 1);
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'dmid-sasl-'));
const passwordFile = join(dir, 'password');

function saslEnv(password: string, mechanism = 'SCRAM-SHA-512'): Record<string, string> {
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  return {
    DMID_KAFKA_BROKERS: `127.0.0.1:${SASL_PORT}`,
    DMID_KAFKA_SASL_MECHANISM: mechanism,
    DMID_KAFKA_SASL_USERNAME: 'dmid',
    DMID_KAFKA_SASL_PASSWORD_FILE: passwordFile,
    DMID_TOPIC_PREFIX: `sasl${randomBytes(4).toString('hex')}.`,
    DMID_TOPIC_PARTITIONS: '2',
  };
}

async function dmid(args: string[], env: Record<string, string>) {
  const io = captureIo({ env });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

void describe('Kafka with SASL/SCRAM', { timeout: 180_000 }, () => {
  before(async () => {
    assert.equal(await kafkaScript('start'), 0, 'deploy/local/kafka.sh start with a SASL listener');
  });
  after(async () => {
    await kafkaScript('stop');
    rmSync(dir, { recursive: true, force: true });
  });

  void test('logged in with SCRAM-SHA-512, dmid creates its topics, produces and consumes', async () => {
    const env = saslEnv(PASSWORD);
    const created = await dmid(['topics', 'create'], env);
    assert.equal(created.code, 0, created.err);
    const config = loadConfig(env);
    assert.equal(config.kafka.sasl?.mechanism, 'SCRAM-SHA-512');
    const client = createKafkaClient({
      brokers: config.kafka.brokers ?? [],
      clientId: 'sasl-test',
      sasl: config.kafka.sasl,
      tls: config.kafka.tls,
    });
    const topic = config.topics.names.scores;
    const producer = await client.producer();
    try {
      await produceRecords(producer, topic, [
        { key: 'k1', value: Buffer.from('one') },
        { key: 'k2', value: Buffer.from('two') },
      ]);
    } finally {
      await producer.disconnect();
    }
    const seen: ConsumedRecord[] = [];
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 30_000);
    await consumeRecords({
      client,
      topic,
      groupId: `sasl-${randomBytes(4).toString('hex')}`,
      fromBeginning: true,
      signal: controller.signal,
      onRecord: (record) => {
        seen.push(record);
        if (seen.length === 2) controller.abort();
      },
    });
    clearTimeout(timer);
    assert.deepEqual(seen.map((r) => r.value?.toString()).sort(), ['one', 'two']);
  });

  void test('a wrong password stops dmid with DMID_KAFKA_AUTH_FAILED on one line', async () => {
    const started = Date.now();
    const result = await dmid(['topics', 'create'], saslEnv(`${PASSWORD}x`, 'SCRAM-SHA-256'));
    assert.notEqual(result.code, 0);
    const lines = result.err.split('\n').filter((line) => line !== '');
    assert.equal(lines.length, 1, result.err);
    assert.match(lines[0] ?? '', /DMID_KAFKA_AUTH_FAILED/);
    assert.doesNotMatch(result.err, new RegExp(PASSWORD), 'the password is never printed');
    assert.ok(Date.now() - started < 20_000, 'a refused login is not retried for long');
  });
});
