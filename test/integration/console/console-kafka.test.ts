/**
 * The console in Kafka mode, on real Kafka and Redis: a worker scores (its own transport, not the
 * console's), and a separate console server, fed only from the topics (src/console/kafka-feed.ts,
 * read_committed), shows a consented subject's scores and the dead letters. Nothing reaches the console
 * in-process: what it shows was read back from identity.scores, identity.anchors and signals.dlq.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { DEMO_CLIENTS_FILE, loadClientsFile } from '../../../src/access/clients.js';
import { SUPPORT_PURPOSE } from '../../../src/access/consent.js';
import { createMemoryAccessStore } from '../../../src/access/memory-access-store.js';
import { createMemoryAlertStore } from '../../../src/alerts/memory-alert-store.js';
import { createMemoryReceiptStore } from '../../../src/anchor/receipt-store.js';
import { LatencyWindow } from '../../../src/api/latency-window.js';
import { createMemoryAccessAudit } from '../../../src/audit/access-audit.js';
import { registerConsole } from '../../../src/console/console-routes.js';
import { createConsoleTap } from '../../../src/console/console-tap.js';
import { feedConsoleFromKafka } from '../../../src/console/kafka-feed.js';
import { loadPolicyDir } from '../../../src/policy/policy-loader.js';
import { goodArrivals, T0 } from '../../support/evidence-factory.js';
import { subjectId } from '../../support/evidence-factory.js';
import { testKafkaClient } from '../../support/kafka.js';
import { startPipeline, waitFor } from '../../support/pipeline.js';
import { shiftArrivals } from '../../support/reason-scenarios.js';

const SUPPORT = 'demo-support-key-0101-not-secret';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

void test('console (Kafka mode): the Subject page and Dead letters read back from the topics', async (t) => {
  const pipeline = await startPipeline(t, { partitions: 2, scorer: 'rules' });
  const worker = pipeline.startWorker();
  t.after(() => worker.stop());
  const scores = pipeline.collect(pipeline.topics.scores);
  const consented = subjectId();
  const other = subjectId();
  const delta = Date.now() - T0;
  const arrivals = shiftArrivals(goodArrivals(), delta, consented);
  const events = [arrivals.telecom, arrivals.location, arrivals.biometric, arrivals.registry].reduce(
    (n, list) => n + (list?.length ?? 0),
    0,
  );
  await pipeline.publish(arrivals);
  await pipeline.publish(shiftArrivals(goodArrivals(), delta, other));
  await pipeline.publishRaw('telecom', [{ key: 'not-a-record', value: Buffer.from('garbage') }]);

  // The console: its own server, its own Kafka client, fed from the topics only.
  const tap = createConsoleTap(pipeline.codec, pipeline.topics, Date.now);
  const client = testKafkaClient();
  const stopFeed = new AbortController();
  const feeding = feedConsoleFromKafka({
    client,
    topics: pipeline.topics,
    tap,
    groupId: pipeline.groupId,
    now: Date.now,
    signal: stopFeed.signal,
  });
  t.after(async () => {
    stopFeed.abort();
    await feeding;
  });
  const access = createMemoryAccessStore();
  await access.putRelationship(consented, 'desk-support', {
    kind: 'CONSENT',
    expiresAt: Date.now() + 600_000,
    purpose: SUPPORT_PURPOSE,
    tokenId: null,
  });
  const app = Fastify();
  registerConsole(app, {
    clients: loadClientsFile(DEMO_CLIENTS_FILE),
    access,
    store: pipeline.store,
    receipts: createMemoryReceiptStore(),
    ledgerFile: null,
    tap,
    send: () => Promise.reject(new Error('no requeue in this test')),
    codec: pipeline.codec,
    policies: loadPolicyDir(),
    alerts: createMemoryAlertStore(),
    delivery: { wake: () => undefined },
    registry: new Registry(),
    window: new LatencyWindow(),
    audit: pino({ level: 'silent' }),
    accessLog: createMemoryAccessAudit(),
    now: Date.now,
  });
  t.after(() => app.close());
  await app.ready();

  const signedIn = await app.inject({
    method: 'POST',
    url: '/console/login',
    headers: FORM,
    payload: `apiKey=${SUPPORT}&role=support`,
  });
  const cookie = String(signedIn.headers['set-cookie']).split(';')[0] ?? '';
  const open = (subject: string) =>
    app.inject({
      method: 'POST',
      url: '/console/subject',
      headers: { ...FORM, cookie },
      payload: `subjectId=${subject}&purpose=caller+asked+about+a+refusal`,
    });

  // Every event applied and its score emitted: the subject's scores on the topic are final once the
  // latest one is read; the console must then hold exactly those, read back from Kafka.
  await waitFor(async () => {
    const state = await pipeline.store.readState(consented);
    return state.version === events && state.emittedVersion === events;
  }, 'the worker to have scored every event of the subject');
  const latest = (await pipeline.store.readScore(consented))?.score.scoreId;
  assert.ok(latest);
  await scores.until(
    () => pipeline.scoresOf(scores, consented).some((s) => s.scoreId === latest),
    'the latest score on identity.scores',
  );
  await waitFor(
    () => tap.scores(consented).some((s) => s.scoreId === latest),
    'the console to have read the latest score from Kafka',
  );
  assert.deepEqual(
    tap.scores(consented).map((s) => s.scoreId),
    pipeline.scoresOf(scores, consented).map((s) => s.scoreId),
  );
  assert.equal((await open(consented)).statusCode, 303);
  const subjectPage = await app.inject({ url: '/console/subject', headers: { cookie } });
  assert.equal(subjectPage.statusCode, 200);
  const onTopic = pipeline.scoresOf(scores, consented);
  assert.equal((subjectPage.body.match(/class="score-row"/g) ?? []).length, onTopic.length);
  const last = onTopic.at(-1);
  assert.ok(last);
  for (const reason of last.reasons) assert.ok(subjectPage.body.includes(reason.code), reason.code);
  assert.ok(!subjectPage.body.includes(other), 'only the subject opened');
  // A subject scored on the topic but without consent reads as not found.
  await waitFor(() => tap.scores(other).length > 0, 'the other subject read');
  assert.equal((await open(other)).statusCode, 404);

  // The refused record reached signals.dlq through the worker, and the console read it from there.
  await waitFor(() => tap.letters().length > 0, 'the dead letter read from signals.dlq');
  const letters = await app.inject({ url: '/console/dead-letters', headers: { cookie } });
  assert.equal(letters.statusCode, 200);
  const letter = tap.letters()[0];
  assert.ok(letter);
  assert.equal(letter.topic, pipeline.topics.telecom);
  assert.ok(letters.body.includes(letter.id), letter.id);
  assert.ok(letters.body.includes(letter.reason), letter.reason);
});
