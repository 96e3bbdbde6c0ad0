/**
 * Alerts on real Kafka and Redis: a death record for a subject reaches, as a signed webhook, every party
 * with a live relationship and a subscription (and no other), within 5 seconds of being published; a
 * receiver that is down gets it once it is back.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifySignature } from '../../../src/alerts/webhook-signer.js';
import { goodArrivals, registry } from '../../support/evidence-factory.js';
import { waitFor } from '../../support/pipeline.js';
import { KEYS, startRelyingParties, type RelyingPartyHarness } from '../../support/relying-party-harness.js';
import { webhookReceiver } from '../../support/webhook-receiver.js';

const DEATH = {
  registry: [registry({ status: 'DECEASED', observedAt: Date.UTC(2025, 0, 15, 12, 0, 0) - 1000 })],
};

function field(value: unknown, name: string): unknown {
  assert.ok(typeof value === 'object' && value !== null);
  return Reflect.get(value, name);
}

async function subscribe(h: RelyingPartyHarness, key: string, url: string): Promise<string> {
  const answer = await h.request('PUT', '/v1/subscription', { key, body: { url } });
  assert.equal(answer.status, 200, answer.text);
  return String(field(answer.json, 'secret'));
}

async function relate(h: RelyingPartyHarness, key: string, subject: string): Promise<void> {
  await h.relate(key, subject);
}

/** A good subject, scored, and seen by the alert consumer (so the next score is compared with it). */
async function watchedSubject(h: RelyingPartyHarness): Promise<string> {
  const subject = await h.subject(goodArrivals());
  await waitFor(
    async () => (await h.rp.alerts.readSeen([subject]))[0] !== null,
    'the alert consumer saw the subject',
  );
  return subject;
}

// One pipeline for both (each costs topics and consumer-group joins); each invariant is its own subtest.
void test('alerts (Kafka + Redis)', async (t) => {
  // Retries 0.1 s, 0.2 s, 0.4 s ... apart.
  const h = await startRelyingParties(t, { backoffBaseMs: 100 });

  await t.test(
    'a death record is delivered as a verifiable webhook within 5 s, only to related subscribers',
    async () => {
      const pension = await webhookReceiver(t);
      const hospital = await webhookReceiver(t);
      const subject = await watchedSubject(h);
      const secret = await subscribe(h, KEYS.pension, pension.url);
      await subscribe(h, KEYS.hospital, hospital.url); // subscribed, but no relationship with this subject
      await relate(h, KEYS.pension, subject);
      const alerts = h.pipeline.collect(h.pipeline.topics.alerts);

      const published = Date.now();
      await h.pipeline.publish({
        registry: DEATH.registry.map((r) => ({ ...r, subjectId: subject, observedAt: Date.now() - 1000 })),
      });
      await waitFor(() => pension.received.length > 0, 'the webhook', 5000);
      const delivery = pension.received[0];
      assert.ok(delivery);
      assert.ok(delivery.receivedAt - published <= 5000);
      assert.equal(verifySignature(secret, delivery.signature, delivery.body, Date.now()), 'valid');
      const body: unknown = JSON.parse(delivery.body);
      assert.equal(field(body, 'subjectId'), subject);
      assert.equal(field(body, 'kind'), 'DENY_CODE_APPEARED');
      assert.deepEqual(field(body, 'reasonCodes'), ['REG_DECEASED']);
      assert.equal(field(body, 'assuranceLevel'), 'NONE');
      // The same alert is on identity.alerts.
      await alerts.until((records) => records.some((r) => r.key === subject), 'the alert record');
      const record = alerts.records.find((r) => r.key === subject);
      assert.ok(record?.value);
      assert.equal(h.pipeline.codec.decode('alert', record.value).alertId, field(body, 'alertId'));
      assert.equal(hospital.received.length, 0);
    },
  );

  await t.test('a receiver that is down gets the alert after it comes back', async () => {
    const receiver = await webhookReceiver(t, false);
    const subject = await watchedSubject(h);
    const secret = await subscribe(h, KEYS.insurer, receiver.url);
    await relate(h, KEYS.insurer, subject);
    const alerts = h.pipeline.collect(h.pipeline.topics.alerts);
    await h.pipeline.publish({
      registry: DEATH.registry.map((r) => ({ ...r, subjectId: subject, observedAt: Date.now() - 1000 })),
    });
    await alerts.until((records) => records.some((r) => r.key === subject), 'the alert record');
    // Down for a few attempts (0.1, 0.2, 0.4 s apart), then back.
    await new Promise((resolve) => setTimeout(resolve, 800));
    assert.equal(receiver.received.length, 0);
    await receiver.start();
    await waitFor(() => receiver.received.length > 0, 'the redelivered webhook', 15_000);
    const delivery = receiver.received[0];
    assert.ok(delivery);
    assert.equal(verifySignature(secret, delivery.signature, delivery.body, Date.now()), 'valid');
    assert.deepEqual(field(JSON.parse(delivery.body), 'reasonCodes'), ['REG_DECEASED']);
    assert.deepEqual((await h.request('GET', '/v1/alerts/parked', { key: KEYS.insurer })).json, {
      parked: [],
    });
  });
});
