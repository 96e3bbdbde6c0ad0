/**
 * The alert store on Redis. What was last seen of a subject is a string under the subject's hash tag
 * (`<prefix>{<subjectId>}:alerted`, expiring like its state); the delivery queue is a sorted set of ids by
 * due time plus a hash of the deliveries, and parked deliveries a hash, all three under the `{alerts}` hash
 * tag so that the claim script touches one Redis Cluster slot. Keys come from src/state/redis-keys.ts.
 */
import { execPerMaster, type PipelineReplies, type RedisClient } from '../state/redis-cluster.js';
import { createPartyKeyBuilder, globalPartyKeys } from '../state/redis-keys.js';
import { redisFailure } from '../state/redis-scripts.js';
import { DEFAULT_STATE_TTL_SECONDS } from '../state/state-store.js';
import { parseDelivery, parseSeen, type AlertStore, type Delivery } from './alert-store.js';

export interface RedisAlertStoreOptions {
  /** A client that stays the caller's (close() leaves it open). */
  readonly redis: RedisClient;
  /** Prefix of every key. Default `dmid:`. */
  readonly keyPrefix?: string;
  /** Seconds what was seen of a subject is kept. Default: the state TTL default (180 days). */
  readonly seenTtlSeconds?: number;
}

/**
 * Claims due deliveries by moving their due time to the end of a lease.
 * KEYS[1] the due sorted set (member: delivery id, score: due ms); KEYS[2] the deliveries hash.
 * ARGV[1] now, ms; ARGV[2] lease end, ms; ARGV[3] most deliveries to claim.
 * Returns the JSON of each claimed delivery. An id without a delivery (a half-finished complete) is removed.
 */
const CLAIM_SCRIPT = `
local ids = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(ids) do
  local body = redis.call('HGET', KEYS[2], id)
  if body then
    redis.call('ZADD', KEYS[1], 'XX', ARGV[2], id)
    table.insert(out, body)
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out
`;

async function command<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw redisFailure(operation, error);
  }
}

export function createRedisAlertStore(options: RedisAlertStoreOptions): AlertStore {
  const { redis } = options;
  const keysOf = createPartyKeyBuilder(options.keyPrefix);
  const keys = globalPartyKeys(options.keyPrefix);
  const ttl = options.seenTtlSeconds ?? DEFAULT_STATE_TTL_SECONDS;
  const store = (d: Delivery): string => JSON.stringify(d);
  return {
    async readSeen(ids) {
      if (ids.length === 0) return [];
      // Subjects live in many slots: one GET each, one pipeline per master on a cluster (not MGET).
      const seenKeys = ids.map((id) => keysOf(id).alerted);
      const replies = await command('readSeen', () =>
        execPerMaster(redis, seenKeys, (p, i) => p.get(seenKeys[i] ?? '')),
      );
      return repliesOf('readSeen', replies).map((text) =>
        typeof text === 'string' ? parseSeen(text) : null,
      );
    },
    async writeSeen(entries) {
      if (entries.length === 0) return;
      const seenKeys = entries.map(({ subjectId }) => keysOf(subjectId).alerted);
      const replies = await command('writeSeen', () =>
        execPerMaster(redis, seenKeys, (p, i) =>
          p.set(seenKeys[i] ?? '', JSON.stringify(entries[i]?.seen), 'EX', ttl),
        ),
      );
      repliesOf('writeSeen', replies);
    },
    async enqueue(deliveries, dueAt) {
      if (deliveries.length === 0) return;
      const multi = redis.multi();
      for (const d of deliveries) {
        multi.hsetnx(keys.deliveries, d.deliveryId, store(d)).zadd(keys.due, 'NX', dueAt, d.deliveryId);
      }
      await command('enqueue', () => multi.exec());
    },
    async claimDue(nowMs, leaseUntil, limit) {
      const reply = await command('claimDue', () =>
        redis.eval(CLAIM_SCRIPT, 2, keys.due, keys.deliveries, nowMs, leaseUntil, limit),
      );
      if (!Array.isArray(reply)) throw new Error('alert store: Redis returned a malformed claim');
      return reply.map((text) => parseDelivery(String(text)));
    },
    async retry(delivery, dueAt) {
      await command('retry', () =>
        redis
          .multi()
          .hset(keys.deliveries, delivery.deliveryId, store(delivery))
          .zadd(keys.due, dueAt, delivery.deliveryId)
          .exec(),
      );
    },
    async complete(deliveryId) {
      await command('complete', () =>
        redis.multi().zrem(keys.due, deliveryId).hdel(keys.deliveries, deliveryId).exec(),
      );
    },
    async park(delivery) {
      await command('park', () =>
        redis
          .multi()
          .zrem(keys.due, delivery.deliveryId)
          .hdel(keys.deliveries, delivery.deliveryId)
          .hset(keys.parked, delivery.deliveryId, store(delivery))
          .exec(),
      );
    },
    async parked(clientId) {
      const all = await command('parked', () => redis.hgetall(keys.parked));
      return Object.values(all)
        .map(parseDelivery)
        .filter((d) => d.clientId === clientId)
        .sort((a, b) => a.createdAt - b.createdAt);
    },
    async requeueParked(clientId, nowMs) {
      const mine = (await this.parked(clientId)).map((d) => ({ ...d, attempts: 0 }));
      if (mine.length === 0) return 0;
      const multi = redis.multi();
      for (const d of mine) {
        multi.hdel(keys.parked, d.deliveryId).hset(keys.deliveries, d.deliveryId, store(d));
        multi.zadd(keys.due, nowMs, d.deliveryId);
      }
      await command('requeueParked', () => multi.exec());
      return mine.length;
    },
    close: () => Promise.resolve(),
  };
}

/** The first reply of each call; a command that failed fails the operation (DMID_REDIS_UNAVAILABLE). */
function repliesOf(operation: string, byCall: readonly PipelineReplies[]): unknown[] {
  return byCall.map((replies) => {
    const [error, reply] = replies[0] ?? [new Error('no reply'), null];
    if (error !== null) throw redisFailure(operation, error);
    return reply;
  });
}
