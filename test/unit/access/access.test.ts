import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashApiKey, DEMO_CLIENTS_FILE, loadClientsFile, parseClients } from '../../../src/access/clients.js';
import { createMemoryAccessStore } from '../../../src/access/memory-access-store.js';
import { createRateLimiter } from '../../../src/access/token-bucket.js';
import { isDmidError } from '../../../src/errors.js';
import { subjectId } from '../../support/evidence-factory.js';

const KEY = 'k'.repeat(32);

void describe('clients', () => {
  void it('finds a client by its API key, stored only as a hash', () => {
    const clients = parseClients(
      `clients:\n  - { id: a-client, name: A, apiKeySha256: ${hashApiKey(KEY)}, policies: [x.y] }\n`,
      'clients.yaml',
    );
    assert.equal(clients.byApiKey(KEY)?.id, 'a-client');
    assert.equal(clients.byApiKey(KEY)?.readRawScores, false);
    assert.equal(clients.byApiKey('k'.repeat(31)), undefined);
    assert.equal(clients.byApiKey(`${KEY}x`), undefined);
  });

  void it('refuses unknown keys, a plain API key field and duplicate ids', () => {
    const refused = (text: string): void =>
      assert.throws(
        () => parseClients(text, 'c.yaml'),
        (e: unknown) => isDmidError(e, 'DMID_CLIENTS_INVALID'),
      );
    refused(`clients:\n  - { id: a, name: A, apiKey: ${KEY}, policies: [] }\n`);
    const row = `{ id: ab, name: A, apiKeySha256: ${hashApiKey(KEY)}, policies: [] }`;
    refused(`clients:\n  - ${row}\n  - ${row}\n`);
  });

  void it('the demo clients load', () => {
    assert.equal(
      loadClientsFile(DEMO_CLIENTS_FILE).byApiKey('demo-pension-key-0003-not-secret')?.id,
      'pension-office',
    );
  });
});

void describe('rate limit (token bucket)', () => {
  void it('allows a burst, then one request per refill, with a Retry-After', async () => {
    const clock = { now: 0 };
    const limiter = createRateLimiter({ ratePerSecond: 2, burst: 3, now: () => clock.now });
    const oks: boolean[] = [];
    for (let i = 0; i < 3; i++) oks.push((await limiter.take('a')).ok);
    assert.deepEqual(oks, [true, true, true]);
    assert.deepEqual(await limiter.take('a'), { ok: false, retryAfterSeconds: 1 });
    assert.equal((await limiter.take('b')).ok, true);
    clock.now = 500;
    assert.equal((await limiter.take('a')).ok, true);
    assert.equal((await limiter.take('a')).ok, false);
  });
});

void describe('relationships (in-memory twin)', () => {
  void it('a relationship is live until it expires', async () => {
    const store = createMemoryAccessStore();
    const s = subjectId();
    await store.putRelationship(s, 'a', { kind: 'CONSENT', expiresAt: 1000, purpose: null, tokenId: null });
    assert.deepEqual(await store.liveRelationship(s, 'a', 999), {
      kind: 'CONSENT',
      expiresAt: 1000,
      purpose: null,
      tokenId: null,
    });
    assert.equal(await store.liveRelationship(s, 'a', 1000), null);
    assert.equal(await store.liveRelationship(s, 'b', 0), null);
    assert.deepEqual(await store.liveParties(s, 0), ['a']);
    assert.deepEqual(await store.liveParties(s, 1000), []);
  });
});
