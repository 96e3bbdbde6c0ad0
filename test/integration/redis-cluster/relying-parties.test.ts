/**
 * The relying-party side on Redis Cluster (run by scripts/test.ts on the six-node cluster): a relationship
 * from a consent token, a score read and a decision through the API; one rate limit shared by two limiters;
 * the alert store's seen scores and delivery queue; the receipt store's proofs, sent marks and batches.
 * The subjects, anchors and batch roots are many, so their keys land on all three masters: a pipeline or
 * MGET spanning masters would fail here (ioredis refuses it) while it passes on standalone Redis.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Cluster } from 'ioredis';
import { createRedisAccessStore } from '../../../src/access/redis-access-store.js';
import { createRedisRateLimiter } from '../../../src/access/redis-rate-limiter.js';
import type { Delivery } from '../../../src/alerts/alert-store.js';
import { createRedisAlertStore } from '../../../src/alerts/redis-alert-store.js';
import { createRedisReceiptStore } from '../../../src/anchor/redis-receipt-store.js';
import { createRedisAccessAudit } from '../../../src/audit/redis-access-audit.js';
import type { StoredProof } from '../../../src/anchor/receipt-store.js';
import { openRelyingPartyRedis } from '../../../src/relying-parties.js';
import { keySlot } from '../../../src/state/redis-cluster.js';
import { createAnchorKeyBuilder, createPartyKeyBuilder } from '../../../src/state/redis-keys.js';
import { fakeAnchor } from '../../support/anchors.js';
import { goodArrivals, subjectId } from '../../support/evidence-factory.js';
import { clusterUrl } from '../../support/redis-cluster.js';
import { KEYS, startRelyingParties } from '../../support/relying-party-harness.js';

const PENSION = 'social-insurance.pension-eligibility';

/** How many of the cluster's masters serve `keys` (all three, or the test proves nothing). */
function mastersOf(cluster: Cluster, keys: readonly string[]): number {
  return new Set(keys.map((k) => cluster.slots[keySlot(k)]?.[0])).size;
}

function hex(): string {
  return randomBytes(32).toString('hex');
}

function proofOf(i: number, root: string): StoredProof {
  const a = fakeAnchor();
  return {
    leaf: {
      anchorId: a.anchorId,
      recordType: 'SCORE',
      recordHash: a.recordHash,
      subjectCommitment: a.subjectCommitment,
      computedAt: a.computedAt,
      recordId: a.scoreId,
    },
    leafHash: createHash('sha256').update(a.anchorId).digest('hex'),
    leafIndex: i,
    root,
    size: 40,
    proof: [hex(), hex()],
  };
}

