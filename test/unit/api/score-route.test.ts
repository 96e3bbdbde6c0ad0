import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DmidError } from '../../../src/errors.js';
import { decayScore, DEFAULT_HALF_LIVES_MS } from '../../../src/scoring/decay.js';
import { createModelScorer } from '../../../src/scoring/model/model-scorer.js';
import type { CachedScore } from '../../../src/state/state-store.js';
import { apiHarness, cacheScore } from '../../support/api-harness.js';
import { subjectId, T0 } from '../../support/evidence-factory.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The contract's IdentityScore fields, in order, and the one the API adds. */
const RESPONSE_FIELDS = [
  'scoreId',
  'subjectId',
  'computedAt',
  'confidence',
  'assuranceLevel',
  'dimensions',
  'reasons',
  'modelVersion',
  'triggerEventId',
  'scoredAt',
];

const scoreUrl = (id: string): string => `/v1/subjects/${id}/score`;

interface ScoreBody {
  scoreId: string;
  subjectId: string;
  computedAt: number;
  confidence: number;
  assuranceLevel: string;
  dimensions: { dimension: string; weight: number; evidenceAt: number | null }[];
  reasons: { code: string; impact: number; logOdds: number }[];
  scoredAt: number;
}

function isScoreBody(value: unknown): value is ScoreBody {
  return typeof value === 'object' && value !== null && 'confidence' in value && 'dimensions' in value;
}

function scoreBody(json: unknown): ScoreBody {
  assert.ok(isScoreBody(json), 'not a score body');
  return json;
}

void describe('GET /v1/subjects/:subjectId/score', () => {
  void test('returns the cached score decayed to now, in the contract field names', async (t) => {
    const api = apiHarness(t);
    // Scored by the default (additive) model, whose reasons carry non-zero logOdds.
    const stored = await cacheScore(api, T0, await createModelScorer());
    api.clock.now = T0 + 3 * DAY_MS;

    const response = await api.server.app.inject({ method: 'GET', url: scoreUrl(stored.subjectId) });

    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    assert.equal(response.headers['cache-control'], 'no-store');
    const json: unknown = response.json();
    assert.deepEqual(Object.keys(json ?? {}), RESPONSE_FIELDS);
    const body = scoreBody(json);
    const expected = decayScore(stored, api.clock.now, DEFAULT_HALF_LIVES_MS);
    assert.equal(body.scoreId, stored.scoreId);
    assert.equal(body.subjectId, stored.subjectId);
    assert.equal(body.computedAt, api.clock.now);
    assert.equal(body.scoredAt, stored.computedAt);
    assert.equal(body.confidence, expected.confidence);
    assert.equal(body.assuranceLevel, expected.assuranceLevel);
    assert.deepEqual(body.dimensions, expected.dimensions);
    assert.deepEqual(body.reasons, expected.reasons);
    // Each reason carries its log-odds contribution; the default (additive) model's are not all zero.
    assert.ok(body.reasons.length > 0);
    for (const reason of body.reasons) assert.equal(typeof reason.logOdds, 'number', reason.code);
    assert.ok(
      body.reasons.some((reason) => Math.abs(reason.logOdds) > 0.01),
      'some reason has logOdds',
    );
    // Three days is six location half-lives: the score has visibly aged.
    assert.ok(body.confidence < stored.confidence, `${body.confidence} < ${stored.confidence}`);
  });

  void test('a score read later has lower or equal confidence and weights, by decayScore', async (t) => {
    const api = apiHarness(t);
    const stored = await cacheScore(api);
    let previous: ScoreBody | undefined;
    for (const later of [0, HOUR_MS, 12 * HOUR_MS, 2 * DAY_MS, 20 * DAY_MS]) {
      api.clock.now = T0 + later;
      const response = await api.server.app.inject({ method: 'GET', url: scoreUrl(stored.subjectId) });
      const body = scoreBody(response.json());
      assert.equal(body.confidence, decayScore(stored, api.clock.now).confidence);
      if (previous !== undefined) {
        assert.ok(body.confidence <= previous.confidence, `confidence rose after ${later} ms`);
        body.dimensions.forEach((d, i) => assert.ok(d.weight <= (previous?.dimensions[i]?.weight ?? 1)));
      }
      previous = body;
    }
  });

  void test('read at the time it was computed, the score is as stored', async (t) => {
    const api = apiHarness(t);
    const stored = await cacheScore(api);
    const response = await api.server.app.inject({ method: 'GET', url: scoreUrl(stored.subjectId) });
    const body = scoreBody(response.json());
    assert.equal(body.confidence, stored.confidence);
    assert.equal(body.computedAt, stored.computedAt);
  });

  void test('404 SUBJECT_NOT_FOUND for an unknown subject', async (t) => {
    const api = apiHarness(t);
    const unknown = subjectId();
    const response = await api.server.app.inject({ method: 'GET', url: scoreUrl(unknown) });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json<{ error: { code: string } }>().error.code, 'SUBJECT_NOT_FOUND');
    assert.ok(!response.body.includes(unknown));
  });

  void test('404 SUBJECT_NOT_FOUND once the cached score has expired', async (t) => {
    const api = apiHarness(t, { scoreTtlSeconds: 60 });
    const stored = await cacheScore(api);
    api.clock.now = T0 + 59_000;
    const fresh = await api.server.app.inject({ method: 'GET', url: scoreUrl(stored.subjectId) });
    assert.equal(fresh.statusCode, 200);
    api.clock.now = T0 + 61_000;
    const expired = await api.server.app.inject({ method: 'GET', url: scoreUrl(stored.subjectId) });
    assert.equal(expired.statusCode, 404);
    assert.equal(expired.json<{ error: { code: string } }>().error.code, 'SUBJECT_NOT_FOUND');
  });
});

