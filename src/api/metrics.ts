/**
 * Every Prometheus metric of the pipeline and the API, created in one place.
 *
 * Names follow the Prometheus conventions: a `dmid_` prefix, base units in the name (`_seconds`), `_total`
 * on counters. The Node.js default metrics (`process_*`, `nodejs_*`) are added under their standard,
 * unprefixed names, because those are the names every Node dashboard and alert already queries; less the
 * three gauges prom-client names with a counter's `_total` suffix ({@link MISNAMED_DEFAULT_GAUGES}),
 * which `promtool check metrics` rejects.
 *
 * The handles returned take label values as arguments and pass them through the guards of
 * label-guard.ts, so no caller can turn a subject id or any other unbounded value into a label: topics and
 * partitions are bounded, everything else comes from a closed set. A value refused or over a limit is
 * counted in `dmid_metric_labels_refused_total{metric}`, so a misbehaving caller shows up in a scrape.
 *
 * Handles never throw: a NaN or negative observation is dropped rather than crash the worker over a
 * metric (prom-client itself would throw on a negative counter increment).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AssuranceLevel } from '../codec/types.js';
import { DLQ_REASONS, type DlqReason } from '../errors.js';
import { BATCH_STAGES, type BatchStage } from '../ingest/worker.js';
import { detectRawIdentifier } from '../privacy/pii-guard.js';
import type { ReadinessReport } from './readiness.js';
import { isWellFormedSubjectId } from '../privacy/pseudonymize.js';
import {
  BoundedLabel,
  ClosedLabel,
  isSafeTopicLabel,
  OVERFLOW_LABEL,
  partitionLabel,
} from './label-guard.js';

/** End-to-end latency buckets, seconds: 1 ms .. 60 s, dense around the 100 ms p99 target. */
export const LATENCY_BUCKETS_SECONDS = [
  0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
] as const;
/** Batch size buckets, events: one event up to the largest batch the transport hands out. */
export const BATCH_SIZE_BUCKETS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000] as const;
/** Per-batch stage time buckets (dmid_batch_stage_seconds), seconds: 0.5 ms .. 10 s. */
export const STAGE_BUCKETS_SECONDS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;
/** HTTP request duration buckets, seconds: the score API answers in well under a millisecond. */
export const HTTP_BUCKETS_SECONDS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
] as const;

/** Most distinct topics admitted as label values (the contract has 7 topics per prefix). */
const MAX_TOPICS = 64;
/** Most topic-partition series of the lag gauge (64 topics of 64 partitions). */
const MAX_LAG_SERIES = 4096;
/** Most distinct HTTP route patterns admitted (the API registers a handful). */
const MAX_ROUTES = 32;
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;
/** A fastify route pattern (`/v1/subjects/:subjectId/score`), never a concrete URL. */
const ROUTE_PATTERN = /^\/[A-Za-z0-9/:._-]{0,100}$/;
/**
 * prom-client default gauges named like counters. Each is the sum over `type` of a gauge that stays
 * (`nodejs_active_handles{type}`, ...), so dropping them loses nothing a query cannot compute.
 */
export const MISNAMED_DEFAULT_GAUGES = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

/** The route label of requests that matched no route. */
export const UNMATCHED_ROUTE = 'unmatched';

export interface LabelledCounterHandle<L extends string> {
  /** Adds `count` (default 1) to the series of `label`. */
  inc(label: L, count?: number): void;
}

export interface ValueHistogram {
  /** Records one value in the histogram's unit; non-finite values are ignored. */
  observe(value: number): void;
}

export interface LatencyHistogram extends ValueHistogram {
  /**
   * Records the time from `fromMs` to `toMs` (epoch ms). A negative span (clocks of producer and worker
   * disagree) is recorded as 0, so skew shows in the lowest bucket instead of vanishing.
   */
  observeBetween(fromMs: number, toMs: number): void;
}

export interface StageHistogram {
  /** Records the seconds one batch spent in `stage`; non-finite values are ignored. */
  observe(stage: BatchStage, seconds: number): void;
}

export interface ConsumerLagGauge {
  /** Sets the lag (records behind the high watermark) of one topic-partition. */
  set(topic: string, partition: number, lag: number): void;
  /** Removes the series of a partition this worker no longer owns (after a rebalance). */
  remove(topic: string, partition: number): void;
  /** Removes every series (on stop, or when all partitions are revoked). */
  reset(): void;
}

export interface FlagGauge {
  set(on: boolean): void;
}

export interface HttpRequestMetrics {
  /** Records one answered request: `route` is the route pattern or {@link UNMATCHED_ROUTE}. */
  observe(route: string, method: string, statusCode: number, seconds: number): void;
}

