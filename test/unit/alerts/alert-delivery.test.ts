/**
 * Webhook delivery against a local (127.0.0.1) receiver, on the in-memory alert store: signed deliveries,
 * retries, and parking after the last attempt (kept, listed and queued again on request, never dropped).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { createMemoryAccessStore } from '../../../src/access/memory-access-store.js';
import { createAlertDelivery } from '../../../src/alerts/alert-delivery.js';
import type { Delivery } from '../../../src/alerts/alert-store.js';
import { createMemoryAlertStore } from '../../../src/alerts/memory-alert-store.js';
import { verifySignature } from '../../../src/alerts/webhook-signer.js';
import { waitFor } from '../../support/pipeline.js';
import { webhookReceiver } from '../../support/webhook-receiver.js';

const SECRET = 'ef'.repeat(32);

function delivery(clientId: string): Delivery {
  return {
    deliveryId: `alert-1:${clientId}`,
    alertId: 'alert-1',
    clientId,
    body: '{"alertId":"alert-1"}',
    attempts: 0,
    createdAt: Date.now(),
    lastError: null,
    lastStatus: null,
  };
}

void describe('alert delivery', () => {
  void it('parks a delivery after its last failed attempt, and redelivers it when asked', async (t) => {
    const receiver = await webhookReceiver(t);
    receiver.status = 500;
    const access = createMemoryAccessStore();
    await access.putSubscription('a', { url: receiver.url, secret: SECRET });
    const alerts = createMemoryAlertStore();
    const worker = createAlertDelivery({
      alerts,
      access,
      logger: pino({ level: 'silent' }),
      targets: { allowedHosts: new Set(['127.0.0.1']) },
      maxAttempts: 3,
      backoffBaseMs: 20,
      pollMs: 10,
    });
    worker.start();
    t.after(() => worker.stop());
    await alerts.enqueue([delivery('a')], Date.now());
    worker.wake();
    await waitFor(async () => (await alerts.parked('a')).length === 1, 'the delivery parked', 10_000);
    const [parked] = await alerts.parked('a');
    assert.equal(parked?.attempts, 3);
    assert.equal(parked?.lastError, 'HTTP_STATUS');
    assert.equal(parked?.lastStatus, 500);
    assert.equal(receiver.received.length, 3);
    for (const r of receiver.received)
      assert.equal(verifySignature(SECRET, r.signature, r.body, Date.now()), 'valid');

    receiver.status = 200;
    assert.equal(await alerts.requeueParked('a', Date.now()), 1);
    worker.wake();
    await waitFor(() => receiver.received.length === 4, 'the redelivery', 10_000);
    await waitFor(
      async () => (await alerts.claimDue(Date.now() + 3_600_000, 0, 10)).length === 0,
      'the queue drained',
    );
    assert.deepEqual(await alerts.parked('a'), []);
  });

  void it('a delivery whose client has no subscription is kept, not dropped', async (t) => {
    const alerts = createMemoryAlertStore();
    const worker = createAlertDelivery({
      alerts,
      access: createMemoryAccessStore(),
      logger: pino({ level: 'silent' }),
      targets: { allowedHosts: new Set(['127.0.0.1']) },
      maxAttempts: 2,
      backoffBaseMs: 10,
      pollMs: 10,
    });
    worker.start();
    t.after(() => worker.stop());
    await alerts.enqueue([delivery('gone')], Date.now());
    await waitFor(async () => (await alerts.parked('gone')).length === 1, 'the delivery parked', 10_000);
    assert.equal((await alerts.parked('gone'))[0]?.lastError, 'NO_SUBSCRIPTION');
  });
});
