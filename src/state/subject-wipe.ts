/**
 * Empties the subject state of a store (state, dedupe memory, cached score of every subject under a
 * prefix) before a rebuild, whatever a worker wrote into it after a loss. Relying-party keys, alert
 * deliveries, anchor proofs and the epoch are left alone: they do not come from the signal topics.
 */
import { isSubjectStateKey } from './redis-keys.js';
import { masters, type RedisClient } from './redis-cluster.js';
import { redisFailure } from './redis-scripts.js';

/** Deletes the subject keys under `prefix`; returns how many keys were deleted. */
export async function wipeSubjectState(redis: RedisClient, prefix: string): Promise<number> {
  let deleted = 0;
  try {
    for (const node of masters(redis)) {
      const stream = node.scanStream({ match: `${prefix}{*`, count: 1_000 });
      for await (const keys of stream as AsyncIterable<string[]>) {
        // One key per UNLINK: keys of several subjects are in several slots.
        for (const key of keys.filter((k) => isSubjectStateKey(prefix, k))) deleted += await node.unlink(key);
      }
    }
  } catch (error) {
    throw redisFailure('wipe subject state', error);
  }
  return deleted;
}
