/**
 * Rebuilding the state store from the signal topics: every signal record still retained is read again,
 * decoded and validated as the worker does (batch-decoder.ts) and applied through the same store call
 * (`applySignals`: idempotent, event-time ordered), so the rebuilt state of a subject is the state a worker
 * would have built from the same records. Nothing is produced: no scores, anchors or dead letters (they were
 * produced when the records were first consumed).
 *
 * It reads under a consumer group of its own, from the oldest retained record, and stops once every
 * partition it was given records of has been read up to its high watermark and nothing came for `idleMs`.
 * The scoring group's offsets are not touched: the scoring workers wait meanwhile (the store's epoch says
 * `rebuilding`, store-epoch.ts), then go on from their committed offsets; the records they consume again
 * are duplicates to the rebuilt state and change nothing.
 */
import type { Codec } from '../codec/codec.js';
import type { SignalKind } from '../codec/types.js';
import type { TopicNames } from '../config.js';
import type { StateStore } from '../state/state-store.js';
import { decodeBatch } from './batch-decoder.js';
import type { InboundBatch, Transport } from './transport.js';
import type { ValidationRules } from './validate.js';

/**
 * The retention the signal topics need for a rebuild to see every event scoring can still use: evidence
 * windows hold a bounded number of events but no age limit, so an event stays in a subject's state until
 * the state expires, `stateTtlSeconds` after the subject's last event. One day more, so that a rebuild
 * started on the day a subject's oldest evidence would leave the topic still finds it.
 */
export function signalRetentionMs(stateTtlSeconds: number): number {
  return (stateTtlSeconds + 86_400) * 1000;
}

export interface RebuildProgress {
  /** Signal records read. */
  readonly records: number;
  /** Events applied to the store (new to it). */
  readonly applied: number;
  /** Records left out: older than `fromMs`, or invalid (they were dead-lettered when first consumed). */
  readonly skipped: number;
  /** Records still to read, summed over the partitions seen so far (high watermark - next offset). */
  readonly remaining: number;
}

export interface RebuildOptions {
  /** A transport reading under a group of its own (never the scoring group), from the oldest record. */
  readonly transport: Transport;
  readonly store: StateStore;
  readonly codec: Codec;
  readonly topics: TopicNames;
  readonly validation: ValidationRules;
  /** Records whose Kafka timestamp is older are left out (`--from`); null: everything retained. */
  readonly fromMs: number | null;
  /** Stop after this long without a record once every partition seen is caught up, ms. */
  readonly idleMs: number;
  /** Called after every batch. */
  readonly onProgress?: (progress: RebuildProgress) => void;
  readonly signal?: AbortSignal;
}

function kindsOf(topics: TopicNames): ReadonlyMap<string, SignalKind> {
  return new Map<string, SignalKind>([
    [topics.telecom, 'telecom'],
    [topics.location, 'location'],
    [topics.biometric, 'biometric'],
    [topics.registry, 'registry'],
  ]);
}

/** Replays the signal topics into the store; resolves with the final counts. */
export async function rebuildState(options: RebuildOptions): Promise<RebuildProgress> {
  const kinds = kindsOf(options.topics);
  const remaining = new Map<string, number>();
  let records = 0;
  let applied = 0;
  let skipped = 0;
  let lastBatchAt = Date.now();
  const progress = (): RebuildProgress => ({
    records,
    applied,
    skipped,
    remaining: [...remaining.values()].reduce((a, b) => a + b, 0),
  });

  async function handle(batch: InboundBatch): Promise<void> {
    const kind = kinds.get(batch.topic);
    if (kind === undefined) throw new Error(`state rebuild: no signal kind for topic ${batch.topic}`);
    const last = batch.records.at(-1);
    const kept = batch.records.filter((r) => options.fromMs === null || r.timestampMs >= options.fromMs);
    // Validated as of when the records were written (the future-skew rule), not as of today.
    const decoded = decodeBatch(
      kind,
      kept,
      options.codec,
      options.validation,
      last?.timestampMs ?? Date.now(),
    );
    const states = await options.store.applySignals(decoded.subjects);
    for (const state of states) applied += state.appliedEventIds.length;
    records += batch.records.length;
    skipped += batch.records.length - kept.length + decoded.deadLetters.length;
    if (last !== undefined) {
      const left = Math.max(0, Number(batch.highWatermark) - Number(last.offset) - 1);
      remaining.set(`${batch.topic}/${batch.partition}`, left);
    }
    lastBatchAt = Date.now();
    options.onProgress?.(progress());
  }

  const running = options.transport.run({ topics: [...kinds.keys()], handle });
  const done = new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const caughtUp = progress().remaining === 0 && Date.now() - lastBatchAt >= options.idleMs;
      if (caughtUp || options.signal?.aborted === true) {
        clearInterval(timer);
        resolve();
      }
    }, 100);
    // A transport that fails must not leave the timer holding the process open.
    running.catch(() => clearInterval(timer));
  });
  await Promise.race([done, running]);
  await options.transport.stop();
  await running;
  return progress();
}