void test('relying parties on Redis Cluster', async (t) => {
  const h = await startRelyingParties(t);
  const redis = openRelyingPartyRedis(clusterUrl());
  assert.ok(redis instanceof Cluster, 'the relying-party client of a cluster URL is a Cluster client');
  t.after(() => redis.quit());
  await redis.ping();
  const prefix = h.pipeline.keyPrefix;

  await t.test('relationship from a consent token, score read and decision through the API', async () => {
    const known = await h.subject(goodArrivals());
    assert.equal((await h.request('GET', `/v1/subjects/${known}/score`, { key: KEYS.pension })).status, 404);
    await h.relate(KEYS.pension, known);
    const score = await h.request('GET', `/v1/subjects/${known}/score`, { key: KEYS.pension });
    assert.equal(score.status, 200, score.text);
    const decision = await h.request('POST', '/v1/decisions', {
      key: KEYS.pension,
      body: { subjectId: known, policy: PENSION },
    });
    assert.equal(decision.status, 200, decision.text);
  });

  await t.test('two limiters share one bucket on the cluster', async () => {
    const bucket = { redis, keyPrefix: `${prefix}limit:`, ratePerSecond: 1, burst: 6 };
    const limiters = [createRedisRateLimiter(bucket), createRedisRateLimiter(bucket)];
    let allowed = 0;
    for (let i = 0; i < 12; i++) if ((await limiters[i % 2]?.take('client-a'))?.ok === true) allowed += 1;
    // One bucket per limiter would let 12 through (6 each); the shared one 6 and at most a refill or two.
    assert.ok(allowed >= 6 && allowed <= 8, `${allowed} allowed`);
  });

  await t.test('alert store: seen scores of subjects on every master, and the delivery queue', async () => {
    const alerts = createRedisAlertStore({ redis, keyPrefix: prefix, seenTtlSeconds: 600 });
    const subjects = Array.from({ length: 40 }, () => subjectId());
    const keysOf = createPartyKeyBuilder(prefix);
    assert.equal(
      mastersOf(
        redis,
        subjects.map((s) => keysOf(s).alerted),
      ),
      3,
    );
    const seen = (i: number) => ({ computedAt: i, assuranceLevel: 'HIGH' as const, alertCodes: [`C${i}`] });
    await alerts.writeSeen(subjects.slice(0, 30).map((s, i) => ({ subjectId: s, seen: seen(i) })));
    const read = await alerts.readSeen(subjects);
    assert.deepEqual(
      read.slice(0, 30),
      subjects.slice(0, 30).map((_, i) => seen(i)),
    );
    assert.deepEqual(
      read.slice(30),
      Array.from({ length: 10 }, () => null),
    );

    const deliveries: Delivery[] = ['x', 'y', 'z'].map((id) => ({
      deliveryId: `${id}:a`,
      alertId: id,
      clientId: 'a',
      body: `{"alertId":"${id}"}`,
      attempts: 0,
      createdAt: 1,
      lastError: null,
      lastStatus: null,
    }));
    await alerts.enqueue(deliveries, 1_000);
    const claimed = await alerts.claimDue(2_000, 60_000, 10);
    assert.deepEqual(claimed.map((d) => d.deliveryId).sort(), ['x:a', 'y:a', 'z:a']);
  });

  await t.test('access log records with receipt grants, the grant keys on other masters', async () => {
    const audit = createRedisAccessAudit({ redis, keyPrefix: prefix, ttlMs: 600_000 });
    const access = createRedisAccessStore({ redis, keyPrefix: prefix });
    const subjects = Array.from({ length: 12 }, () => subjectId());
    for (const [i, subject] of subjects.entries()) {
      const event = {
        subjectId: subject,
        party: 'pension-office',
        purpose: 'test',
        action: 'DECISION' as const,
        outcome: 'ALLOW',
        ref: `rec-${i}`,
        at: Date.now(),
      };
      await audit.record(event, { receiptGrantUntil: Date.now() + 60_000 });
      assert.equal((await audit.read(subject)).length, 1);
      assert.equal((await access.receiptGrant('pension-office', `rec-${i}`))?.subjectId, subject);
    }
  });

  await t.test('receipt store: proofs, sent marks and batches on every master', async () => {
    const receipts = createRedisReceiptStore({ redis, keyPrefix: prefix, ttlSeconds: 600 });
    const roots = [hex(), hex(), hex(), hex(), hex(), hex()];
    const proofs = Array.from({ length: 40 }, (_, i) => proofOf(i, roots[i % roots.length] ?? ''));
    const ids = proofs.map((p) => p.leaf.anchorId);
    const keys = createAnchorKeyBuilder(prefix);
    assert.equal(
      mastersOf(
        redis,
        ids.map((id) => keys.anchor(id)),
      ),
      3,
    );
    await receipts.saveProofs(proofs);
    await receipts.markSent(ids.slice(0, 20));
    const records = await receipts.readAnchors([...ids, fakeAnchor().anchorId]);
    assert.deepEqual(
      records.map((r) => r?.sent ?? null),
      [...ids.map((_, i) => i < 20), null],
    );
    assert.deepEqual(records[7]?.proof, proofs[7]);
    for (const [i, root] of roots.slice(0, 4).entries()) {
      await receipts.saveBatch(root, { kind: 'file', height: i, blockHash: hex(), appendedAt: 1 + i });
    }
    const batches = await receipts.readBatches(roots);
    assert.deepEqual(
      batches.map((b) => (b === null ? null : b.kind === 'file' ? b.height : -1)),
      [0, 1, 2, 3, null, null],
    );
    const receipt = await receipts.readReceipt(ids[1] ?? '');
    assert.equal(receipt?.anchor.anchorId, ids[1]);
    await receipts.close();
  });
});
