/**
 * The Redis adapters of the relying-party stores: relationships expire, deliveries are leased (claimed
 * again when the lease ends, as after a crash), parked deliveries are kept and requeued, and the keys live
 * under the configured prefix with the subject's hash tag.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRedisAccessStore } from '../../../src/access/redis-access-store.js';
import type { Delivery } from '../../../src/alerts/alert-store.js';
import { createRedisAlertStore } from '../../../src/alerts/redis-alert-store.js';
import { subjectId } from '../../support/evidence-factory.js';
import { redisFor } from '../../support/redis.js';

function delivery(id: string, clientId = 'a'): Delivery {
  return {
    deliveryId: `${id}:${clientId}`,
    alertId: id,
    clientId,
    body: `{"alertId":"${id}"}`,
    attempts: 0,
    createdAt: 1,
    lastError: null,
    lastStatus: null,
  };
}

void describe('relying-party stores on Redis', () => {
  void it('relationships are live until they expire; the key carries the subject hash tag', async (t) => {
    const { redis, prefix } = await redisFor(t);
    const store = createRedisAccessStore({ redis, keyPrefix: prefix });
    const s = subjectId();
    const now = Date.now();
    await store.putRelationship(s, 'a', {
      kind: 'CONSENT',
      expiresAt: now + 60_000,
      purpose: null,
      tokenId: null,
    });
    await store.putRelationship(s, 'b', {
      kind: 'ENROLMENT',
      expiresAt: now + 1,
      purpose: null,
      tokenId: null,
    });
    assert.deepEqual(await store.liveParties(s, now), ['a', 'b']);
    assert.deepEqual(await store.liveParties(s, now + 1), ['a']);
    assert.equal(await store.liveRelationship(s, 'b', now + 1), null);
    assert.ok((await redis.pttl(`${prefix}{${s}}:parties`)) > 50_000);
    assert.equal(await store.removeRelationship(s, 'a'), true);
    assert.equal(await store.liveRelationship(s, 'a', now), null);
  });

  void it('a claimed delivery is leased: claimed again only after its lease, unless completed', async (t) => {
    const { redis, prefix } = await redisFor(t);
    const store = createRedisAlertStore({ redis, keyPrefix: prefix });
    await store.enqueue([delivery('x'), delivery('y')], 1000);
    await store.enqueue([{ ...delivery('x'), body: 'other' }], 1000); // already pending: unchanged
    const claimed = await store.claimDue(1000, 5000, 10);
    assert.deepEqual(claimed.map((d) => [d.deliveryId, d.body]).sort(), [
      ['x:a', '{"alertId":"x"}'],
      ['y:a', '{"alertId":"y"}'],
    ]);
    assert.deepEqual(await store.claimDue(4999, 9000, 10), []);
    await store.complete('x:a');
    assert.deepEqual(
      (await store.claimDue(5000, 9000, 10)).map((d) => d.deliveryId),
      ['y:a'],
    );
    await store.retry({ ...delivery('y'), attempts: 1, lastError: 'TIMEOUT' }, 6000);
    const [retried] = await store.claimDue(6000, 9000, 10);
    assert.equal(retried?.attempts, 1);
    assert.equal(retried?.lastError, 'TIMEOUT');
  });

  void it('parked deliveries are listed per client and requeued from zero attempts', async (t) => {
    const { redis, prefix } = await redisFor(t);
    const store = createRedisAlertStore({ redis, keyPrefix: prefix });
    await store.enqueue([delivery('p', 'a'), delivery('q', 'b')], 0);
    await store.park({ ...delivery('p', 'a'), attempts: 12, lastError: 'HTTP_STATUS', lastStatus: 503 });
    assert.deepEqual(
      (await store.parked('a')).map((d) => [d.deliveryId, d.attempts, d.lastStatus]),
      [['p:a', 12, 503]],
    );
    assert.deepEqual(await store.parked('b'), []);
    assert.deepEqual(
      (await store.claimDue(10, 1000, 10)).map((d) => d.deliveryId),
      ['q:b'],
    );
    assert.equal(await store.requeueParked('a', 30), 1);
    assert.deepEqual(await store.parked('a'), []);
    const [again] = await store.claimDue(30, 40, 10);
    assert.deepEqual([again?.deliveryId, again?.attempts], ['p:a', 0]);
  });

  void it('what was seen of a subject is read back, null when never written', async (t) => {
    const { redis, prefix } = await redisFor(t);
    const store = createRedisAlertStore({ redis, keyPrefix: prefix, seenTtlSeconds: 60 });
    const [a, b] = [subjectId(), subjectId()];
    const seen = { computedAt: 5, assuranceLevel: 'LOW' as const, alertCodes: ['REG_DECEASED'] };
    await store.writeSeen([{ subjectId: a, seen }]);
    assert.deepEqual(await store.readSeen([a, b]), [seen, null]);
  });
});
