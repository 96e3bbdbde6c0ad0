/**
 * OpenTelemetry traces, off unless `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`)
 * is set: the one place the OTEL_* variables are read (docs/tracing.md). Off, the tracer is the API's
 * no-op tracer and the worker skips its tracing entirely (pipeline-tracing.ts), so the hot path pays a
 * branch, not a span.
 *
 * Manual spans only: automatic instrumentation would record URLs and Redis keys, which hold subject ids.
 * Spans are parented explicitly (no context manager), so nothing depends on async-context propagation.
 */
import { trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

/** The instrumentation scope of every dmid span. */
export const TRACER_NAME = 'dmid';

export interface TracingConfig {
  /** Where spans are POSTed (OTLP/HTTP, JSON); undefined: tracing off. */
  readonly tracesUrl: string | undefined;
  readonly serviceName: string;
}

/** Reads the OTEL_* variables dmid honours (they are not DMID_* variables: src/config.ts does not check them). */
export function tracingConfigFromEnv(env: NodeJS.ProcessEnv = process.env): TracingConfig {
  const serviceName = nonEmpty(env.OTEL_SERVICE_NAME) ?? 'dmid';
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return { tracesUrl: undefined, serviceName };
  const traces = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  const base = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  // The spec: the signal-specific variable is used as is; the base one gets the signal's path appended.
  const tracesUrl = traces ?? (base === undefined ? undefined : `${base.replace(/\/+$/, '')}/v1/traces`);
  return { tracesUrl, serviceName };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

export interface Tracing {
  /** The tracer spans are made with: the no-op tracer when tracing is off. */
  readonly tracer: Tracer;
  readonly enabled: boolean;
  /** Exports the spans still buffered. */
  flush(): Promise<void>;
  /** Flushes and stops exporting. Safe to call more than once. */
  shutdown(): Promise<void>;
}

/**
 * Tracing off. dmid never registers a global provider, so the API's tracer is the no-op tracer: its spans
 * are non-recording and never exported.
 */
export const NO_TRACING: Tracing = {
  tracer: trace.getTracer(TRACER_NAME),
  enabled: false,
  flush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

/** Starts exporting spans when `config` names an endpoint; else {@link NO_TRACING}. */
export function startTracing(config: TracingConfig): Tracing {
  if (config.tracesUrl === undefined) return NO_TRACING;
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: config.tracesUrl }) })],
  });
  let stopped: Promise<void> | undefined;
  return {
    tracer: provider.getTracer(TRACER_NAME),
    enabled: true,
    flush: () => provider.forceFlush(),
    shutdown: () => (stopped ??= provider.shutdown()),
  };
}
