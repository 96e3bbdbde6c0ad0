import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { createMetrics, type DmidMetrics } from '../../../src/api/metrics.js';
import { apiHarness, cacheScore } from '../../support/api-harness.js';
import { subjectId, T0 } from '../../support/evidence-factory.js';

const PIPELINE_METRICS = [
  'dmid_events_consumed_total',
  'dmid_events_dead_lettered_total',
  'dmid_scores_emitted_total',
  'dmid_state_epoch_changed',
  'dmid_observed_to_score_seconds',
  'dmid_ingest_to_score_seconds',
  'dmid_batch_size_events',
  'dmid_batch_stage_seconds',
  'dmid_consumer_lag',
  'dmid_consumption_paused',
  'dmid_http_requests_total',
  'dmid_http_request_duration_seconds',
  'dmid_http_subject_ids_refused_total',
  'dmid_metric_labels_refused_total',
  'dmid_ready',
  'dmid_readiness_check',
];

/** What a worker does for one batch of `subject`'s events. */
function feedBatch(metrics: DmidMetrics, subject: string): void {
  metrics.eventsConsumed.inc('signals.telecom', 3);
  metrics.eventsConsumed.inc('signals.location');
  metrics.eventsDeadLettered.inc('PII_IN_SUBJECT_ID');
  metrics.batchSize.observe(4);
  metrics.batchStageTime.observe('redis', 0.002);
  metrics.batchStageTime.observe('scoring', 0.0001);
  metrics.scoresEmitted.inc('SUBSTANTIAL');
  metrics.observedToScore.observeBetween(T0 - 40, T0);
  metrics.ingestToScore.observeBetween(T0 - 12, T0);
  metrics.consumerLag.set('signals.telecom', 0, 17);
  metrics.consumptionPaused.set(true);
  // What a careless caller might do: a subject id where a topic or a partition belongs.
  metrics.eventsConsumed.inc(subject);
  metrics.consumerLag.set(subject, 3, 5);
  metrics.consumerLag.set('signals.telecom', Number.NaN, 5);
}

/** The value of the series `name{labels}` in the text format, or undefined. */
function valueOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

