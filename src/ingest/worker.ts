/**
 * The scoring worker: consumes the four signal topics. Each partition batch is decoded and validated on
 * arrival (bad records become dead letters); the batches handed over at the same time are then handled as
 * one unit (batch-units.ts): apply to state (one atomic step per subject, pipelined) -> features and
 * one batched scoring call for the subjects whose state changed -> cache the new scores -> produce scores,
 * anchors and dead letters (acknowledged) -> mark the scores emitted -> wait until the store's writes are
 * durable and its epoch unchanged (store.awaitDurable) -> return, after which the transport
 * commits each batch's offsets.
 *
 * The order makes a crash anywhere safe: see src/state/state-store.ts. A dependency that is down pauses
 * the batch and retries it (retry.ts); anything else fails the worker, and the batch is redelivered.
 */
import type { Codec } from '../codec/codec.js';
import type { AssuranceLevel, SignalKind } from '../codec/types.js';
import type { TopicNames } from '../config.js';
import type { DlqReason } from '../errors.js';
import type { Logger } from '../logger.js';
import { anchorFor } from '../anchor/commitment.js';
import { scoresToEmit } from '../scoring/batch-scoring.js';
import type { Scorer } from '../scoring/scorer.js';
import type { KindedSignal, StateStore, SubjectSignals } from '../state/state-store.js';
import { decodeBatch, type DecodedBatch } from './batch-decoder.js';
import { createUnitGatherer } from './batch-units.js';
import { toDeadLetterRecord } from './dead-letter.js';
import { withRetry, type RetryOptions } from './retry.js';
import type { InboundBatch, OutboundRecord, TopicRecords, Transport } from './transport.js';
import type { ValidationRules } from './validate.js';
import { NO_PIPELINE_TRACING, type PipelineTracing, type UnitTrace } from '../telemetry/pipeline-tracing.js';

/**
 * The stages of a batch, for the per-stage cost breakdown: decode (and validate), redis (state apply,
 * score save, mark emitted), features, scoring, produce (scores, anchors, dead letters acknowledged) and
 * commit (reported by the Kafka transport, which commits in the background).
 */
export const BATCH_STAGES = ['decode', 'redis', 'features', 'scoring', 'produce', 'commit'] as const;
export type BatchStage = (typeof BATCH_STAGES)[number];

/** What the worker reports; src/api/metrics.ts turns it into Prometheus metrics. */
export interface WorkerMetrics {
  consumed(topic: string, count: number): void;
  deadLettered(reason: DlqReason): void;
  /** One unit's scores produced, by assurance level. */
  scoresEmitted(levels: readonly AssuranceLevel[]): void;
  /** Per valid event, seconds from `observedAt` and from the Kafka timestamp to its batch's outputs acked. */
  endToEnd(observedToScoreSeconds: number, ingestToScoreSeconds: number): void;
  /** One unit (the partition batches handled together) fully handled: its records (valid and dead-lettered). */
  batch(size: number): void;
  /** Time one unit (decode: one partition batch) spent in one stage, seconds. */
  stage(stage: BatchStage, seconds: number): void;
  lag(topic: string, partition: number, lag: number): void;
  paused(paused: boolean): void;
}

export interface WorkerDeps {
  readonly transport: Transport;
  readonly store: StateStore;
  readonly scorer: Scorer;
  readonly codec: Codec;
  readonly metrics: WorkerMetrics;
  readonly logger: Logger;
  readonly topics: TopicNames;
  readonly groupId: string;
  readonly validation: ValidationRules;
  readonly retry?: RetryOptions;
  readonly now?: () => number;
  /** Most records in one unit of partition batches handled together (batch-units.ts). Default 4,000. */
  readonly maxUnitRecords?: number;
  /** Spans per unit, Redis step and scoring (src/telemetry/); default: off, nothing traced. */
  readonly tracing?: PipelineTracing;
}

/** A partition batch, decoded, waiting for its unit. */
interface DecodedPart {
  readonly batch: InboundBatch;
  readonly decoded: DecodedBatch;
  readonly deadLetters: OutboundRecord[];
}

