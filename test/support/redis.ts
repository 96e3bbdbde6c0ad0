/**
 * Redis helpers for integration tests: a connection closed after the test and a unique key prefix whose
 * keys are deleted after it, so tests can share one Redis without seeing each other's data.
 */
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { Redis } from 'ioredis';

export function redisUrl(): string {
  const value = process.env.DMID_REDIS_URL?.trim();
  if (value === undefined || value === '') {
    throw new Error('DMID_REDIS_URL is not set: run integration tests through `npm test` (scripts/test.ts)');
  }
  return value;
}

export interface TestRedis {
  readonly redis: Redis;
  /** `test:<random>:`; every key starting with it is deleted after the test. */
  readonly prefix: string;
}

/** Deletes every key starting with `prefix` (a test's own keys; or a simulated wipe of its store). */
export async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

export async function redisFor(t: TestContext): Promise<TestRedis> {
  // No offline queue and few retries: a Redis that is not there fails the test fast instead of hanging.
  const redis = new Redis(redisUrl(), {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
  });
  await redis.connect();
  const prefix = `test:${randomBytes(6).toString('hex')}:`;
  t.after(async () => {
    try {
      await deleteByPrefix(redis, prefix);
    } finally {
      await redis.quit();
    }
  });
  return { redis, prefix };
}
