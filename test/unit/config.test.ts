import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { envExample, loadConfig } from '../../src/config.js';
import { DmidError } from '../../src/errors.js';

function configError(env: Record<string, string>): DmidError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof DmidError) return error;
    throw error;
  }
  assert.fail('expected loadConfig to throw');
}

void test('defaults: nothing configured means embedded mode with documented defaults', () => {
  const config = loadConfig({});
  assert.equal(config.kafka.brokers, null);
  assert.equal(config.redis.url, null);
  assert.equal(config.topics.partitions, 12);
  assert.equal(config.topics.names.telecom, 'signals.telecom');
  assert.equal(config.topics.names.dlq, 'signals.dlq');
  assert.equal(config.validation.maxFutureSkewMs, 300_000);
  assert.equal(config.api.host, '127.0.0.1');
  assert.equal(config.logLevel, 'info');
  assert.equal(config.kafka.sessionTimeoutMs, 30_000);
});

void test('values are parsed and typed, topic prefix applies to every topic', () => {
  const config = loadConfig({
    DMID_KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9094',
    DMID_TOPIC_PREFIX: 'prod.',
    DMID_TOPIC_PARTITIONS: '3',
    DMID_MAX_FUTURE_SKEW_SECONDS: '60',
    DMID_LOG_LEVEL: 'warn',
    DMID_KAFKA_SESSION_TIMEOUT_MS: '8000',
  });
  assert.equal(config.kafka.sessionTimeoutMs, 8000);
  assert.deepEqual(config.kafka.brokers, ['127.0.0.1:9092', '127.0.0.1:9094']);
  assert.equal(config.topics.partitions, 3);
  assert.equal(config.topics.names.scores, 'prod.identity.scores');
  assert.equal(config.validation.maxFutureSkewMs, 60_000);
  assert.equal(config.logLevel, 'warn');
});

void test('config is deeply frozen', () => {
  const config = loadConfig({});
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(config.topics.names));
  assert.throws(() => {
    (config.api as { port: number }).port = 1;
  }, TypeError);
});

void test('an unknown DMID_ variable stops start-up, naming it', () => {
  const error = configError({ DMID_KAFKA_BROKER: '127.0.0.1:9092' });
  assert.equal(error.code, 'DMID_CONFIG_INVALID');
  assert.match(error.message, /DMID_KAFKA_BROKER: unknown variable/);
});

void test('the tooling variables of the local scripts are known, not refused as unknown', () => {
  const config = loadConfig({ DMID_LOCAL_KAFKA_PORT: '19092', DMID_TEST_INFRA: 'local' });
  assert.equal(config.kafka.brokers, null);
});

void test('bad values are all reported, each naming its variable', () => {
  const error = configError({
    DMID_TOPIC_PARTITIONS: 'many',
    DMID_API_PORT: '70000',
    DMID_LOG_LEVEL: 'loud',
    DMID_KAFKA_SESSION_TIMEOUT_MS: '5999',
  });
  assert.match(error.message, /DMID_TOPIC_PARTITIONS/);
  assert.match(error.message, /DMID_API_PORT/);
  assert.match(error.message, /DMID_LOG_LEVEL/);
  assert.match(error.message, /DMID_KAFKA_SESSION_TIMEOUT_MS/, 'below the broker minimum of 6000');
  assert.equal(error.canRetry, false);
});

void test('a secret comes from a file, is never echoed in errors, and _FILE exists only for secrets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dmid-config-'));
  const keyFile = join(dir, 'key');
  const key = 'ab'.repeat(32);
  writeFileSync(keyFile, `${key}\n`);
  assert.equal(loadConfig({ DMID_PSEUDONYM_KEY_FILE: keyFile }).pseudonymKeyHex, key);

  const short = configError({ DMID_PSEUDONYM_KEY: 'deadbeefcafe' });
  assert.match(short.message, /DMID_PSEUDONYM_KEY/);
  assert.doesNotMatch(short.message, /deadbeefcafe/);

  const missing = configError({ DMID_PSEUDONYM_KEY_FILE: join(dir, 'absent') });
  assert.equal(missing.code, 'DMID_SECRET_UNREADABLE');

  const both = configError({ DMID_PSEUDONYM_KEY: key, DMID_PSEUDONYM_KEY_FILE: keyFile });
  assert.match(both.message, /not both/);

  assert.match(configError({ DMID_API_PORT_FILE: keyFile }).message, /DMID_API_PORT_FILE: unknown variable/);
});

void test('.env.example lists every setting (run `npm run gen:docs` after a change)', () => {
  const root = new URL('../../', import.meta.url);
  assert.equal(readFileSync(new URL('.env.example', root), 'utf8'), envExample());
});

void test('Kafka TLS and SASL: parsed together, and halves of a pair are refused', () => {
  const base = { DMID_KAFKA_BROKERS: '127.0.0.1:9093' };
  const config = loadConfig({
    ...base,
    DMID_KAFKA_TLS: 'on',
    DMID_KAFKA_TLS_CA_FILE: '/etc/ca.pem',
    DMID_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256',
    DMID_KAFKA_SASL_USERNAME: 'dmid',
    DMID_KAFKA_SASL_PASSWORD: 'pw',
  });
  assert.deepEqual(config.kafka.tls, { caFile: '/etc/ca.pem', certFile: null, keyFile: null });
  assert.deepEqual(config.kafka.sasl, { mechanism: 'SCRAM-SHA-256', username: 'dmid', password: 'pw' });
  assert.equal(loadConfig(base).kafka.tls, null);
  assert.equal(loadConfig(base).kafka.sasl, null);
  const refused = [
    { DMID_KAFKA_SASL_MECHANISM: 'PLAIN', DMID_KAFKA_SASL_USERNAME: 'dmid' },
    { DMID_KAFKA_SASL_USERNAME: 'dmid', DMID_KAFKA_SASL_PASSWORD: 'pw' },
    { DMID_KAFKA_SASL_MECHANISM: 'GSSAPI', DMID_KAFKA_SASL_USERNAME: 'd', DMID_KAFKA_SASL_PASSWORD: 'p' },
    { DMID_KAFKA_TLS_CA_FILE: '/etc/ca.pem' },
    { DMID_KAFKA_TLS: 'on', DMID_KAFKA_TLS_CERT_FILE: '/etc/cert.pem' },
  ];
  for (const extra of refused) {
    assert.throws(
      () => loadConfig({ ...base, ...extra }),
      (e: unknown) => e instanceof DmidError && e.code === 'DMID_CONFIG_INVALID' && !e.message.includes('pw'),
      JSON.stringify(extra),
    );
  }
});
