/**
 * The state store on Redis (see state-store.ts for the protocol). A batch costs one round trip per
 * operation: apply-signals.lua once per subject, all calls in one pipeline; scores and emitted marks are
 * pipelined the same way. Each subject's update is atomic because it is one script call; subjects are
 * independent, so the pipeline needs no transaction.
 *
 * Windows are fields of the subject's one state hash (window-entry.ts), not a sorted set per dimension.
 * Both were measured (bench/state-store-apply.ts and a sorted-set prototype with the same entries as
 * members, 500 subjects × 1 event per batch, windows full): sorted sets took 7 keys and 17 KB per subject,
 * 63–71 µs of Lua per call (four ZRANGEs inside the script) and 6,600–7,200 events/s; with the reads
 * moved out of the script into a MULTI, 31 µs of Lua but 9 commands per subject for ioredis and
 * 5,100–5,400 events/s. The hash: 3 keys, 8.3 KB, about 55 µs and 7,100–8,000 events/s.
 *
 * Redis Cluster: every key of a subject shares its hash tag (redis-keys.ts), so each script call is
 * single-slot. This adapter takes a standalone client; a cluster client would have to split the pipeline
 * by node, which it does not do yet.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { SIGNAL_KINDS } from '../codec/types.js';
import { DmidError } from '../errors.js';
import { parseCachedScore, serializeCachedScore, winner } from './cached-score.js';
import { WINDOW_SIZES } from './evidence.js';
import { createEvidenceCache, heldStateArg, type EvidenceCache } from './evidence-cache.js';
import { createKeyBuilder, DEFAULT_KEY_PREFIX, type SubjectKeys } from './redis-keys.js';
import { eventArgs, parseApplyReply, parseStateFields, STATE_FIELDS } from './redis-replies.js';
import {
  evalPipelined,
  readLuaScript,
  redisFailure,
  type LuaScript,
  type ScriptCall,
} from './redis-scripts.js';
import type {
  ApplyResult,
  CachedScore,
  StateStore,
  StateStoreOptions,
  SubjectSignals,
} from './state-store.js';
import { resolveStoreOptions, type ResolvedStoreOptions } from './store-options.js';
import { assertCachedScore, assertSubjectSignals, assertVersion } from './subject-input.js';

export interface RedisStoreOptions extends StateStoreOptions {
  /**
   * An ioredis client, which stays the caller's (close() leaves it open), or a `redis://` / `rediss://`
   * URL, for which the store opens a client of its own and closes it in close().
   */
  readonly redis: Redis | string;
  /** Prefix of every key; tests isolate themselves with a random one. Default `dmid:`. */
  readonly keyPrefix?: string;
  /**
   * Subjects whose evidence the store keeps a copy of, so that their windows need not come back from
   * Redis on the next apply (evidence-cache.ts); 0 turns the copies off. Each copy lives at most
   * {@link EVIDENCE_COPY_SECONDS} after its last use. A copy of full windows (80 signals) takes 21 KB of
   * heap, so 20,000 copies cost up to 430 MB when every subject's windows are full. Default 0 (off): with
   * the benchmark's short-lived subjects (windows of a few signals) they cost more than they save (see
   * docs/benchmarks.md); they pay off for subjects with full windows whose events come in bursts.
   */
  readonly evidenceCopies?: number;
}

/** Seconds a copy of a subject's evidence is kept after its last use (see evidenceCopies). */
export const EVIDENCE_COPY_SECONDS = 60;
const DEFAULT_EVIDENCE_COPIES = 0;

/**
 * Settings of a client the store opens itself. One retry, then the command fails: the worker decides
 * what to do about a Redis that is down (pause, retry the batch), rather than commands queueing forever.
 */
const OWN_CLIENT_OPTIONS = { maxRetriesPerRequest: 1, connectTimeout: 5_000 } as const;

function openClient(url: string): Redis {
  const redis = new Redis(url, OWN_CLIENT_OPTIONS);
  // Connection errors also fail the commands that need the connection, which report them as
  // DMID_REDIS_UNAVAILABLE; without a listener ioredis would print every reconnect attempt.
  redis.on('error', () => undefined);
  return redis;
}

/** The fixed arguments apply-signals.lua takes first (its ARGV[1..6]; ARGV[7] is a fresh salt per call). */
function scriptHead(options: ResolvedStoreOptions): string[] {
  return [
    String(options.dedupeSize),
    String(options.stateTtlSeconds),
    ...SIGNAL_KINDS.map((kind) => String(WINDOW_SIZES[kind])),
  ];
}

/** What every operation of one store needs. */
interface RedisContext {
  readonly redis: Redis;
  readonly keysOf: (subjectId: string) => SubjectKeys;
  readonly options: ResolvedStoreOptions;
  /** ARGV[1..6] of apply-signals.lua. */
  readonly head: readonly string[];
  /** Copies of evidence returned before, or null when turned off. */
  readonly copies: EvidenceCache | null;
  readonly applyScript: LuaScript;
  readonly markScript: LuaScript;
  readonly saveScript: LuaScript;
}

