/**
 * The naive peer of the side-by-side benchmark: the same work as dmid (decode, validate, state in Redis,
 * features, score, produce score and anchor, dead letters) done the way a straightforward implementation
 * does it: a reader handing one record at a time (kafka-reader.ts), one awaited Redis round trip after another per event, one scoring call
 * per event, each output produced on its own and each offset committed per message.
 *
 * It reuses dmid's pure parts (decoder, scorer, anchor) and store, so the difference measured is the
 * shape of the loop, not the correctness of the work.
 */
import { createCodec } from '../../src/codec/codec.js';
import type { SignalKind } from '../../src/codec/types.js';
import type { TopicNames } from '../../src/config.js';
import { anchorFor } from '../../src/anchor/commitment.js';
import { decodeBatch } from '../../src/ingest/batch-decoder.js';
import { toDeadLetterRecord } from '../../src/ingest/dead-letter.js';
import { produceRecords, produceToTopics, type KafkaClient } from '../../src/ingest/kafka-client.js';
import { consumeRecords } from '../../src/ingest/kafka-reader.js';
import { scoresToEmit } from '../../src/scoring/batch-scoring.js';
import type { Scorer } from '../../src/scoring/scorer.js';
import { createRedisStore } from '../../src/state/redis-store.js';
import type { Recording } from './recording.js';

export interface NaivePeerOptions {
  readonly client: KafkaClient;
  readonly redisUrl: string;
  readonly keyPrefix: string;
  readonly topics: TopicNames;
  readonly groupId: string;
  readonly recording: Recording;
  readonly scorer: Scorer;
}

export async function runNaivePeer(
  options: NaivePeerOptions,
): Promise<{ done: Promise<void>; stop(): Promise<void> }> {
  const { topics, recording } = options;
  const kinds = new Map<string, SignalKind>([
    [topics.telecom, 'telecom'],
    [topics.location, 'location'],
    [topics.biometric, 'biometric'],
    [topics.registry, 'registry'],
  ]);
  const codec = createCodec();
  const { scorer } = options;
  const store = createRedisStore({ redis: options.redisUrl, keyPrefix: options.keyPrefix });
  const producer = await options.client.producer();
  const controller = new AbortController();
  const reading = consumeRecords({
    client: options.client,
    topic: [...kinds.keys()],
    groupId: options.groupId,
    fromBeginning: true,
    signal: controller.signal,
    onRecord: async (message) => {
      recording.arrived();
      const { topic, partition } = message;
      const kind = kinds.get(topic);
      if (kind === undefined) throw new Error(`naive peer: no kind for ${topic}`);
      const record = {
        key: message.key === null ? null : Buffer.from(message.key),
        value: message.value,
        offset: message.offset,
        timestampMs: Number(message.timestamp),
      };
      const decoded = decodeBatch(kind, [record], codec, { maxFutureSkewMs: 300_000 }, Date.now());
      for (const letter of decoded.deadLetters) {
        const dead = toDeadLetterRecord(letter, { topic, partition, groupId: options.groupId });
        await produceToTopics(producer, [{ topic: topics.dlq, records: [dead] }]);
      }
      for (const subject of decoded.subjects) {
        const states = await store.applySignals([subject]);
        const { fresh } = scoresToEmit(states, scorer, Date.now());
        for (const { cached, state } of fresh) {
          const [winner] = await store.saveScores([cached]);
          if (winner === null || winner === undefined) continue;
          const value = codec.encode('score', winner.score);
          const anchor = anchorFor(winner.score, value, state.salt);
          await produceRecords(producer, topics.scores, [{ key: winner.score.subjectId, value }]);
          const anchorValue = codec.encode('anchor', anchor);
          await produceRecords(producer, topics.anchors, [{ key: anchor.anchorId, value: anchorValue }]);
          await store.markEmitted([{ subjectId: state.subjectId, version: state.version }]);
          recording.scores += 1;
        }
      }
      // consumeRecords commits each record's offset once this returns.
      const now = Date.now();
      for (const t of decoded.timings) recording.latency(now - t.timestampMs);
      recording.batches += 1;
      recording.handled(1);
    },
  });
  reading.catch(() => undefined);
  let stopped: (() => void) | undefined;
  const done = new Promise<void>((resolve) => {
    stopped = resolve;
  });
  return {
    done,
    async stop() {
      controller.abort();
      await reading.catch(() => undefined);
      await producer.disconnect();
      await store.close();
      stopped?.();
    },
  };
}
