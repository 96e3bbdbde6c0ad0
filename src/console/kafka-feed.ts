/**
 * The console's record fed from Kafka (Kafka mode): every score, anchor and dead letter committed to
 * `identity.scores`, `identity.anchors` and `signals.dlq` by any worker, read_committed through the
 * ingest reader (src/ingest/kafka-reader.ts), into the same bounded record the embedded mode fills from
 * its transport (console-tap.ts). With several workers, each process's console then shows the topics,
 * not only what its own worker wrote.
 *
 * Each process reads in a consumer group of its own from the oldest retained record: the record keeps the
 * latest scores of the latest subjects and the latest letters (its bounds), and records older than
 * {@link FEED_WINDOW_MS} are skipped, so a long retention costs read time at start, never memory.
 */
import { randomUUID } from 'node:crypto';
import type { TopicNames } from '../config.js';
import type { KafkaClient } from '../ingest/kafka-client.js';
import { consumeRecords, type ConsumeSummary } from '../ingest/kafka-reader.js';
import type { ConsoleTap } from './console-tap.js';

/** How far back the console looks: older records are read past, not kept. */
export const FEED_WINDOW_MS = 7 * 24 * 3600 * 1000;

export interface KafkaFeedOptions {
  readonly client: KafkaClient;
  readonly topics: TopicNames;
  readonly tap: Pick<ConsoleTap, 'observe'>;
  /** The engine's group id; the feed's group is `<it>.console.<random>`, one per process. */
  readonly groupId: string;
  readonly now: () => number;
  /** Aborting stops the feed; the returned promise then resolves. */
  readonly signal: AbortSignal;
}

/** Feeds `tap` until `signal` aborts; rejects when the reader fails (the caller logs it). */
export function feedConsoleFromKafka(options: KafkaFeedOptions): Promise<ConsumeSummary> {
  const { topics, tap } = options;
  return consumeRecords({
    client: options.client,
    topic: [topics.scores, topics.anchors, topics.dlq],
    groupId: `${options.groupId}.console.${randomUUID()}`,
    fromBeginning: true,
    signal: options.signal,
    onRecord: (record) => {
      const at = Number(record.timestamp);
      if (Number.isFinite(at) && at < options.now() - FEED_WINDOW_MS) return;
      try {
        tap.observe(record.topic, [record], Number.isFinite(at) ? at : options.now());
      } catch {
        // A record the codec cannot read is not shown; it must not stop the feed of the others.
      }
    },
  });
}