async function applySignals(ctx: RedisContext, batch: readonly SubjectSignals[]): Promise<ApplyResult[]> {
  // One draw of randomness for the batch's salt candidates: a draw per subject cost more than the script.
  const salts = randomBytes(32 * batch.length).toString('hex');
  // Taken now: the reply is relative to the state named in the call, whatever the cache holds by then.
  const copies = batch.map((subject) => ctx.copies?.get(subject.subjectId));
  const calls: ScriptCall[] = batch.map((subject, i) => {
    assertSubjectSignals(subject);
    const keys = ctx.keysOf(subject.subjectId);
    const args = [...ctx.head, salts.slice(64 * i, 64 * i + 64), heldStateArg(copies[i])];
    for (const { kind, signal } of subject.signals) args.push(...eventArgs(kind, signal));
    return { keys: [keys.state, keys.seen, keys.score], args };
  });
  if (calls.length === 0) return [];
  const replies = await evalPipelined(ctx.redis, ctx.applyScript, calls);
  return batch.map((subject, i) => {
    const result = parseApplyReply(subject, replies[i], copies[i]);
    // A state of version 0 has no salt stored yet, so there is nothing a later call could name.
    if (result.version > 0) {
      const { salt, version, evidence } = result;
      ctx.copies?.remember(subject.subjectId, { salt, version, evidence });
    }
    return result;
  });
}

/** save-score.lua's reply when the caller's score was saved. */
const SAVED = 1;

async function saveScores(
  ctx: RedisContext,
  scores: readonly CachedScore[],
): Promise<(CachedScore | null)[]> {
  const calls = scores.map((cached) => {
    assertCachedScore(cached);
    const value = serializeCachedScore(cached);
    return {
      keys: [ctx.keysOf(cached.score.subjectId).score],
      args: [cached.version, value, ctx.options.scoreTtlSeconds],
    };
  });
  if (calls.length === 0) return [];
  const replies = await evalPipelined(ctx.redis, ctx.saveScript, calls);
  // 1: this score was saved (save-score.lua); else the score cached before, which wins or supersedes it.
  return scores.map((cached, i) =>
    replies[i] === SAVED
      ? cached
      : winner(cached, parseCachedScore(cached.score.subjectId, replies[i] ?? null)),
  );
}

async function markEmitted(
  ctx: RedisContext,
  entries: readonly { readonly subjectId: string; readonly version: number }[],
): Promise<void> {
  const calls = entries.map(({ subjectId, version }) => {
    assertVersion(version);
    return { keys: [ctx.keysOf(subjectId).state], args: [version] };
  });
  if (calls.length === 0) return;
  const replies = await evalPipelined(ctx.redis, ctx.markScript, calls);
  for (const reply of replies) {
    if (typeof reply !== 'number') throw new Error('state store: Redis returned a malformed emitted version');
  }
}

/** Runs one plain command, turning its failure into the error dmid reports. */
async function command<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw redisFailure(operation, error);
  }
}

async function ping(redis: Redis): Promise<void> {
  const reply = await command('PING', () => redis.ping());
  if (reply !== 'PONG') throw new DmidError('DMID_REDIS_UNAVAILABLE', 'Redis PING: unexpected reply');
}

/** Creates the Redis state store. Reads the Lua scripts from disk now; connects on first use. */
export function createRedisStore(options: RedisStoreOptions): StateStore {
  const {
    redis: client,
    keyPrefix = DEFAULT_KEY_PREFIX,
    evidenceCopies = DEFAULT_EVIDENCE_COPIES,
    ...tunables
  } = options;
  const resolved = resolveStoreOptions(tunables);
  if (!Number.isSafeInteger(evidenceCopies) || evidenceCopies < 0) {
    throw new RangeError('state store: evidenceCopies must be an integer >= 0');
  }
  const keysOf = createKeyBuilder(keyPrefix);
  const applyScript = readLuaScript('apply-signals.lua', 3);
  const markScript = readLuaScript('mark-emitted.lua', 1);
  const saveScript = readLuaScript('save-score.lua', 1);
  // Only now, when nothing above can throw: a client opened before a throw would reconnect forever.
  const redis = typeof client === 'string' ? openClient(client) : client;
  const ctx: RedisContext = {
    redis,
    keysOf,
    options: resolved,
    head: scriptHead(resolved),
    copies:
      evidenceCopies === 0
        ? null
        : createEvidenceCache({ maxSubjects: evidenceCopies, maxAgeMs: EVIDENCE_COPY_SECONDS * 1000 }),
    applyScript,
    markScript,
    saveScript,
  };
  return {
    applySignals: (batch) => applySignals(ctx, batch),
    saveScores: (scores) => saveScores(ctx, scores),
    markEmitted: (entries) => markEmitted(ctx, entries),
    async readScore(subjectId) {
      const key = ctx.keysOf(subjectId).score;
      return parseCachedScore(subjectId, await command('readScore', () => redis.get(key)));
    },
    async readState(subjectId) {
      const key = ctx.keysOf(subjectId).state;
      return parseStateFields(subjectId, await command('readState', () => redis.hmget(key, ...STATE_FIELDS)));
    },
    async eraseSubject(subjectId) {
      const keys = ctx.keysOf(subjectId);
      ctx.copies?.forget(subjectId);
      // One DEL of keys in one slot (one hash tag): the subject disappears at once, salt included.
      const deleted = await command('eraseSubject', () => redis.del(keys.state, keys.seen, keys.score));
      return deleted > 0;
    },
    ping: () => ping(redis),
    async close() {
      ctx.copies?.close();
      // A client the caller passed in is the caller's to close.
      if (typeof client === 'string') await redis.quit().catch(() => redis.disconnect());
    },
  };
}
