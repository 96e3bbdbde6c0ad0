/**
 * The access log on Redis: a record asked with a receipt grant writes both (the grant readable through the
 * access store), and two API processes appending to one subject (each guessing the tail from what it
 * appended last) keep one unbroken chain.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRedisAccessStore } from '../../../src/access/redis-access-store.js';
import { verifyAuditChain, type AccessEvent } from '../../../src/audit/access-audit.js';
import { createRedisAccessAudit } from '../../../src/audit/redis-access-audit.js';
import { subjectId } from '../../support/evidence-factory.js';
import { redisFor } from '../../support/redis.js';

function event(subject: string, party: string, ref: string, at: number): AccessEvent {
  return { subjectId: subject, party, purpose: 'p', action: 'DECISION', outcome: 'ALLOW', ref, at };
}

void describe('access log on Redis', () => {
  void it('writes the receipt grant with the record, and only the one asked for', async (t) => {
    const { redis, prefix } = await redisFor(t);
    const audit = createRedisAccessAudit({ redis, keyPrefix: prefix, ttlMs: 60_000 });
    const access = createRedisAccessStore({ redis, keyPrefix: prefix });
    const s = subjectId();
    const now = Date.now();
    await audit.record(event(s, 'a', 'rec-1', now), { receiptGrantUntil: now + 60_000 });
    await audit.record(event(s, 'a', 'rec-2', now));
    assert.deepEqual(await access.receiptGrant('a', 'rec-1'), {
      recordId: 'rec-1',
      subjectId: s,
      purpose: 'p',
    });
    assert.equal(await access.receiptGrant('a', 'rec-2'), null);
    assert.equal(await access.receiptGrant('b', 'rec-1'), null);
    const chain = await audit.read(s);
    assert.deepEqual(
      chain.map((r) => r.ref),
      ['rec-1', 'rec-2'],
    );
    assert.deepEqual(verifyAuditChain(chain), { ok: true });
  });

  void it('two processes appending to one subject keep one chain (stale tails are chained again)', async (t) => {
    const { redis, prefix } = await redisFor(t);
    const first = createRedisAccessAudit({ redis, keyPrefix: prefix, ttlMs: 60_000 });
    const second = createRedisAccessAudit({ redis, keyPrefix: prefix, ttlMs: 60_000 });
    const s = subjectId();
    const now = Date.now();
    for (let i = 0; i < 6; i++) {
      const [a, b] = i % 2 === 0 ? [first, second] : [second, first];
      await a.record(event(s, 'a', `seq-${i}`, now + i), { receiptGrantUntil: now + 60_000 });
      await Promise.all([
        b.record(event(s, 'b', `par-${i}`, now + i)),
        a.record(event(s, 'a', `x-${i}`, now)),
      ]);
    }
    const chain = await first.read(s);
    assert.equal(chain.length, 18);
    assert.deepEqual(verifyAuditChain(chain), { ok: true });
    assert.equal(new Set(chain.map((r) => r.ref)).size, 18);
  });
});
