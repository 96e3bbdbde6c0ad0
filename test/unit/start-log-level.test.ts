/**
 * `npm start` in embedded mode on a terminal logs at warn unless DMID_LOG_LEVEL says otherwise, so the
 * status line is not buried; anywhere else the configured level holds (and every log is JSON).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { startLogLevel } from '../../src/run-engine.js';

const KAFKA = { DMID_KAFKA_BROKERS: '127.0.0.1:9092', DMID_REDIS_URL: 'redis://127.0.0.1:6379' };
const level = (env: Record<string, string>, tty: boolean): string => startLogLevel(loadConfig(env), env, tty);

void test('embedded on a terminal: warn by default, DMID_LOG_LEVEL when set', () => {
  assert.equal(level({}, true), 'warn');
  assert.equal(level({ DMID_LOG_LEVEL: 'info' }, true), 'info');
  assert.equal(level({ DMID_LOG_LEVEL: 'debug' }, true), 'debug');
});

void test('not a terminal, or Kafka mode: the configured level, info by default', () => {
  assert.equal(level({}, false), 'info');
  assert.equal(level(KAFKA, true), 'info');
  assert.equal(level({ ...KAFKA, DMID_LOG_LEVEL: 'error' }, true), 'error');
});