/** Typed handles on every dmid metric. */
export interface DmidMetrics {
  readonly registry: Registry;
  /** `dmid_events_consumed_total{topic}`: records taken from a signal topic, valid or not. */
  readonly eventsConsumed: LabelledCounterHandle<string>;
  /** `dmid_events_dead_lettered_total{reason}`: records sent to the DLQ, by `dlq.reason`. */
  readonly eventsDeadLettered: LabelledCounterHandle<DlqReason>;
  /** `dmid_scores_emitted_total{assurance_level}`: scores produced to `identity.scores`. */
  readonly scoresEmitted: LabelledCounterHandle<AssuranceLevel>;
  /**
   * `dmid_observed_to_score_seconds`: from an event's `observedAt` to the score that reflects it being
   * produced. One observation per event reflected in a produced score.
   */
  readonly observedToScore: LatencyHistogram;
  /** `dmid_ingest_to_score_seconds`: from the Kafka record timestamp to the score being produced. */
  readonly ingestToScore: LatencyHistogram;
  /** `dmid_batch_size_events`: records per unit (the partition batches of one fetch, handled together). */
  readonly batchSize: ValueHistogram;
  /**
   * `dmid_batch_stage_seconds{stage}`: time per unit in each stage (decode and commit per partition batch;
   * redis, features, scoring, produce per unit), so the next bottleneck shows in a scrape.
   */
  readonly batchStageTime: StageHistogram;
  /** `dmid_consumer_lag{topic,partition}`: set by the worker from the broker's high watermarks. */
  readonly consumerLag: ConsumerLagGauge;
  /** `dmid_consumption_paused`: 1 while the worker has paused consumption (back-pressure, store down). */
  readonly consumptionPaused: FlagGauge;
  /**
   * `dmid_state_epoch_changed`: 1 while the worker found the state store's epoch missing or changed and
   * waits for an operator (docs/operations.md), else 0.
   */
  readonly stateEpochChanged: FlagGauge;
  /** `dmid_http_requests_total` and `dmid_http_request_duration_seconds`, by route pattern. */
  readonly httpRequests: HttpRequestMetrics;
  /**
   * `dmid_http_subject_ids_refused_total{reason}`: score requests refused for their subject id. A rising
   * `PII_IN_SUBJECT_ID` means a client sends raw identifiers: a privacy incident to follow up.
   */
  readonly subjectIdsRefused: LabelledCounterHandle<SubjectIdRefusal>;
  /**
   * `dmid_ready` and `dmid_readiness_check{check}` (1 ok, 0 failing): the last readiness report, set at
   * each scrape (health-routes.ts), so Kafka and Redis health show on a dashboard, not only in probes.
   */
  readonly readiness: ReadinessGauges;
}

export interface ReadinessGauges {
  record(report: ReadinessReport): void;
}

/** Checks the engine and the ledger writer report (engine.ts, ledger-service.ts, readiness.ts). */
const READINESS_CHECKS = ['transport', 'store', 'consumption', 'readiness'] as const;
const ASSURANCE_LEVELS = ['NONE', 'LOW', 'SUBSTANTIAL', 'HIGH'] as const satisfies readonly AssuranceLevel[];

/** Why the API refused a subject id (named like the matching dead-letter reasons). */
export type SubjectIdRefusal = 'SUBJECT_ID_MALFORMED' | 'PII_IN_SUBJECT_ID';
const SUBJECT_ID_REFUSALS = [
  'SUBJECT_ID_MALFORMED',
  'PII_IN_SUBJECT_ID',
] as const satisfies SubjectIdRefusal[];

export interface MetricsOptions {
  /** Also collect the Node.js default metrics (`process_*`, `nodejs_*`). Default true. */
  readonly defaultMetrics?: boolean;
  /** Topics whose consumed counter starts at 0 (so `rate()` works from the first scrape). Default none. */
  readonly topics?: readonly string[];
}

/** Refusal counter shared by the handles: which metric got a label value it could not take. */
type RefusalCounter = Counter<'metric'>;

/**
 * Creates every metric in `registry` (a new, private one by default: never prom-client's global
 * registry, so two pipelines in one process, or tests, do not collide).
 */
