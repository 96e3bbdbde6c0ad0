/**
 * store-epoch-never-silent: a store that lost its epoch (its keys deleted, as a Redis restarted empty) or
 * got another one fails every unit with a retriable DMID_STATE_EPOCH_CHANGED, reports it once, and goes on
 * only after `dmid state accept-epoch`. And `WAIT` for replicas that are not there fails the unit.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stateCommand } from '../../../src/cli/state-command.js';
import { isDmidError } from '../../../src/errors.js';
import { createRedisStore } from '../../../src/state/redis-store.js';
import { readEpoch, type EpochStatus } from '../../../src/state/store-epoch.js';
import { captureIo } from '../../support/cli-io.js';
import { deleteByPrefix, redisFor, redisUrl } from '../../support/redis.js';

void test('store-epoch-never-silent: missing, changed, then accepted by an operator', async (t) => {
  const { redis, prefix } = await redisFor(t);
  const reports: EpochStatus[] = [];
  const store = createRedisStore({ redis, keyPrefix: prefix, onEpochStatus: (s) => reports.push(s) });
  await store.awaitDurable();
  const first = await readEpoch(redis, prefix);
  assert.equal(first?.decision, 'first-use');

  await deleteByPrefix(redis, prefix);
  for (let i = 0; i < 3; i += 1) {
    await assert.rejects(
      store.awaitDurable(),
      (e) => isDmidError(e, 'DMID_STATE_EPOCH_CHANGED') && e.canRetry,
    );
  }
  assert.deepEqual(store.epochStatus(), { changed: true, cause: 'missing' });
  // A second worker on the empty store writes a first-use epoch: for the first one, that is another epoch.
  const other = createRedisStore({ redis, keyPrefix: prefix });
  await other.awaitDurable();
  await assert.rejects(store.awaitDurable(), (e) => isDmidError(e, 'DMID_STATE_EPOCH_CHANGED'));
  assert.deepEqual(store.epochStatus(), { changed: true, cause: 'changed' });

  const io = captureIo({ env: { DMID_REDIS_URL: redisUrl(), DMID_REDIS_KEY_PREFIX: prefix } });
  assert.equal(await stateCommand(['accept-epoch'], io), 0, io.err());
  const accepted = (JSON.parse(io.out()) as { epoch: { id: string; decision: string } }).epoch;
  assert.equal(accepted.decision, 'accepted');
  await store.awaitDurable();
  assert.deepEqual(store.epochStatus(), { changed: false });
  assert.notEqual(accepted.id, first?.id);
  // Reported once per change, not once per failed unit.
  assert.deepEqual(reports, [
    { changed: true, cause: 'missing' },
    { changed: true, cause: 'changed' },
    { changed: false },
  ]);
  assert.equal(await redis.llen(`${prefix}{epoch}:log`), 2);
});

void test('wait-before-commit: too few replicas within the timeout fails the unit, retriably', async (t) => {
  const { redis, prefix } = await redisFor(t);
  const replicas = Number((await redis.info('replication')).match(/connected_slaves:(\d+)/)?.[1] ?? 0);
  const store = createRedisStore({ redis, keyPrefix: prefix, minReplicas: replicas + 1, waitTimeoutMs: 100 });
  const started = Date.now();
  await assert.rejects(
    store.awaitDurable(),
    (e) => isDmidError(e, 'DMID_REDIS_UNAVAILABLE') && e.canRetry && /replicas acknowledged/.test(e.message),
  );
  assert.ok(Date.now() - started >= 90, 'WAIT waited for its timeout');
});
