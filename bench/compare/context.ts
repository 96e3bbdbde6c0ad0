/**
 * What every part of the side-by-side benchmark shares: the connections, the progress display, and fresh
 * topics and Redis key prefixes per measurement (each cleaned up at the end of the run).
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { allTopics, topicNames } from '../../src/config.js';
import type { KafkaAdmin, KafkaProducer } from '../../src/ingest/kafka-client.js';
import { ensureTopics } from '../../src/ingest/topics.js';
import type { Progress } from './progress.js';

export const PARTITIONS = 12;

export interface CompareContext {
  readonly brokers: string;
  readonly redisUrl: string;
  readonly admin: KafkaAdmin;
  readonly producer: KafkaProducer;
  readonly redis: Redis;
  readonly progress: Progress;
  readonly subjects: number;
  readonly runId: string;
  /** `--profile DIR`: contenders write V8 CPU profiles there. */
  readonly profileDir?: string;
  /** Topic prefixes and key prefixes made, for cleanup. */
  readonly made: { topics: string[]; keyPrefixes: string[] };
}

/** Fresh topics (all of the contract's, 12 partitions) under a new prefix. */
export async function freshTopics(ctx: CompareContext, label: string): Promise<string> {
  const prefix = `cmp-${ctx.runId}-${label}-${randomBytes(3).toString('hex')}.`;
  const names = allTopics(topicNames(prefix));
  await ensureTopics(
    ctx.admin,
    names.map((name) => ({ name, partitions: PARTITIONS, replicationFactor: 1 })),
  );
  ctx.made.topics.push(...names);
  return prefix;
}

export function freshKeyPrefix(ctx: CompareContext): string {
  const prefix = `bench:${ctx.runId}:${randomBytes(3).toString('hex')}:`;
  ctx.made.keyPrefixes.push(prefix);
  return prefix;
}