void describe('createMetrics', () => {
  void test('/metrics lists every pipeline metric and no subject id after scoring activity', async (t) => {
    const api = apiHarness(t);
    const stored = await cacheScore(api);
    const subject = subjectId();
    feedBatch(api.metrics, subject);
    await api.server.app.inject({ method: 'GET', url: `/v1/subjects/${stored.subjectId}/score` });
    await api.server.app.inject({ method: 'GET', url: `/v1/subjects/13800138000/score` });

    const response = await api.server.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const text = response.body;
    for (const name of PIPELINE_METRICS) assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    for (const secret of [subject, stored.subjectId, '13800138000']) assert.ok(!text.includes(secret));
    assert.equal(valueOf(text, 'dmid_events_consumed_total{topic="signals.telecom"}'), 3);
    assert.equal(valueOf(text, 'dmid_events_consumed_total{topic="invalid"}'), 1);
    assert.equal(valueOf(text, 'dmid_consumer_lag{topic="signals.telecom",partition="0"}'), 17);
    assert.equal(valueOf(text, 'dmid_consumption_paused'), 1);
    assert.equal(valueOf(text, 'dmid_scores_emitted_total{assurance_level="SUBSTANTIAL"}'), 1);
    assert.equal(valueOf(text, 'dmid_scores_emitted_total{assurance_level="HIGH"}'), 0);
    // The harness's readiness, recorded by the scrape itself.
    assert.equal(valueOf(text, 'dmid_ready'), 1);
    assert.equal(valueOf(text, 'dmid_observed_to_score_seconds_bucket{le="0.05"}'), 1);
    assert.equal(valueOf(text, 'dmid_observed_to_score_seconds_bucket{le="0.025"}'), 0);
    assert.equal(valueOf(text, 'dmid_metric_labels_refused_total{metric="dmid_consumer_lag"}'), 2);
  });

  void test('every metric is dmid_-prefixed, apart from the standard Node.js default metrics', async () => {
    const metrics = createMetrics(new Registry());
    const names = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name);
    assert.ok(names.some((n) => n.startsWith('process_')) && names.some((n) => n.startsWith('nodejs_')));
    for (const name of names) assert.match(name, /^(dmid|process|nodejs)_[a-z0-9_]+$/);
    // prom-client's gauges with a counter's suffix, which promtool rejects, are gone.
    assert.ok(!names.some((n) => n.startsWith('nodejs_active_') && n.endsWith('_total')));
    assert.ok(names.includes('nodejs_active_handles'));
    const dmid = names.filter((n) => n.startsWith('dmid_'));
    assert.deepEqual([...dmid].sort(), [...PIPELINE_METRICS].sort());
  });

  void test('labels come only from closed sets or bounded topic and partition values', async () => {
    const metrics = createMetrics(new Registry(), { defaultMetrics: false });
    for (let i = 0; i < 100; i++) metrics.eventsConsumed.inc(`topic-${i}`);
    metrics.eventsConsumed.inc('someone@example.com');
    metrics.eventsConsumed.inc('a'.repeat(300));
    for (let p = 0; p < 3; p++) metrics.consumerLag.set('signals.registry', p, p);
    metrics.consumerLag.remove('signals.registry', 1);
    metrics.httpRequests.observe('/v1/subjects/abcdefghijklmnopqrstuvwxyz234567/score', 'BREW', 999, 0.1);
    const json = await metrics.registry.getMetricsAsJSON();
    const labels = (name: string, label: string): string[] =>
      (json.find((m) => m.name === name)?.values ?? []).map((v) => String(v.labels[label]));
    const topics = labels('dmid_events_consumed_total', 'topic');
    assert.equal(new Set(topics).size, 64 + 2, 'at most 64 topics, then "other"; refused ones "invalid"');
    assert.ok(topics.includes('other') && topics.includes('invalid'));
    assert.ok(!topics.some((x) => x.includes('@')));
    assert.deepEqual(labels('dmid_consumer_lag', 'partition'), ['0', '2']);
    assert.deepEqual(labels('dmid_http_requests_total', 'method'), ['OTHER']);
    assert.deepEqual(labels('dmid_http_requests_total', 'status_code'), ['invalid']);
    assert.ok(!labels('dmid_http_requests_total', 'route')[0]?.includes('abcdefgh'));
  });

  void test('dead-letter reasons start at 0; bad observations are dropped, not thrown', async () => {
    const metrics = createMetrics(new Registry(), { defaultMetrics: false, topics: ['signals.biometric'] });
    metrics.scoresEmitted.inc('LOW', -1);
    metrics.scoresEmitted.inc('LOW', Number.NaN);
    metrics.batchSize.observe(Number.POSITIVE_INFINITY);
    metrics.observedToScore.observeBetween(T0 + 5_000, T0);
    metrics.consumerLag.set('signals.telecom', 0, Number.NaN);
    const text = await metrics.registry.metrics();
    assert.equal(valueOf(text, 'dmid_events_dead_lettered_total{reason="DECODE_BAD_MAGIC"}'), 0);
    assert.equal(valueOf(text, 'dmid_events_consumed_total{topic="signals.biometric"}'), 0);
    assert.equal(valueOf(text, 'dmid_scores_emitted_total{assurance_level="LOW"}'), 0);
    assert.equal(valueOf(text, 'dmid_batch_size_events_count'), 0);
    // Clock skew (observedAt after the score) counts as 0 s, in the lowest bucket.
    assert.equal(valueOf(text, 'dmid_observed_to_score_seconds_bucket{le="0.001"}'), 1);
    assert.equal(valueOf(text, 'dmid_consumer_lag{topic="signals.telecom",partition="0"}'), undefined);
  });
});
