/**
 * The access log on Redis: one list per subject (`<prefix>{<subjectId>}:audit`, under the subject's hash
 * tag), each element `<hash> <record JSON>`. Appending is compare-and-append: the record is chained in
 * Node onto the tail it read, and a Lua script pushes it only if the tail is still that one (else the
 * caller reads the new tail and chains again), so concurrent API processes cannot fork a chain.
 */
import type { RedisClient } from '../state/redis-cluster.js';
import { assertSubjectId } from '../state/subject-input.js';
import { redisFailure } from '../state/redis-scripts.js';
import {
  chainRecord,
  GENESIS_HASH,
  parseAuditRecord,
  type AccessAudit,
  type AuditRecord,
} from './access-audit.js';

const APPEND_SCRIPT = `
local tail = redis.call('LINDEX', KEYS[1], -1)
local current = '${GENESIS_HASH}'
if tail then current = string.sub(tail, 1, 64) end
if current ~= ARGV[1] then return 0 end
redis.call('RPUSH', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

/** Attempts at appending before giving up (each loses only to another append of the same subject). */
const MAX_ATTEMPTS = 8;

export interface RedisAccessAuditOptions {
  /** A client that stays the caller's. */
  readonly redis: RedisClient;
  readonly keyPrefix?: string;
  /** Life of a subject's log after its last record, ms. */
  readonly ttlMs: number;
}

interface WithAppend {
  dmidAuditAppend(key: string, expectedTail: string, line: string, ttlMs: string): Promise<number>;
}

export function createRedisAccessAudit(options: RedisAccessAuditOptions): AccessAudit {
  const prefix = options.keyPrefix ?? 'dmid:';
  const redis = options.redis as RedisClient & Partial<WithAppend>;
  if (redis.dmidAuditAppend === undefined) {
    redis.defineCommand('dmidAuditAppend', { numberOfKeys: 1, lua: APPEND_SCRIPT });
  }
  const command = redis as RedisClient & WithAppend;
  const keyOf = (subjectId: string): string => {
    assertSubjectId(subjectId);
    return `${prefix}{${subjectId}}:audit`;
  };
  const tailOf = async (key: string): Promise<AuditRecord | null> => {
    const line = await redis.lindex(key, -1);
    return line === null ? null : parseAuditRecord(line.slice(65));
  };
  return {
    async record(event) {
      const key = keyOf(event.subjectId);
      try {
        for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
          const previous = await tailOf(key);
          const record = chainRecord(event, previous);
          const line = `${record.hash} ${JSON.stringify(record)}`;
          const expected = previous?.hash ?? GENESIS_HASH;
          if ((await command.dmidAuditAppend(key, expected, line, String(options.ttlMs))) === 1) return;
        }
      } catch (error) {
        throw redisFailure('auditRecord', error);
      }
      throw redisFailure('auditRecord', new Error('audit chain contended: too many concurrent appends'));
    },
    async read(subjectId) {
      let lines: string[];
      try {
        lines = await redis.lrange(keyOf(subjectId), 0, -1);
      } catch (error) {
        throw redisFailure('auditRead', error);
      }
      return lines.map((line) => parseAuditRecord(line.slice(65)));
    },
  };
}
