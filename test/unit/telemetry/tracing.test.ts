/**
 * Tracing configuration and the off path: without OTEL_EXPORTER_OTLP_ENDPOINT nothing is exported, no
 * span is made and the worker's unit tracing reads no record header.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InboundBatch } from '../../../src/ingest/transport.js';
import { NO_PIPELINE_TRACING, pipelineTracing } from '../../../src/telemetry/pipeline-tracing.js';
import { NO_TRACING, startTracing, tracingConfigFromEnv } from '../../../src/telemetry/tracing.js';

void test('the traces URL: the signal-specific variable as is, else the base one with /v1/traces', () => {
  assert.equal(tracingConfigFromEnv({}).tracesUrl, undefined);
  assert.equal(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }).tracesUrl, undefined);
  assert.equal(
    tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracesUrl,
    'http://collector:4318/v1/traces',
  );
  assert.equal(
    tracingConfigFromEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://other:4318/custom',
    }).tracesUrl,
    'http://other:4318/custom',
  );
  assert.equal(
    tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' })
      .tracesUrl,
    undefined,
  );
  assert.equal(tracingConfigFromEnv({}).serviceName, 'dmid');
  assert.equal(tracingConfigFromEnv({ OTEL_SERVICE_NAME: 'dmid-eu' }).serviceName, 'dmid-eu');
});

void test('off: the no-op tracer, no recording span, and the worker path reads no header and adds none', async () => {
  const tracing = startTracing(tracingConfigFromEnv({}));
  assert.equal(tracing, NO_TRACING);
  assert.equal(tracing.enabled, false);
  const span = tracing.tracer.startSpan('x');
  assert.equal(span.isRecording(), false);
  span.end();
  const unitTracing = pipelineTracing(tracing);
  assert.equal(unitTracing, NO_PIPELINE_TRACING);
  // A batch whose records throw when read: the off path must not look at them.
  const untouchable = {
    topic: 't',
    partition: 0,
    highWatermark: '1',
    heartbeat: () => Promise.resolve(),
    get records(): never {
      throw new Error('records read with tracing off');
    },
  } as InboundBatch;
  const result = await unitTracing.unit([untouchable], (unit) => {
    assert.equal(unit.headers, undefined);
    assert.equal(
      unit.step('scoring', () => 7),
      7,
    );
    return Promise.resolve('done');
  });
  assert.equal(result, 'done');
});
