/**
 * The token bucket of token-bucket.ts, kept in Redis so that every API process shares it: a client (or a
 * source address) gets the same limit however many processes answer it. One round trip per request: a Lua
 * script refills, takes and stores the bucket atomically, on the Redis server's clock (TIME), so processes
 * with skewed clocks cannot hand out extra tokens.
 *
 * Tokens are counted in thousandths (integers), so nothing goes through Lua's float-to-reply conversion.
 */
import type { RedisClient } from '../state/redis-cluster.js';
import { redisFailure } from '../state/redis-scripts.js';
import type { RateLimiter, Take, TokenBucketOptions } from './token-bucket.js';

const TAKE_SCRIPT = `
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local stored = redis.call('HMGET', KEYS[1], 't', 'at')
local tokens = tonumber(stored[1]) or capacity
local at = tonumber(stored[2]) or now
local elapsed = now - at
if elapsed < 0 then elapsed = 0 end
tokens = math.min(capacity, tokens + elapsed * rate)
local ok = 0
if tokens >= 1000 then
  tokens = tokens - 1000
  ok = 1
end
redis.call('HSET', KEYS[1], 't', tokens, 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate) + 1000)
if ok == 1 then return {1, 0} end
return {0, math.ceil((1000 - tokens) / rate)}
`;

export interface RedisRateLimiterOptions extends Omit<TokenBucketOptions, 'now'> {
  readonly redis: RedisClient;
  /** Prefix of every key. Default `dmid:`. */
  readonly keyPrefix?: string;
}

interface WithTakeCommand {
  dmidTakeToken(key: string, rate: string, capacity: string): Promise<[number, number]>;
}

export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const prefix = options.keyPrefix ?? 'dmid:';
  const redis = options.redis as RedisClient & Partial<WithTakeCommand>;
  if (redis.dmidTakeToken === undefined) {
    redis.defineCommand('dmidTakeToken', { numberOfKeys: 1, lua: TAKE_SCRIPT });
  }
  const command = redis as RedisClient & WithTakeCommand;
  // Rate in thousandths of a token per millisecond equals tokens per second.
  const rate = String(options.ratePerSecond);
  const capacity = String(options.burst * 1000);
  return {
    async take(key): Promise<Take> {
      let reply: [number, number];
      try {
        reply = await command.dmidTakeToken(`${prefix}ratelimit:${key}`, rate, capacity);
      } catch (error) {
        throw redisFailure('takeToken', error);
      }
      const [ok, waitMs] = reply;
      return ok === 1
        ? { ok: true }
        : { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    },
  };
}
