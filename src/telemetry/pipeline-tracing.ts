/**
 * The worker's spans: one per unit (the partition batches handled together), with a child span per Redis
 * step and one around scoring. W3C `traceparent` headers connect them to the signals' producers:
 * - the unit span is a child of the first consumed record's `traceparent` (so a provider's trace continues
 *   into the score) and links to the distinct span contexts of every other record that carried one;
 * - every score and anchor record the unit produces carries the unit span's `traceparent`.
 * No attribute holds a subject id, a pseudonym or a key: only counts and topic names.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Link,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { InboundBatch } from '../ingest/transport.js';
import type { Tracing } from './tracing.js';

/** Links beyond this are dropped (the SDK's default link limit is 128 too): a unit holds up to 4,000 records. */
const MAX_LINKS = 128;

/** What the worker sees of a unit's trace. */
export interface UnitTrace {
  /** Headers for the records the unit produces (`traceparent`); undefined when tracing is off. */
  readonly headers: Readonly<Record<string, string>> | undefined;
  /** Runs one step (`redis.<operation>` or `scoring`) in a child span of the unit. */
  step<T>(name: string, call: () => T): T;
}

export interface PipelineTracing {
  /** Runs `call` in the unit's span; with tracing off, calls it straight away. */
  unit<T>(consumed: readonly InboundBatch[], call: (trace: UnitTrace) => Promise<T>): Promise<T>;
}

const OFF_TRACE: UnitTrace = { headers: undefined, step: (_name, call) => call() };

/** Tracing off: no header is read, no span made. */
export const NO_PIPELINE_TRACING: PipelineTracing = { unit: (_consumed, call) => call(OFF_TRACE) };

const propagator = new W3CTraceContextPropagator();
const headerGetter = {
  get: (carrier: Readonly<Record<string, string>>, key: string) => carrier[key],
  keys: (carrier: Readonly<Record<string, string>>) => Object.keys(carrier),
};

const headerSetter = {
  set: (carrier: Record<string, string>, key: string, value: string) => {
    carrier[key] = value;
  },
};

export function pipelineTracing(tracing: Tracing): PipelineTracing {
  if (!tracing.enabled) return NO_PIPELINE_TRACING;
  const tracer = tracing.tracer;
  return {
    async unit(consumed, call) {
      const { parent, links } = producerContexts(consumed);
      const records = consumed.reduce((n, b) => n + b.records.length, 0);
      const span = tracer.startSpan(
        'dmid.unit',
        {
          kind: SpanKind.CONSUMER,
          links,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.batch.message_count': records,
            'dmid.unit.partition_batches': consumed.length,
            'dmid.unit.topics': [...new Set(consumed.map((b) => b.topic))],
          },
        },
        parent,
      );
      const unitContext = trace.setSpan(ROOT_CONTEXT, span);
      const headers: Record<string, string> = {};
      propagator.inject(unitContext, headers, headerSetter);
      return ended(span, () =>
        call({ headers, step: (name, step) => childStep(tracer, unitContext, name, step) }),
      );
    },
  };
}

/** The first record's context (the parent) and links to the other distinct ones. */
function producerContexts(consumed: readonly InboundBatch[]): {
  parent: typeof ROOT_CONTEXT;
  links: Link[];
} {
  let parent = ROOT_CONTEXT;
  let parentSpanId: string | undefined;
  const seen = new Set<string>();
  const links: Link[] = [];
  for (const batch of consumed)
    for (const record of batch.records) {
      const value = record.headers?.traceparent;
      if (value === undefined || seen.has(value)) continue;
      seen.add(value);
      const context = propagator.extract(ROOT_CONTEXT, record.headers ?? {}, headerGetter);
      const spanContext = trace.getSpanContext(context);
      if (spanContext === undefined) continue;
      if (parentSpanId === undefined) {
        parent = context;
        parentSpanId = spanContext.spanId;
      } else if (links.length < MAX_LINKS) links.push({ context: spanContext });
    }
  return { parent, links };
}

function childStep<T>(tracer: Tracer, parent: typeof ROOT_CONTEXT, name: string, call: () => T): T {
  const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL }, parent);
  return ended(span, call);
}

/** Ends `span` when `call` returns or settles, marking it failed when it throws or rejects. */
function ended<T>(span: Span, call: () => T): T {
  const fail = (error: unknown): never => {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
    span.end();
    throw error;
  };
  let result: T;
  try {
    result = call();
  } catch (error) {
    return fail(error);
  }
  if (result instanceof Promise)
    return result.then((value: unknown) => {
      span.end();
      return value;
    }, fail) as T;
  span.end();
  return result;
}
