import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isDmidError } from '../../../src/errors.js';
import {
  createKafkaClient,
  isKafkaUnavailable,
  KAFKA_LOG_LEVELS,
  toKafkaLogEntry,
} from '../../../src/ingest/kafka-client.js';

void describe('createKafkaClient without a broker', () => {
  void test('unreachable-broker: connecting fails with DMID_KAFKA_UNAVAILABLE, retriable, cause kept', async () => {
    // Port 1 on loopback refuses at once: nothing listens there.
    const client = createKafkaClient({
      brokers: ['127.0.0.1:1'],
      clientId: 'unit-test',
      logLevel: 'nothing',
      retries: 0,
      connectionTimeoutMs: 500,
    });
    await assert.rejects(client.admin(), (error) => {
      assert.ok(isDmidError(error, 'DMID_KAFKA_UNAVAILABLE'), String(error));
      assert.equal(error.canRetry, true);
      assert.ok(isKafkaUnavailable(error.cause));
      return true;
    });
  });

  void test('bad options are programmer errors, not wrapped', () => {
    assert.throws(() => createKafkaClient({ brokers: [], clientId: 'x' }), RangeError);
    assert.throws(() => createKafkaClient({ brokers: ['no-port'], clientId: 'x' }), RangeError);
    assert.throws(() => createKafkaClient({ brokers: ['h:1'], clientId: ' ' }), RangeError);
    for (const sessionTimeoutMs of [0, -1, 1.5, Number.NaN]) {
      assert.throws(
        () => createKafkaClient({ brokers: ['h:1'], clientId: 'x', sessionTimeoutMs }),
        /sessionTimeoutMs/,
      );
    }
  });

  void test('non-kafkajs errors are never classed as unavailable', () => {
    assert.equal(isKafkaUnavailable(new TypeError('x')), false);
    assert.equal(isKafkaUnavailable('down'), false);
  });

  void test('kafkajs log lines reach the given logger with their level', async () => {
    const entries: { level: string; namespace: string }[] = [];
    const client = createKafkaClient({
      brokers: ['127.0.0.1:1'],
      clientId: 'unit-test',
      logLevel: 'error',
      logger: (entry) => entries.push(entry),
      retries: 0,
      connectionTimeoutMs: 500,
    });
    await assert.rejects(client.admin());
    assert.ok(entries.length > 0, 'kafkajs logs the failed connection');
    assert.ok(entries.every((e) => e.level === 'error'));
  });

  void test('a heartbeat answered "rebalancing" is info, not an error; other errors stay errors', () => {
    const heartbeat = {
      namespace: 'Connection',
      level: KAFKA_LOG_LEVELS.error,
      log: {
        timestamp: 'now',
        logger: 'kafkajs',
        message: 'Response Heartbeat(key: 12, version: 3)',
        error: 'The group is rebalancing, so a rejoin is needed',
      },
    };
    assert.equal(toKafkaLogEntry(heartbeat, KAFKA_LOG_LEVELS.error), undefined, 'dropped at level error');
    assert.equal(toKafkaLogEntry(heartbeat, KAFKA_LOG_LEVELS.info)?.level, 'info');
    const crash = { ...heartbeat, log: { ...heartbeat.log, message: 'Crash: KafkaJSConnectionError' } };
    assert.equal(toKafkaLogEntry(crash, KAFKA_LOG_LEVELS.error)?.level, 'error');
  });
});