export function createMetrics(
  registry: Registry = new Registry(),
  options: MetricsOptions = {},
): DmidMetrics {
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    for (const name of MISNAMED_DEFAULT_GAUGES) registry.removeSingleMetric(name);
  }
  const registers = [registry];
  const refused: RefusalCounter = new Counter({
    name: 'dmid_metric_labels_refused_total',
    help: 'Label values refused or collapsed by the cardinality guards, by metric.',
    labelNames: ['metric'] as const,
    registers,
  });
  return {
    registry,
    eventsConsumed: topicCounter(registry, refused, options.topics ?? []),
    eventsDeadLettered: closedCounter(registry, refused, {
      name: 'dmid_events_dead_lettered_total',
      help: 'Records sent to the dead-letter topic, by dlq.reason.',
      label: 'reason',
      values: DLQ_REASONS,
    }),
    scoresEmitted: closedCounter(registry, refused, {
      name: 'dmid_scores_emitted_total',
      help: 'Scores produced to identity.scores, by assurance level.',
      label: 'assurance_level',
      values: ASSURANCE_LEVELS,
    }),
    observedToScore: latencyHistogram(
      registry,
      'dmid_observed_to_score_seconds',
      'Seconds from an event observedAt to the score reflecting it being produced.',
    ),
    ingestToScore: latencyHistogram(
      registry,
      'dmid_ingest_to_score_seconds',
      'Seconds from the Kafka record timestamp to the score reflecting it being produced.',
    ),
    batchSize: valueHistogram(
      new Histogram({
        name: 'dmid_batch_size_events',
        help: 'Records per unit: the partition batches of one fetch, handled together.',
        buckets: [...BATCH_SIZE_BUCKETS],
        registers,
      }),
    ),
    batchStageTime: stageHistogram(registry),
    consumerLag: lagGauge(registry, refused),
    consumptionPaused: flagGauge(
      registry,
      'dmid_consumption_paused',
      '1 while consumption is paused, else 0.',
    ),
    stateEpochChanged: flagGauge(
      registry,
      'dmid_state_epoch_changed',
      '1 while the state store epoch is missing or changed and consumption waits for an operator, else 0.',
    ),
    httpRequests: httpMetrics(registry, refused),
    subjectIdsRefused: closedCounter(registry, refused, {
      name: 'dmid_http_subject_ids_refused_total',
      help: 'Score requests refused for their subject id, by reason.',
      label: 'reason',
      values: SUBJECT_ID_REFUSALS,
    }),
    readiness: readinessGauges(registry),
  };
}

function isCount(count: number): boolean {
  return count > 0 && Number.isFinite(count);
}

function topicCounter(
  registry: Registry,
  refused: RefusalCounter,
  topics: readonly string[],
): LabelledCounterHandle<string> {
  const name = 'dmid_events_consumed_total';
  const counter = new Counter({
    name,
    help: 'Records consumed from the signal topics, valid or not.',
    labelNames: ['topic'] as const,
    registers: [registry],
  });
  const topicLabel = new BoundedLabel(MAX_TOPICS, isSafeTopicLabel);
  for (const topic of topics) counter.inc({ topic: topicLabel.admit(topic) }, 0);
  return {
    inc: (topic, count = 1) => {
      if (!isCount(count)) return;
      const label = topicLabel.admit(topic);
      if (label !== topic) refused.inc({ metric: name });
      counter.inc({ topic: label }, count);
    },
  };
}

/**
 * A counter with one label over a closed set, every series started at 0 (an alert on one value needs
 * its series before the first event). The type already restricts values; the runtime check catches a
 * cast or a value from outside TypeScript, recorded as `OTHER`.
 */
function closedCounter<L extends string>(
  registry: Registry,
  refused: RefusalCounter,
  spec: {
    readonly name: string;
    readonly help: string;
    readonly label: string;
    readonly values: readonly L[];
  },
): LabelledCounterHandle<L> {
  const { name, help, label, values } = spec;
  const counter = new Counter({ name, help, labelNames: [label], registers: [registry] });
  for (const value of values) counter.inc({ [label]: value }, 0);
  const closed = new ClosedLabel(values, 'OTHER');
  return {
    inc: (value, count = 1) => {
      if (!isCount(count)) return;
      const admitted = closed.admit(value);
      if (admitted !== value) refused.inc({ metric: name });
      counter.inc({ [label]: admitted }, count);
    },
  };
}

/** An observe function that drops non-finite values (prom-client would record or throw on them). */
function observerOf(histogram: Histogram): (value: number) => void {
  return (value) => {
    if (Number.isFinite(value)) histogram.observe(value);
  };
}

function valueHistogram(histogram: Histogram): ValueHistogram {
  return { observe: observerOf(histogram) };
}

function latencyHistogram(registry: Registry, name: string, help: string): LatencyHistogram {
  const histogram = new Histogram({
    name,
    help,
    buckets: [...LATENCY_BUCKETS_SECONDS],
    registers: [registry],
  });
  const observe = observerOf(histogram);
  return { observe, observeBetween: (fromMs, toMs) => observe(Math.max(0, toMs - fromMs) / 1000) };
}

