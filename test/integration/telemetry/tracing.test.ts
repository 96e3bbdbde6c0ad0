/**
 * Traces across the pipeline, on the real broker and Redis, exported over real OTLP/HTTP to a receiver on
 * loopback: a signal's W3C traceparent continues into the unit span and its score record, every other
 * producer context is linked, Redis steps and scoring are child spans, HTTP spans are named by route
 * template, and no exported byte holds a subject id.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { pino } from 'pino';
import { createMetrics } from '../../../src/api/metrics.js';
import { SCORE_ROUTE } from '../../../src/api/routes/score-route.js';
import { createApiServer } from '../../../src/api/server.js';
import type { SignalKind } from '../../../src/codec/types.js';
import type { ConsumedRecord } from '../../../src/ingest/kafka-client.js';
import { DEFAULT_HALF_LIVES_MS } from '../../../src/scoring/decay.js';
import { pipelineTracing } from '../../../src/telemetry/pipeline-tracing.js';
import { startTracing, tracingConfigFromEnv } from '../../../src/telemetry/tracing.js';
import { goodArrivals, subjectId, T0, type Arrivals } from '../../support/evidence-factory.js';
import { startOtlpReceiver, type OtlpSpan } from '../../support/otlp-receiver.js';
import { NO_METRICS, startPipeline, waitFor, type TestPipeline } from '../../support/pipeline.js';
import { shiftArrivals } from '../../support/reason-scenarios.js';

const KINDS: readonly SignalKind[] = ['telecom', 'location', 'biometric', 'registry'];

/** A producer's span context: a fresh trace id and span id, sampled. */
function producerContext(): { traceId: string; spanId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

/** Publishes every signal of `arrivals`, each record with the traceparent `pick` gives for its index. */
async function publishTraced(
  pipeline: TestPipeline,
  arrivals: Arrivals,
  pick: (index: number) => string,
): Promise<number> {
  let index = 0;
  for (const kind of KINDS) {
    const records = (arrivals[kind] ?? []).map((signal) => ({
      key: signal.subjectId,
      value: pipeline.codec.encode(kind, signal),
      headers: { traceparent: pick(index++) },
    }));
    if (records.length > 0) await pipeline.publishRaw(kind, records);
  }
  return index;
}

function parsedTraceparent(record: ConsumedRecord): { traceId: string; spanId: string } {
  const value = record.headers.traceparent;
  assert.ok(value !== undefined, 'score record without traceparent');
  const [version, traceId, spanId, flags] = value.split('-');
  assert.equal(version, '00');
  assert.equal(flags, '01');
  assert.ok(traceId !== undefined && spanId !== undefined);
  return { traceId, spanId };
}

async function settled(pipeline: TestPipeline, subject: string, events: number): Promise<void> {
  await waitFor(async () => {
    const state = await pipeline.store.readState(subject);
    return state.version === events && state.emittedVersion === events;
  }, `${events} events applied and emitted`);
}

void test('a signal traceparent continues into the unit span and the score; others are linked; nothing names a subject', async (t) => {
  const receiver = await startOtlpReceiver();
  const config = tracingConfigFromEnv({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_SERVICE_NAME: 'dmid-test',
  });
  assert.equal(config.tracesUrl, `${receiver.url}/v1/traces`);
  const tracing = startTracing(config);
  // In this order: the last spans are exported while the receiver still listens.
  t.after(async () => {
    await tracing.shutdown();
    await receiver.close();
  });
  const pipeline = await startPipeline(t, { partitions: 1, scorer: 'rules' });
  const scores = pipeline.collect(pipeline.topics.scores);
  pipeline.startWorker(NO_METRICS, pipelineTracing(tracing));
  const delta = Date.now() - T0;

  // Subject A: every record carries the same producer context P1.
  const a = subjectId();
  const p1 = producerContext();
  const eventsA = await publishTraced(
    pipeline,
    shiftArrivals(goodArrivals(), delta, a),
    () => p1.traceparent,
  );
  await settled(pipeline, a, eventsA);
  // Subject B, once A is done: two producer contexts, alternating.
  const b = subjectId();
  const [p2, p3] = [producerContext(), producerContext()];
  const eventsB = await publishTraced(pipeline, shiftArrivals(goodArrivals(), delta, b), (i) =>
    i % 2 === 0 ? p2.traceparent : p3.traceparent,
  );
  await settled(pipeline, b, eventsB);
  await scores.until((records) => records.some((r) => r.key === b), 'a score record of subject B');

  // The unit span and its children, exported: each score record's traceparent names a unit span.
  await tracing.flush();
  const units = (): OtlpSpan[] => receiver.spans.filter((s) => s.name === 'dmid.unit');
  const scoreOf = (subject: string): ConsumedRecord[] => scores.records.filter((r) => r.key === subject);
  await waitFor(
    () => scores.records.every((r) => units().some((u) => u.spanId === parsedTraceparent(r).spanId)),
    'unit spans of every score record',
  );

  // A: the provider's trace continues into every score of A (the unit span is a child of P1).
  for (const record of scoreOf(a)) {
    const { traceId, spanId } = parsedTraceparent(record);
    assert.equal(traceId, p1.traceId, 'score of A in the provider trace');
    const unit = units().find((u) => u.spanId === spanId);
    assert.equal(unit?.parentSpanId, p1.spanId);
  }
  // B: every unit span holds P2 and P3 as its parent or links, and its scores continue P2's or P3's trace.
  const bUnits = scoreOf(b).map((record) => {
    const { traceId, spanId } = parsedTraceparent(record);
    assert.ok([p2.traceId, p3.traceId].includes(traceId), 'score of B in a provider trace');
    const unit = units().find((u) => u.spanId === spanId);
    assert.ok(unit);
    return unit;
  });
  const contextsOf = (unit: OtlpSpan): string[] => [
    `${unit.traceId}/${unit.parentSpanId ?? ''}`,
    ...(unit.links ?? []).map((l) => `${l.traceId}/${l.spanId}`),
  ];
  assert.ok(bUnits.length > 0);
  // Every record of B carried P2 or P3; each kind's records went out in one produce request, so a unit
  // holds both: one is its parent, the other a link.
  const withB = units().filter((u) => [p2.traceId, p3.traceId].includes(u.traceId));
  for (const p of [p2, p3])
    assert.ok(
      withB.some((u) => contextsOf(u).includes(`${p.traceId}/${p.spanId}`)),
      'P2 and P3 both reached a unit span, as parent or link',
    );
  assert.ok(
    withB.some((u) => (u.links ?? []).length > 0),
    'a unit of B links the other producer context',
  );

  // Children: Redis steps and scoring, in the unit's trace, under the unit span.
  const unitIds = new Set(units().map((u) => u.spanId));
  for (const name of [
    'redis.applySignals',
    'redis.saveScores',
    'redis.markEmitted',
    'redis.awaitDurable',
    'scoring',
  ]) {
    const children = receiver.spans.filter((s) => s.name === name);
    assert.ok(children.length > 0, `${name} spans exported`);
    for (const child of children)
      assert.ok(unitIds.has(child.parentSpanId ?? ''), `${name} under a unit span`);
  }

  // HTTP: a score read is a server span named by the route template, continuing the caller's trace.
  const api = createApiServer({
    store: pipeline.store,
    metrics: createMetrics(),
    readiness: () => ({ ready: true, checks: {} }),
    halfLives: DEFAULT_HALF_LIVES_MS,
    logger: pino({ level: 'silent' }),
    tracer: tracing.tracer,
  });
  t.after(() => api.close());
  const { url } = await api.listen('127.0.0.1', 0);
  const caller = producerContext();
  const response = await fetch(`${url}/v1/subjects/${a}/score`, {
    headers: { traceparent: caller.traceparent },
  });
  assert.equal(response.status, 200);
  await tracing.flush();
  await waitFor(() => receiver.spans.some((s) => s.kind === 2), 'the HTTP server span');
  const server = receiver.spans.filter((s) => s.kind === 2);
  assert.deepEqual(
    server.map((s) => s.name),
    [`GET ${SCORE_ROUTE}`],
  );
  assert.equal(server[0]?.traceId, caller.traceId);
  assert.equal(server[0]?.parentSpanId, caller.spanId);

  // No subject id (nor its pseudonymised form, which is what the keys hold) in any exported byte.
  const exported = receiver.bodies.join('\n');
  for (const subject of [a, b]) assert.ok(!exported.includes(subject), 'a subject id was exported');
  const values = receiver.spans.flatMap((s) => (s.attributes ?? []).map((x) => JSON.stringify(x.value)));
  assert.ok(values.length > 0);
  for (const subject of [a, b]) assert.ok(!values.some((v) => v.includes(subject)));
});
