/**
 * The access log on Redis: one list per subject (`<prefix>{<subjectId>}:audit`, under the subject's hash
 * tag, src/state/redis-keys.ts), each element `<hash> <record JSON>`. Appending is compare-and-append: the
 * record is chained in Node onto the tail it expects, and a Lua script pushes it only if the tail is still
 * that one, so concurrent API processes cannot fork a chain.
 *
 * One round trip per record in the usual case: the expected tail is the one this process appended last
 * (kept for the most recent subjects) or, for a subject it has not seen, the empty chain. When the guess is
 * wrong (another process appended, or this one never saw the subject), the script answers the real tail and
 * the record is chained onto it and pushed again. A receipt grant asked with the record is sent in the same
 * pipeline (its key has no subject hash tag: on Redis Cluster, one pipeline per master, execPerMaster).
 */
import type { Redis } from 'ioredis';
import { execPerMaster, type RedisClient } from '../state/redis-cluster.js';
import { receiptGrantText } from '../access/access-store.js';
import { createPartyKeyBuilder, receiptGrantKey } from '../state/redis-keys.js';
import { redisFailure } from '../state/redis-scripts.js';
import {
  chainRecord,
  GENESIS_HASH,
  grantOf,
  parseAuditRecord,
  type AccessAudit,
  type AuditRecord,
} from './access-audit.js';

/** 1 when pushed; else the current tail line ('' for an empty chain). */
const APPEND_SCRIPT = `
local tail = redis.call('LINDEX', KEYS[1], -1)
local current = '${GENESIS_HASH}'
if tail then current = string.sub(tail, 1, 64) end
if current ~= ARGV[1] then return tail or '' end
redis.call('RPUSH', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

/** Attempts at appending before giving up (each loses only to another append of the same subject). */
const MAX_ATTEMPTS = 8;
/** Subjects whose last appended record this process keeps (a miss costs one more round trip, no more). */
const MAX_TAILS = 10_000;

export interface RedisAccessAuditOptions {
  /** A client that stays the caller's. */
  readonly redis: RedisClient;
  readonly keyPrefix?: string;
  /** Life of a subject's log after its last record, ms. */
  readonly ttlMs: number;
}

interface WithAppend {
  dmidAuditAppend(key: string, expectedTail: string, line: string, ttlMs: string): Promise<number | string>;
}

type AppendPipeline = ReturnType<Redis['pipeline']> & {
  dmidAuditAppend(key: string, expectedTail: string, line: string, ttlMs: string): unknown;
};

export function createRedisAccessAudit(options: RedisAccessAuditOptions): AccessAudit {
  const prefix = options.keyPrefix ?? 'dmid:';
  const keysOf = createPartyKeyBuilder(prefix);
  const redis = options.redis as RedisClient & Partial<WithAppend>;
  if (redis.dmidAuditAppend === undefined) {
    redis.defineCommand('dmidAuditAppend', { numberOfKeys: 1, lua: APPEND_SCRIPT });
  }
  const command = redis as RedisClient & WithAppend;
  const tails = new Map<string, AuditRecord>();
  const remember = (record: AuditRecord): void => {
    tails.delete(record.subjectId);
    tails.set(record.subjectId, record);
    for (const oldest of tails.keys()) {
      if (tails.size <= MAX_TAILS) break;
      tails.delete(oldest);
    }
  };
  const ttl = String(options.ttlMs);
  return {
    async record(event, recordOptions) {
      const key = keysOf(event.subjectId).audit;
      const grant = grantOf(event, recordOptions);
      let previous = tails.get(event.subjectId) ?? null;
      try {
        for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
          const record = chainRecord(event, previous);
          const line = `${record.hash} ${JSON.stringify(record)}`;
          const expected = previous?.hash ?? GENESIS_HASH;
          let answer: unknown;
          if (grant !== null && attempt === 0) {
            const grantKey = receiptGrantKey(prefix, event.party ?? '', grant.recordId);
            const until = recordOptions?.receiptGrantUntil ?? 0;
            const byCall = await execPerMaster(redis, [key, grantKey], (pipeline, i) => {
              if (i === 0) (pipeline as AppendPipeline).dmidAuditAppend(key, expected, line, ttl);
              else pipeline.set(grantKey, receiptGrantText(grant), 'PXAT', until);
            });
            answer = appendAnswer(byCall.flat());
          } else {
            answer = await command.dmidAuditAppend(key, expected, line, ttl);
          }
          if (answer === 1) {
            remember(record);
            return;
          }
          previous = answer === '' ? null : parseAuditRecord(String(answer).slice(65));
        }
      } catch (error) {
        throw redisFailure('auditRecord', error);
      }
      throw redisFailure('auditRecord', new Error('audit chain contended: too many concurrent appends'));
    },
    async read(subjectId) {
      let lines: string[];
      try {
        lines = await redis.lrange(keysOf(subjectId).audit, 0, -1);
      } catch (error) {
        throw redisFailure('auditRead', error);
      }
      return lines.map((line) => parseAuditRecord(line.slice(65)));
    },
  };
}

/** The append's answer (the first reply), or the first error of the calls. */
function appendAnswer(results: readonly [Error | null, unknown][]): unknown {
  for (const [error] of results) if (error) throw error;
  return results[0]?.[1];
}