function stageHistogram(registry: Registry): StageHistogram {
  const histogram = new Histogram({
    name: 'dmid_batch_stage_seconds',
    help: 'Seconds per unit in each stage: redis, features, scoring, produce; decode and commit per partition batch.',
    labelNames: ['stage'] as const,
    buckets: [...STAGE_BUCKETS_SECONDS],
    registers: [registry],
  });
  const stages = new ClosedLabel(BATCH_STAGES, 'other');
  return {
    observe: (stage, seconds) => {
      // Only the closed list reaches the label (the type already says so; this holds for casts too).
      if (Number.isFinite(seconds) && stages.admit(stage) === stage) histogram.observe({ stage }, seconds);
    },
  };
}

function lagGauge(registry: Registry, refused: RefusalCounter): ConsumerLagGauge {
  const name = 'dmid_consumer_lag';
  const gauge = new Gauge({
    name,
    help: 'Records behind the high watermark, per topic-partition owned by this worker.',
    labelNames: ['topic', 'partition'] as const,
    registers: [registry],
  });
  const topicLabel = new BoundedLabel(MAX_TOPICS, isSafeTopicLabel);
  const series = new BoundedLabel(MAX_LAG_SERIES, () => true);
  const labelsOf = (topic: string, partition: number): { topic: string; partition: string } | null => {
    const labels = { topic: topicLabel.admit(topic), partition: partitionLabel(partition) };
    // A lag under a collapsed label would mix partitions into one meaningless number: drop it instead.
    const accepted =
      labels.topic === topic &&
      labels.partition === String(partition) &&
      series.admit(`${labels.topic}\u0000${labels.partition}`) !== OVERFLOW_LABEL;
    if (accepted) return labels;
    refused.inc({ metric: name });
    return null;
  };
  return {
    set: (topic, partition, lag) => {
      if (!Number.isFinite(lag)) return;
      const labels = labelsOf(topic, partition);
      if (labels !== null) gauge.set(labels, Math.max(0, lag));
    },
    remove: (topic, partition) => {
      gauge.remove({ topic, partition: partitionLabel(partition) });
    },
    reset: () => gauge.reset(),
  };
}

function readinessGauges(registry: Registry): ReadinessGauges {
  const ready = new Gauge({
    name: 'dmid_ready',
    help: '1 when the last readiness report (as /readyz) was ready, else 0.',
    registers: [registry],
  });
  const checks = new Gauge({
    name: 'dmid_readiness_check',
    help: 'Readiness checks of the last report: transport (Kafka), store (Redis), consumption; 1 ok, 0 failing.',
    labelNames: ['check'] as const,
    registers: [registry],
  });
  const names = new ClosedLabel(READINESS_CHECKS, OVERFLOW_LABEL);
  return {
    record: (report) => {
      ready.set(report.ready ? 1 : 0);
      checks.reset();
      for (const [name, check] of Object.entries(report.checks)) {
        checks.set({ check: names.admit(name) }, check.ok ? 1 : 0);
      }
    },
  };
}

function flagGauge(registry: Registry, name: string, help: string): FlagGauge {
  const gauge = new Gauge({
    name,
    help,
    registers: [registry],
  });
  gauge.set(0);
  return { set: (on) => gauge.set(on ? 1 : 0) };
}

/** True for a route pattern, false for a concrete URL (a segment that is a subject id or an identifier). */
function isRoutePattern(route: string): boolean {
  if (route === UNMATCHED_ROUTE) return true;
  if (!ROUTE_PATTERN.test(route)) return false;
  return route.split('/').every((s) => !isWellFormedSubjectId(s) && detectRawIdentifier(s) === null);
}

function httpMetrics(registry: Registry, refused: RefusalCounter): HttpRequestMetrics {
  const counter = new Counter({
    name: 'dmid_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status code.',
    labelNames: ['route', 'method', 'status_code'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'dmid_http_request_duration_seconds',
    help: 'Seconds from receiving an HTTP request to answering it, by route pattern.',
    labelNames: ['route'] as const,
    buckets: [...HTTP_BUCKETS_SECONDS],
    registers: [registry],
  });
  const routeLabel = new BoundedLabel(MAX_ROUTES, isRoutePattern);
  const methodLabel = new ClosedLabel(HTTP_METHODS, 'OTHER');
  return {
    observe: (route, method, statusCode, seconds) => {
      const routeValue = routeLabel.admit(route);
      if (routeValue !== route) refused.inc({ metric: 'dmid_http_requests_total' });
      const status = Number.isInteger(statusCode) && statusCode >= 100 && statusCode <= 599;
      counter.inc({
        route: routeValue,
        method: methodLabel.admit(method),
        status_code: status ? String(statusCode) : 'invalid',
      });
      if (Number.isFinite(seconds)) duration.observe({ route: routeValue }, Math.max(0, seconds));
    },
  };
}