void describe('subject ids that are not pseudonyms', () => {
  const malformed = [
    'abc',
    'abcdefghijklmnopqrstuvwxyz2345670',
    'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567',
    'abcdefghijklmnopqrstuvwxyz234560',
    'abcdefghijklmnop-rstuvwxyz234567',
    'a'.repeat(300),
  ];
  const rawIdentifiers = [
    '11010519491231002X',
    '110105194912310021',
    '13800138000',
    '+86 138 0013 8000',
    'someone@example.com',
    'abcdefghijklmn13800138000stuvwx',
  ];

  for (const [kind, ids] of [
    ['malformed', malformed],
    ['raw identifier', rawIdentifiers],
  ] as const) {
    void test(`400 SUBJECT_ID_MALFORMED for a ${kind}, never echoed or logged`, async (t) => {
      const api = apiHarness(t);
      for (const id of ids) {
        const response = await api.server.app.inject({
          method: 'GET',
          url: scoreUrl(encodeURIComponent(id)),
        });
        assert.equal(response.statusCode, 400, id);
        const body = response.json<{ error: { code: string; message: string } }>();
        assert.deepEqual(Object.keys(body.error), ['code', 'message']);
        assert.equal(body.error.code, 'SUBJECT_ID_MALFORMED');
        assert.ok(!response.body.includes(id), `the body echoes ${id}`);
        assert.ok(!response.body.includes(encodeURIComponent(id)));
        assert.ok(!api.logText().includes(id), `a log line holds ${id}`);
      }
    });
  }

  void test('raw identifiers are counted apart from malformed ids, and logged without the value', async (t) => {
    const api = apiHarness(t);
    await api.server.app.inject({ method: 'GET', url: scoreUrl('13800138000') });
    await api.server.app.inject({ method: 'GET', url: scoreUrl('abc') });
    const text = await api.metrics.registry.metrics();
    assert.match(text, /dmid_http_subject_ids_refused_total\{reason="PII_IN_SUBJECT_ID"\} 1/);
    assert.match(text, /dmid_http_subject_ids_refused_total\{reason="SUBJECT_ID_MALFORMED"\} 1/);
    assert.ok(api.logs().some((line) => String(line.msg).includes('raw identifier')));
  });

  void test('400 QUERY_PARAMETER_UNKNOWN for any query parameter, without echoing it', async (t) => {
    const api = apiHarness(t);
    const stored = await cacheScore(api);
    const response = await api.server.app.inject({
      method: 'GET',
      url: `${scoreUrl(stored.subjectId)}?atTime=123&secretName=x`,
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json<{ error: { code: string } }>().error.code, 'QUERY_PARAMETER_UNKNOWN');
    assert.ok(!response.body.includes('atTime') && !response.body.includes('secretName'));
  });
});

void describe('store failures', () => {
  void test('503 STORE_UNAVAILABLE with Retry-After when the store rejects with a retriable error', async (t) => {
    const api = apiHarness(t);
    const stored = await cacheScore(api);
    // A closed in-memory store rejects every call with DMID_REDIS_UNAVAILABLE, as Redis does when down.
    await api.store.close();
    const response = await api.server.app.inject({ method: 'GET', url: scoreUrl(stored.subjectId) });
    assert.equal(response.statusCode, 503);
    assert.equal(response.headers['retry-after'], '1');
    assert.deepEqual(response.json(), {
      error: { code: 'STORE_UNAVAILABLE', message: 'the score store is unavailable; retry later' },
    });
  });

  void test('503 STORE_UNAVAILABLE when the store does not answer in time', async (t) => {
    const hanging = { readScore: () => new Promise<CachedScore | null>(() => undefined) };
    const api = apiHarness(t, { store: hanging, storeTimeoutMs: 20 });
    const response = await api.server.app.inject({ method: 'GET', url: scoreUrl(subjectId()) });
    assert.equal(response.statusCode, 503);
    assert.equal(response.json<{ error: { code: string } }>().error.code, 'STORE_UNAVAILABLE');
  });

  void test('500 INTERNAL_ERROR, with nothing internal in the body, for a non-retriable failure', async (t) => {
    const secret = 'dmid:{abcdefghijklmnopqrstuvwxyz234567}:score';
    const broken = {
      readScore: () => Promise.reject(new DmidError('DMID_CONFIG_INVALID', `bad key ${secret}`)),
    };
    const api = apiHarness(t, { store: broken });
    const response = await api.server.app.inject({ method: 'GET', url: scoreUrl(subjectId()) });
    assert.equal(response.statusCode, 500);
    assert.deepEqual(response.json(), { error: { code: 'INTERNAL_ERROR', message: 'internal error' } });
    assert.ok(!response.body.includes('stack') && !response.body.includes(secret));
  });
});