/** The subjects of several batches, one entry per subject (signals of every topic together). */
function mergeSubjects(batches: readonly DecodedBatch[]): SubjectSignals[] {
  if (batches.length === 1) return batches[0]?.subjects ?? [];
  const bySubject = new Map<string, KindedSignal[]>();
  for (const { subjects } of batches)
    for (const { subjectId, signals } of subjects) {
      const list = bySubject.get(subjectId);
      if (list === undefined) bySubject.set(subjectId, [...signals]);
      else list.push(...signals);
    }
  return [...bySubject].map(([subjectId, signals]) => ({ subjectId, signals }));
}

export interface WorkerStatus {
  /** True while a dependency is down and batches are being retried. */
  readonly paused: boolean;
  readonly transport: { readonly ok: boolean; readonly detail: string };
}

export interface Worker {
  /** Consumes until stop(); rejects when consumption fails for a reason retrying cannot fix. */
  run(): Promise<void>;
  /** Finishes the batch in flight (or abandons a retry, uncommitted), commits, disconnects. */
  stop(): Promise<void>;
  status(): WorkerStatus;
}

/**
 * A bound on memory, not a tuning (see batch-units.ts for why units): a partition batch of 1 MiB is
 * about 6,000 records and always makes a unit of its own; caps of 1,000 to 4,000 measured the same.
 */
const DEFAULT_MAX_UNIT_RECORDS = 4_000;

function kindsByTopic(topics: TopicNames): ReadonlyMap<string, SignalKind> {
  return new Map<string, SignalKind>([
    [topics.telecom, 'telecom'],
    [topics.location, 'location'],
    [topics.biometric, 'biometric'],
    [topics.registry, 'registry'],
  ]);
}

