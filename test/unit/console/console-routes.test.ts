/**
 * The console's rules without a browser (fastify inject over the real in-memory stores): escaping, the
 * Content-Security-Policy on every answer, sign-in only for an operator's own roles, pages refused by
 * role as "not found", cross-site POSTs refused, a purpose required and logged, requeue at most once,
 * and the tap's bounds.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
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
import { createCodec } from '../../../src/codec/codec.js';
import { topicNames } from '../../../src/config.js';
import type { TopicRecords } from '../../../src/ingest/transport.js';
import { createMemoryTransport } from '../../../src/ingest/memory-transport.js';
import { loadPolicyDir } from '../../../src/policy/policy-loader.js';
import { createMemoryStore } from '../../../src/state/memory-store.js';
import { CONTENT_SECURITY_POLICY, registerConsole } from '../../../src/console/console-routes.js';
import { createConsoleTap, MAX_LETTERS, SCORES_PER_SUBJECT } from '../../../src/console/console-tap.js';
import { createMemoryAccessAudit } from '../../../src/audit/access-audit.js';
import { html } from '../../../src/console/html.js';
import { SAMPLES } from '../codec/sample-records.js';

const sampleScore = () => SAMPLES.score;
import { subjectId } from '../../support/evidence-factory.js';

const SUPPORT = 'demo-support-key-0101-not-secret';
const AUDITOR = 'demo-auditor-key-0102-not-secret';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function setup() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const codec = createCodec();
  const topics = topicNames('');
  const tap = createConsoleTap(codec, topics, Date.now);
  const access = createMemoryAccessStore();
  const accessLog = createMemoryAccessAudit();
  const sent: TopicRecords[] = [];
  const app = Fastify();
  registerConsole(app, {
    clients: loadClientsFile(DEMO_CLIENTS_FILE),
    access,
    store: createMemoryStore(),
    receipts: createMemoryReceiptStore(),
    ledgerFile: null,
    tap,
    send: (batches) => {
      sent.push(...batches);
      return Promise.resolve();
    },
    codec,
    policies: loadPolicyDir(),
    alerts: createMemoryAlertStore(),
    delivery: { wake: () => undefined },
    registry: new Registry(),
    window: new LatencyWindow(),
    audit: pino(sink),
    accessLog,
    now: Date.now,
  });
  await app.ready();
  const signIn = async (key: string, role: string): Promise<string | null> => {
    const r = await app.inject({
      method: 'POST',
      url: '/console/login',
      headers: FORM,
      payload: `apiKey=${key}&role=${role}`,
    });
    const cookie = r.headers['set-cookie'];
    return r.statusCode === 303 && typeof cookie === 'string' ? (cookie.split(';')[0] ?? null) : null;
  };
  return { app, tap, access, accessLog, sent, lines, signIn, codec, topics };
}

void test('html escapes every interpolated value and keeps rendered fragments', () => {
  const evil = `<script>alert("x")</script>&'`;
  assert.equal(
    html`<p title="${evil}">${evil}${html`<b>ok</b>`}${null}${[1, '<i>']}</p>`.text,
    '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;<b>ok</b>1&lt;i&gt;</p>',
  );
});

void test('console-sign-in: only an operator key, only in one of its roles; every answer carries the CSP', async (t) => {
  const { app, signIn } = await setup();
  t.after(() => app.close());
  const anonymous = await app.inject({ url: '/console/subject' });
  assert.equal(anonymous.statusCode, 303);
  assert.equal(anonymous.headers.location, '/console/login');
  assert.equal(anonymous.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
  assert.equal(
    await signIn('demo-pension-key-0003-not-secret', 'support'),
    null,
    'a relying party is no operator',
  );
  assert.equal(await signIn(SUPPORT, 'auditor'), null, 'support has no auditor role');
  assert.notEqual(await signIn(SUPPORT, 'support'), null);
  const asset = await app.inject({ url: '/console/assets/htmx.min.js' });
  assert.equal(asset.statusCode, 200);
  assert.match(String(asset.headers['content-type']), /javascript/);
});

void test('console-roles: an auditor cannot open a subject or run a backtest; a cross-site POST is refused', async (t) => {
  const { app, signIn, access } = await setup();
  t.after(() => app.close());
  const cookie = await signIn(AUDITOR, 'auditor');
  assert.ok(cookie);
  const s = subjectId();
  await access.putRelationship(s, 'regulator-auditor', {
    kind: 'CONSENT',
    expiresAt: Date.now() + 60_000,
    purpose: null,
    tokenId: null,
  });
  const subject = await app.inject({
    method: 'POST',
    url: '/console/subject',
    headers: { ...FORM, cookie },
    payload: `subjectId=${s}&purpose=audit+of+a+complaint`,
  });
  assert.equal(subject.statusCode, 404);
  assert.equal((await app.inject({ url: '/console/policies', headers: { cookie } })).statusCode, 200);
  const backtest = await app.inject({
    method: 'POST',
    url: '/console/policies/backtest',
    headers: { ...FORM, cookie },
    payload: 'draft=x',
  });
  assert.equal(backtest.statusCode, 404);
  const crossSite = await app.inject({
    method: 'POST',
    url: '/console/logout',
    headers: { ...FORM, cookie, 'sec-fetch-site': 'cross-site' },
    payload: '',
  });
  assert.equal(crossSite.statusCode, 403);
});

void test('console-purpose: a subject view needs a purpose, and every attempt is in the audit log without the subject id', async (t) => {
  const { app, signIn, tap, access, accessLog, lines, codec, topics } = await setup();
  t.after(() => app.close());
  const cookie = await signIn(SUPPORT, 'support');
  assert.ok(cookie);
  const score = { ...sampleScore(), subjectId: subjectId() };
  const wrapped = tap.transport(createMemoryTransport({ partitions: 1 }));
  await wrapped.send([
    { topic: topics.scores, records: [{ key: score.subjectId, value: codec.encode('score', score) }] },
  ]);
  await access.putRelationship(score.subjectId, 'desk-support', {
    kind: 'CONSENT',
    expiresAt: Date.now() + 60_000,
    purpose: SUPPORT_PURPOSE,
    tokenId: null,
  });
  const open = (purpose: string) =>
    app.inject({
      method: 'POST',
      url: '/console/subject',
      headers: { ...FORM, cookie },
      payload: `subjectId=${score.subjectId}&purpose=${purpose}`,
    });
  assert.equal((await open('why')).statusCode, 400);
  const granted = await open('caller+asked+about+a+refusal');
  assert.equal(granted.statusCode, 303);
  const page = await app.inject({ url: '/console/subject', headers: { cookie } });
  assert.match(page.body, new RegExp(score.subjectId));
  assert.equal((page.body.match(/class="score-row"/g) ?? []).length, 1);
  const views = lines.filter((l) => l.audit === 'console-subject-view');
  assert.deepEqual(
    views.map((v) => [v.outcome, v.purpose ?? null]),
    [
      ['purpose-missing', null],
      ['granted', 'caller asked about a refusal'],
    ],
  );
  assert.ok(!JSON.stringify(lines).includes(score.subjectId), 'no subject id in the audit log');
  const logged = await accessLog.read(score.subjectId);
  assert.deepEqual(
    logged.map((r) => [r.action, r.party, r.purpose, r.outcome]),
    [['CONSOLE_VIEW', 'desk-support', 'caller asked about a refusal', 'SERVED']],
    'the granted view is in the subject access log',
  );
});

void test('console-support-purpose: support sees a subject only under a live console.support relationship', async (t) => {
  const { app, signIn, tap, access, lines, codec, topics } = await setup();
  t.after(() => app.close());
  const cookie = await signIn(SUPPORT, 'support');
  assert.ok(cookie);
  const score = { ...sampleScore(), subjectId: subjectId() };
  await tap
    .transport(createMemoryTransport({ partitions: 1 }))
    .send([
      { topic: topics.scores, records: [{ key: score.subjectId, value: codec.encode('score', score) }] },
    ]);
  const relate = (purpose: string | null, expiresAt: number) =>
    access.putRelationship(score.subjectId, 'desk-support', {
      kind: 'CONSENT',
      expiresAt,
      purpose,
      tokenId: null,
    });
  const open = () =>
    app.inject({
      method: 'POST',
      url: '/console/subject',
      headers: { ...FORM, cookie },
      payload: `subjectId=${score.subjectId}&purpose=caller+asked+about+a+refusal`,
    });
  const unknown = await app.inject({
    method: 'POST',
    url: '/console/subject',
    headers: { ...FORM, cookie },
    payload: `subjectId=${subjectId()}&purpose=caller+asked+about+a+refusal`,
  });
  assert.equal(unknown.statusCode, 404);
  const outcomes: number[] = [];
  await relate(null, Date.now() + 60_000); // stored before purposes existed
  outcomes.push((await open()).statusCode);
  await relate('pension-eligibility', Date.now() + 60_000); // consent to a policy, not to the desk
  outcomes.push((await open()).statusCode);
  await relate(SUPPORT_PURPOSE, Date.now() - 1); // expired
  outcomes.push((await open()).statusCode);
  await relate(SUPPORT_PURPOSE, Date.now() + 60_000);
  outcomes.push((await open()).statusCode);
  assert.deepEqual(outcomes, [404, 404, 404, 303]);
  await relate('pension-eligibility', Date.now() + 60_000);
  const wrongPurpose = await open();
  assert.equal(wrongPurpose.body, unknown.body, 'a wrong purpose reads exactly like an unknown subject');
  assert.deepEqual(
    lines.filter((l) => l.audit === 'console-subject-view').map((l) => l.outcome),
    ['not-found', 'not-found', 'not-found', 'not-found', 'granted', 'not-found'],
  );
});

void test('console-requeue-once: a dead letter is produced back to its topic once, however often requeue is clicked', async (t) => {
  const { app, signIn, tap, sent, topics } = await setup();
  t.after(() => app.close());
  const cookie = await signIn(SUPPORT, 'support');
  assert.ok(cookie);
  const wrapped = tap.transport(createMemoryTransport({ partitions: 1 }));
  const headers = {
    'dlq.reason': 'OBSERVED_AT_IN_FUTURE',
    'dlq.topic': topics.telecom,
    'dlq.partition': '3',
    'dlq.offset': '42',
  };
  await wrapped.send([
    { topic: topics.dlq, records: [{ key: 'k', value: Buffer.from([1, 2, 3]), headers }] },
  ]);
  const requeue = () =>
    app.inject({
      method: 'POST',
      url: '/console/dead-letters/requeue',
      headers: { ...FORM, cookie },
      payload: `id=${encodeURIComponent(`${topics.telecom}:3:42`)}`,
    });
  assert.equal((await requeue()).statusCode, 200);
  assert.equal((await requeue()).statusCode, 200);
  assert.equal(sent.length, 1);
  assert.equal(sent[0]?.topic, topics.telecom);
  assert.equal(sent[0]?.records[0]?.headers?.['dlq.requeued-from'], `${topics.telecom}:3:42`);
  assert.deepEqual(sent[0]?.records[0]?.value, Buffer.from([1, 2, 3]));
});

void test('console-tap-bounded: at most SCORES_PER_SUBJECT scores a subject and MAX_LETTERS letters are kept', async () => {
  const codec = createCodec();
  const topics = topicNames('');
  const tap = createConsoleTap(codec, topics, Date.now);
  const wrapped = tap.transport(createMemoryTransport({ partitions: 1 }));
  const s = subjectId();
  const scores = Array.from({ length: SCORES_PER_SUBJECT + 5 }, (_, i) => ({
    ...sampleScore(),
    subjectId: s,
    computedAt: 1_000 + i,
  }));
  await wrapped.send([
    { topic: topics.scores, records: scores.map((v) => ({ key: s, value: codec.encode('score', v) })) },
  ]);
  const kept = tap.scores(s);
  assert.equal(kept.length, SCORES_PER_SUBJECT);
  assert.equal(kept[0]?.computedAt, 1_005);
  const letters = Array.from({ length: MAX_LETTERS + 3 }, (_, i) => ({
    key: null,
    value: null,
    headers: {
      'dlq.reason': 'PII_IN_FIELD',
      'dlq.topic': topics.telecom,
      'dlq.partition': '0',
      'dlq.offset': String(i),
    },
  }));
  await wrapped.send([{ topic: topics.dlq, records: letters }]);
  assert.equal(tap.letters().length, MAX_LETTERS);
  assert.equal(tap.letterCounts().total, MAX_LETTERS + 3);
});
