import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isDmidError } from '../../../src/errors.js';
import { createKafkaClient, isKafkaUnavailable, retryDelayMs } from '../../../src/ingest/kafka-client.js';

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

  void test('non-client errors are never classed as unavailable', () => {
    assert.equal(isKafkaUnavailable(new TypeError('x')), false);
    assert.equal(isKafkaUnavailable('down'), false);
  });

  void test('failed broker connections reach the given logger as warnings', async () => {
    const entries: { level: string; namespace: string }[] = [];
    const client = createKafkaClient({
      brokers: ['127.0.0.1:1'],
      clientId: 'unit-test',
      logLevel: 'warn',
      logger: (entry) => entries.push(entry),
      retries: 0,
      connectionTimeoutMs: 500,
    });
    await assert.rejects(client.admin());
    assert.ok(entries.length > 0, 'the failed connection is logged');
    assert.ok(
      entries.every((e) => e.level === 'warn' && e.namespace === 'admin'),
      JSON.stringify(entries),
    );
  });

  void test('retry waits double from 250 ms and stop at 5 s', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 30].map(retryDelayMs), [250, 500, 1000, 2000, 4000, 5000, 5000]);
  });
});