export function createWorker(deps: WorkerDeps): Worker {
  const now = deps.now ?? Date.now;
  const tracing = deps.tracing ?? NO_PIPELINE_TRACING;
  const kinds = kindsByTopic(deps.topics);
  const gather = createUnitGatherer<DecodedPart>(
    (parts) => handleUnit(parts),
    deps.maxUnitRecords ?? DEFAULT_MAX_UNIT_RECORDS,
  );
  let stopping = false;
  let paused = false;

  const setPaused = (value: boolean): void => {
    if (paused === value) return;
    paused = value;
    deps.metrics.paused(value);
  };

  async function handle(batch: InboundBatch): Promise<void> {
    const kind = kinds.get(batch.topic);
    if (kind === undefined) throw new Error(`worker: no signal kind for topic ${batch.topic}`);
    deps.metrics.consumed(batch.topic, batch.records.length);
    const decodeStart = performance.now();
    const decoded = decodeBatch(kind, batch.records, deps.codec, deps.validation, now());
    const deadLetters = decoded.deadLetters.map((letter) =>
      toDeadLetterRecord(letter, { topic: batch.topic, partition: batch.partition, groupId: deps.groupId }),
    );
    deps.metrics.stage('decode', (performance.now() - decodeStart) / 1000);
    await gather({ batch, decoded, deadLetters }, batch.records.length);
    for (const letter of decoded.deadLetters) deps.metrics.deadLettered(letter.reason);
    const done = now();
    for (const t of decoded.timings)
      deps.metrics.endToEnd((done - t.observedAtMs) / 1000, (done - t.timestampMs) / 1000);
    const last = batch.records.at(-1);
    if (last !== undefined)
      deps.metrics.lag(batch.topic, batch.partition, Number(batch.highWatermark) - Number(last.offset) - 1);
  }

  /** The batches of one unit, with retries while a dependency is down. */
  async function handleUnit(parts: readonly DecodedPart[]): Promise<void> {
    const subjects = mergeSubjects(parts.map((p) => p.decoded));
    const deadLetters = parts.flatMap((p) => p.deadLetters);
    const consumed = parts.map((p) => p.batch);
    await withRetry(
      // One unit span per attempt: a failed attempt shows in the trace as a span with an error status.
      () => tracing.unit(consumed, (unitTrace) => processUnit(subjects, deadLetters, consumed, unitTrace)),
      {
        stopping: () => stopping,
        heartbeat: () => parts[0]?.batch.heartbeat() ?? Promise.resolve(),
        onRetry: (error, attempt, delayMs) => {
          setPaused(true);
          deps.logger.warn({ err: error, attempt, delayMs }, 'batch failed; retrying');
        },
        onRecovered: () => setPaused(false),
      },
      deps.retry,
    );
    deps.metrics.batch(parts.reduce((n, p) => n + p.batch.records.length, 0));
  }

  /** Everything after decoding; safe to run again for the same unit (idempotent store, cached scores). */
  async function processUnit(
    subjects: readonly SubjectSignals[],
    deadLetters: OutboundRecord[],
    consumed: readonly InboundBatch[],
    unitTrace: UnitTrace,
  ): Promise<void> {
    let storeMs = 0;
    const timed = async <T>(step: string, call: () => Promise<T>): Promise<T> => {
      const start = performance.now();
      try {
        return await unitTrace.step(`redis.${step}`, call);
      } finally {
        storeMs += performance.now() - start;
      }
    };
    // A worker that found the store's epoch changed writes nothing more until an operator decided.
    if (deps.store.epochStatus().changed) await timed('awaitDurable', () => deps.store.awaitDurable());
    const states =
      subjects.length === 0 ? [] : await timed('applySignals', () => deps.store.applySignals(subjects));
    const { fresh, reused, featureSeconds, scoringSeconds } = unitTrace.step('scoring', () =>
      scoresToEmit(states, deps.scorer, now()),
    );
    // Each new score is encoded once: the same bytes are cached and produced.
    const toSave = fresh.map(({ cached }) => ({
      ...cached,
      record: deps.codec.encode('score', cached.score),
    }));
    // The cache decides what is produced: the first score of a version wins (state-store.ts).
    const saved = toSave.length > 0 ? await timed('saveScores', () => deps.store.saveScores(toSave)) : [];
    const emit = [...reused];
    fresh.forEach(({ state }, i) => {
      const winner = saved[i];
      if (winner !== null && winner !== undefined) emit.push({ cached: winner, state });
    });
    const scoreRecords: OutboundRecord[] = [];
    const anchorRecords: OutboundRecord[] = [];
    const headers = unitTrace.headers;
    for (const { cached, state } of emit) {
      const value = cached.record ?? deps.codec.encode('score', cached.score);
      const anchor = anchorFor(cached.score, value, state.salt);
      const anchorValue = deps.codec.encode('anchor', anchor);
      // The unit span's traceparent, so a producer's trace continues into its score (pipeline-tracing.ts).
      scoreRecords.push(
        headers === undefined
          ? { key: cached.score.subjectId, value }
          : { key: cached.score.subjectId, value, headers },
      );
      anchorRecords.push(
        headers === undefined
          ? { key: anchor.anchorId, value: anchorValue }
          : { key: anchor.anchorId, value: anchorValue, headers },
      );
    }
    const outputs: TopicRecords[] = [
      { topic: deps.topics.scores, records: scoreRecords },
      { topic: deps.topics.anchors, records: anchorRecords },
      { topic: deps.topics.dlq, records: deadLetters },
    ];
    const produceStart = performance.now();
    // With a transactional transport, the outputs and the consumed offsets commit together.
    await deps.transport.send(outputs, consumed);
    const produceSeconds = (performance.now() - produceStart) / 1000;
    if (emit.length > 0) {
      const marks = emit.map(({ state }) => ({ subjectId: state.subjectId, version: state.version }));
      await timed('markEmitted', () => deps.store.markEmitted(marks));
    }
    // Replicas hold the unit's writes and the epoch is still ours, or the unit is not committed.
    await timed('awaitDurable', () => deps.store.awaitDurable());
    deps.metrics.stage('redis', storeMs / 1000);
    deps.metrics.stage('features', featureSeconds);
    deps.metrics.stage('scoring', scoringSeconds);
    deps.metrics.stage('produce', produceSeconds);
    deps.metrics.scoresEmitted(emit.map(({ cached }) => cached.score.assuranceLevel));
  }

  return {
    async run() {
      try {
        await deps.transport.run({ topics: [...kinds.keys()], handle });
      } catch (error) {
        // A retry abandoned because of stop() is a clean stop: the batch was not committed.
        if (!stopping) throw error;
      }
    },
    async stop() {
      stopping = true;
      await deps.transport.stop();
    },
    status: () => ({ paused, transport: deps.transport.status() }),
  };
}
