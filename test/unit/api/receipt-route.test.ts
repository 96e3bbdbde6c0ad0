/**
 * Receipts that reveal nothing (issue 18): the receipt route needs an API key, and serves a party only the
 * receipts of records it received (here: the score it read). Enumerating anchor ids computed from a subject
 * and its versions finds nothing, although the receipts are there; another party and an anonymous caller
 * get nothing either.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { deterministicUuid } from '../../../src/anchor/ids.js';
import { leafHashOf, type AnchorLeaf } from '../../../src/anchor/receipt.js';
import { createMemoryReceiptStore, type ReceiptStore } from '../../../src/anchor/receipt-store.js';
import { createMetrics } from '../../../src/api/metrics.js';
import { createApiServer } from '../../../src/api/server.js';
import { loadConfig } from '../../../src/config.js';
import { createCodec } from '../../../src/codec/codec.js';
import { createMemoryTransport } from '../../../src/ingest/memory-transport.js';
import { createRelyingParties } from '../../../src/relying-parties.js';
import { createMemoryStore } from '../../../src/state/memory-store.js';
import { identityScore, READY } from '../../support/api-harness.js';
import { subjectId } from '../../support/evidence-factory.js';
import { KEYS } from '../../support/relying-party-harness.js';

const ROOT = 'ab'.repeat(32);

/** What the ledger writer leaves for an anchored record: its proof, and its batch on the ledger. */
async function anchored(receipts: ReceiptStore, anchorId: string, recordId: string): Promise<void> {
  const leaf: AnchorLeaf = {
    anchorId,
    recordType: 'SCORE',
    recordHash: 'cd'.repeat(32),
    subjectCommitment: 'ef'.repeat(32),
    computedAt: 1_800_000_000_000,
  };
  await receipts.saveProofs([
    {
      leaf: { ...leaf, recordId },
      leafHash: leafHashOf(leaf).toString('hex'),
      leafIndex: 0,
      root: ROOT,
      size: 1,
      proof: [],
    },
  ]);
}

void describe('receipt route', () => {
  void it('needs a key, and serves only records the party received; enumeration finds nothing', async (t) => {
    const store = createMemoryStore();
    const receipts = createMemoryReceiptStore();
    const transport = createMemoryTransport({ retainRecords: 100 });
    const rp = createRelyingParties({
      config: loadConfig({}),
      codec: createCodec(),
      store,
      redis: null,
      alertTransport: transport,
      anchorTransport: transport,
      logger: pino({ level: 'silent' }),
    });
    const api = createApiServer({
      store,
      receipts,
      metrics: createMetrics(),
      readiness: () => READY,
      halfLives: loadConfig({}).halfLivesMs,
      logger: pino({ level: 'silent' }),
      relyingParties: rp.routes,
    });
    t.after(() => api.close());
    const subject = subjectId();
    // Thirty versions of one subject anchored under ids computed from subject and version, as they were
    // before they were keyed with the subject's salt: stored here, so only the entitlement refuses them.
    const scoreIdFor = (subject: string, version: number): string =>
      deterministicUuid(`score:${subject}:${version}`);
    const computed = Array.from({ length: 30 }, (_, i) =>
      deterministicUuid(`anchor:${scoreIdFor(subject, i + 1)}`),
    );
    for (const [i, id] of computed.entries()) await anchored(receipts, id, scoreIdFor(subject, i + 1));
    await receipts.saveBatch(ROOT, { kind: 'file', height: 1, blockHash: '12'.repeat(32), appendedAt: 1 });
    const get = (anchorId: string, key?: string) =>
      api.app.inject({
        method: 'GET',
        url: `/v1/anchors/${anchorId}/receipt`,
        headers: key === undefined ? {} : { authorization: `Bearer ${key}` },
      });
    for (const id of computed) {
      assert.equal((await get(id)).statusCode, 401);
      for (const key of Object.values(KEYS)) assert.equal((await get(id, key)).statusCode, 404, id);
    }
    // The pension office reads the subject's score (with a consent relationship): it may fetch that receipt.
    const score = identityScore(subject, Date.now());
    await store.applySignals([{ subjectId: subject, signals: [] }]);
    await store.saveScores([{ version: 1, score }]);
    await rp.access.putRelationship(subject, 'pension-office', {
      kind: 'CONSENT',
      expiresAt: Date.now() + 60_000,
      purpose: 'social-insurance.pension-eligibility',
      tokenId: null,
    });
    const read = await api.app.inject({
      method: 'GET',
      url: `/v1/subjects/${subject}/score`,
      headers: { authorization: `Bearer ${KEYS.pension}` },
    });
    assert.equal(read.statusCode, 200);
    const anchorId = deterministicUuid(`anchor-of-${score.scoreId}`);
    await anchored(receipts, anchorId, score.scoreId);
    const served = await get(anchorId, KEYS.pension);
    assert.equal(served.statusCode, 200);
    assert.equal(
      (JSON.parse(served.body) as { anchor: { recordId: string } }).anchor.recordId,
      score.scoreId,
    );
    assert.equal((await get(anchorId, KEYS.insurer)).statusCode, 404);
    assert.equal((await get(anchorId)).statusCode, 401);
    const readsLogged = (await rp.accessLog.read(subject)).map((r) => [r.action, r.party, r.outcome]);
    assert.deepEqual(readsLogged, [
      ['SCORE_READ', 'pension-office', 'SERVED'],
      ['RECEIPT_READ', 'pension-office', 'SERVED'],
    ]);
  });
});
