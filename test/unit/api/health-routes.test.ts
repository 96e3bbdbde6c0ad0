import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readinessOf, type ReadinessReport } from '../../../src/api/readiness.js';
import { apiHarness, cacheScore } from '../../support/api-harness.js';
import { subjectId } from '../../support/evidence-factory.js';

void describe('GET /healthz', () => {
  void test('200 whatever the dependencies say: liveness needs none', async (t) => {
    const api = apiHarness(t);
    api.setReadiness(() => readinessOf({ redis: { ok: false, detail: 'unreachable' } }));
    await api.store.close();
    const response = await api.server.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'ok' });
  });
});

void describe('GET /readyz', () => {
  void test('200 with the checks when everything is ok', async (t) => {
    const api = apiHarness(t);
    const response = await api.server.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), {
      ready: true,
      checks: { kafka: { ok: true }, redis: { ok: true }, consumption: { ok: true } },
    });
  });

  const notReady: [string, ReadinessReport][] = [
    ['Kafka is unreachable', readinessOf({ kafka: { ok: false, detail: 'broker unreachable' } })],
    ['Redis is unreachable', readinessOf({ kafka: { ok: true }, redis: { ok: false } })],
    ['consumption is paused', readinessOf({ consumption: { ok: false, detail: 'paused' } })],
    ['the report says not ready', { ready: false, checks: {} }],
    ['a check fails although the report says ready', { ready: true, checks: { redis: { ok: false } } }],
  ];
  for (const [why, report] of notReady) {
    void test(`503 when ${why}`, async (t) => {
      const api = apiHarness(t);
      api.setReadiness(() => report);
      const response = await api.server.app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(response.statusCode, 503);
      const body = response.json<ReadinessReport>();
      assert.equal(body.ready, false);
      assert.deepEqual(body.checks, report.checks);
    });
  }

  void test('503 when readiness throws or hangs, without its error in the body', async (t) => {
    const api = apiHarness(t, { readinessTimeoutMs: 20 });
    api.setReadiness(() => {
      throw new Error('ECONNREFUSED 10.0.0.7:6379');
    });
    const thrown = await api.server.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(thrown.statusCode, 503);
    assert.ok(!thrown.body.includes('10.0.0.7'));
    api.setReadiness(() => new Promise<ReadinessReport>(() => undefined));
    const hung = await api.server.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(hung.statusCode, 503);
    assert.deepEqual(hung.json(), {
      ready: false,
      checks: { readiness: { ok: false, detail: 'readiness check failed' } },
    });
  });

  void test('an async readiness is awaited; a change of readiness is logged once', async (t) => {
    const api = apiHarness(t);
    api.setReadiness(() => Promise.resolve(readinessOf({ kafka: { ok: false } })));
    assert.equal((await api.server.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503);
    assert.equal((await api.server.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503);
    api.setReadiness(() => Promise.resolve(readinessOf({ kafka: { ok: true } })));
    assert.equal((await api.server.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    const messages = api.logs().map((line) => line.msg);
    assert.deepEqual(
      messages.filter((m) => m === 'ready' || m === 'not ready'),
      ['not ready', 'ready'],
    );
  });
});

void describe('server behaviour common to all routes', () => {
  void test('unknown routes get 404 ROUTE_NOT_FOUND without the path echoed', async (t) => {
    const api = apiHarness(t);
    const id = subjectId();
    const response = await api.server.app.inject({ method: 'GET', url: `/v1/subjects/${id}` });
    assert.equal(response.statusCode, 404);
    assert.deepEqual(response.json(), { error: { code: 'ROUTE_NOT_FOUND', message: 'no such route' } });
    assert.ok(!response.body.includes(id));
  });

  void test('a URL that does not decode gets 400 BAD_REQUEST without the path echoed', async (t) => {
    const api = apiHarness(t);
    const response = await api.server.app.inject({ method: 'GET', url: '/v1/subjects/13800%E0%A4%A/score' });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json<{ error: { code: string } }>().error.code, 'BAD_REQUEST');
    assert.ok(!response.body.includes('13800'));
  });

  void test('request ids: a safe one is kept, an unsafe one replaced; both answered in x-request-id', async (t) => {
    const api = apiHarness(t);
    const kept = await api.server.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'lb-7f3a-0042' },
    });
    assert.equal(kept.headers['x-request-id'], 'lb-7f3a-0042');
    for (const unsafe of [subjectId(), '13800138000', 'a b', 'x'.repeat(65)]) {
      const response = await api.server.app.inject({
        method: 'GET',
        url: '/healthz',
        headers: { 'x-request-id': unsafe },
      });
      assert.match(String(response.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    }
  });

  void test('requests are logged by route pattern and request id, never by URL or subject id', async (t) => {
    const api = apiHarness(t);
    const stored = await cacheScore(api);
    const unknown = subjectId();
    await api.server.app.inject({ method: 'GET', url: `/v1/subjects/${stored.subjectId}/score` });
    await api.server.app.inject({ method: 'GET', url: `/v1/subjects/${unknown}/score` });
    await api.server.app.inject({ method: 'GET', url: '/healthz' });
    await api.server.app.inject({ method: 'GET', url: '/metrics' });
    const requests = api.logs().filter((line) => line.msg === 'request');
    assert.deepEqual(
      requests.map((line) => [line.route, line.statusCode]),
      [
        ['/v1/subjects/:subjectId/score', 200],
        ['/v1/subjects/:subjectId/score', 404],
      ],
    );
    assert.ok(requests.every((line) => typeof line.reqId === 'string'));
    assert.ok(!api.logText().includes(stored.subjectId) && !api.logText().includes(unknown));
  });
});
