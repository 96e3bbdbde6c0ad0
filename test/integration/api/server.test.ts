import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readinessOf } from '../../../src/api/readiness.js';
import { apiHarness, cacheScore } from '../../support/api-harness.js';
import { subjectId } from '../../support/evidence-factory.js';

const TEST_TIMEOUT = { timeout: 30_000 };

void describe('score API over loopback (real sockets)', () => {
  void test('listens on 127.0.0.1 and answers every route', TEST_TIMEOUT, async (t) => {
    const api = apiHarness(t);
    const stored = await cacheScore(api);
    api.metrics.eventsConsumed.inc('signals.telecom');
    const { url } = await api.server.listen('127.0.0.1', 0);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);

    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });

    const ready = await fetch(`${url}/readyz`);
    assert.equal(ready.status, 200);
    api.setReadiness(() => readinessOf({ consumption: { ok: false, detail: 'paused' } }));
    assert.equal((await fetch(`${url}/readyz`)).status, 503);

    const score = await fetch(`${url}/v1/subjects/${stored.subjectId}/score`);
    assert.equal(score.status, 200);
    assert.equal(score.headers.get('cache-control'), 'no-store');
    assert.match(score.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    const body: unknown = await score.json();
    assert.ok(typeof body === 'object' && body !== null && 'scoreId' in body);
    assert.equal(body.scoreId, stored.scoreId);

    const unknown = await fetch(`${url}/v1/subjects/${subjectId()}/score`);
    assert.equal(unknown.status, 404);
    const raw = await fetch(`${url}/v1/subjects/11010519491231002X/score`);
    assert.equal(raw.status, 400);
    assert.ok(!(await raw.text()).includes('11010519491231002X'));

    const metrics = await fetch(`${url}/metrics`);
    assert.equal(metrics.status, 200);
    const text = await metrics.text();
    assert.match(text, /dmid_events_consumed_total\{topic="signals.telecom"\} 1/);
    assert.ok(!text.includes(stored.subjectId));
  });
});
