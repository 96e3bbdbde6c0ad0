/**
 * The alert consumer over the in-process log and the in-memory stores: which scores raise alerts, who gets
 * a delivery (live relationship, alerts scope, subscription), and that old scores only prime the state.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { hashApiKey, clientRegistry } from '../../../src/access/clients.js';
import { createMemoryAccessStore } from '../../../src/access/memory-access-store.js';
import { createAlertConsumer } from '../../../src/alerts/alert-consumer.js';
import { createMemoryAlertStore } from '../../../src/alerts/memory-alert-store.js';
import { createCodec } from '../../../src/codec/codec.js';
import type { IdentityScore } from '../../../src/codec/types.js';
import { createMemoryTransport } from '../../../src/ingest/memory-transport.js';
import { identityScore } from '../../support/api-harness.js';
import { goodArrivals, registry, subjectId, T0 } from '../../support/evidence-factory.js';
import { waitFor } from '../../support/pipeline.js';

const TOPICS = { scores: 'identity.scores', alerts: 'identity.alerts' };
const client = (id: string, alerts: boolean) => ({
  id,
  name: id,
  apiKeySha256: hashApiKey(`${id}-key-that-is-long-enough`),
  policies: [],
  readRawScores: false,
  capturePoints: [],
  alerts,
});

function setup(t: { after: (fn: () => Promise<void>) => void }, nowMs: number) {
  const codec = createCodec();
  const transport = createMemoryTransport({ partitions: 2 });
  const access = createMemoryAccessStore();
  const alerts = createMemoryAlertStore();
  let wakes = 0;
  const consumer = createAlertConsumer({
    transport,
    codec,
    alerts,
    access,
    clients: clientRegistry([
      client('subscribed', true),
      client('no-scope', false),
      client('unrelated', true),
    ]),
    delivery: { wake: () => void (wakes += 1) },
    topics: TOPICS,
    logger: pino({ level: 'silent' }),
    now: () => nowMs,
  });
  const running = consumer.run();
  t.after(async () => {
    await consumer.stop();
    await running;
  });
  const send = (scores: IdentityScore[]) =>
    transport.send([
      {
        topic: TOPICS.scores,
        records: scores.map((s) => ({ key: s.subjectId, value: codec.encode('score', s) })),
      },
    ]);
  const alertRecords = () =>
    transport.records(TOPICS.alerts).map((r) => codec.decode('alert', r.value ?? Buffer.alloc(0)));
  return { access, alerts, send, alertRecords, wakes: () => wakes };
}

const dead = goodArrivals({ registry: [registry({ status: 'DECEASED' })] });

void describe('alert consumer', () => {
  void it('a death raises one alert and one delivery per related, subscribed party with the alerts scope', async (t) => {
    const s = subjectId();
    const h = setup(t, T0 + 2000);
    for (const id of ['subscribed', 'no-scope', 'unrelated']) {
      await h.access.putSubscription(id, { url: 'http://127.0.0.1:1/x', secret: 'ab' });
    }
    await h.access.putRelationship(s, 'subscribed', {
      kind: 'CONSENT',
      expiresAt: T0 + 60_000,
      purpose: null,
      tokenId: null,
    });
    await h.access.putRelationship(s, 'no-scope', {
      kind: 'CONSENT',
      expiresAt: T0 + 60_000,
      purpose: null,
      tokenId: null,
    });
    await h.send([identityScore(s, T0), identityScore(s, T0 + 1000, dead)]);
    await waitFor(() => h.alertRecords().length === 1, 'the alert');
    const [alert] = h.alertRecords();
    assert.deepEqual([alert?.kind, alert?.reasonCodes], ['DENY_CODE_APPEARED', ['REG_DECEASED']]);
    const due = await h.alerts.claimDue(T0 + 10_000, T0 + 20_000, 10);
    assert.deepEqual(
      due.map((d) => d.deliveryId),
      [`${alert?.alertId}:subscribed`],
    );
    assert.equal(h.wakes(), 1);
    // The same scores again (a redelivered batch) raise nothing new.
    await h.send([identityScore(s, T0 + 1000, dead)]);
    await waitFor(async () => (await h.alerts.readSeen([s]))[0]?.computedAt === T0 + 1000, 'seen');
    assert.equal(h.alertRecords().length, 1);
  });

  void it('a score older than 15 minutes raises nothing but primes the comparison', async (t) => {
    const s = subjectId();
    const h = setup(t, T0 + 3_600_000);
    await h.send([identityScore(s, T0, dead)]);
    await waitFor(async () => (await h.alerts.readSeen([s]))[0] !== null, 'seen');
    assert.equal(h.alertRecords().length, 0);
    assert.deepEqual((await h.alerts.readSeen([s]))[0]?.alertCodes, ['REG_DECEASED']);
  });
});
