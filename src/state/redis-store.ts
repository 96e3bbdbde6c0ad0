/**
 * The state store on Redis (see state-store.ts for the protocol). A batch costs one round trip per
 * operation: apply-signals.lua runs over the batch's subjects, up to `subjectsPerCall` of them per call,
 * all calls in one pipeline; scores and emitted marks go the same way. Each subject's update is atomic
 * because it happens inside one script call; subjects are independent, so the pipeline needs no
 * transaction.
 *
 * Several subjects per call because a call has a fixed cost on both sides (on Redis the command, the
 * script lookup, the KEYS and ARGV tables and the fixed arguments; in ioredis a command object, a promise
 * and a reply per call) that one subject's work does not dwarf.
 *
 * Windows are fields of the subject's one state hash (window-entry.ts), not a sorted set per dimension:
 * fewer keys and bytes per subject and no reads outside the script, which measured faster than either
 * sorted-set form. The figures behind both choices: docs/benchmarks.md, "The state store's shape".
 *
 * Redis Cluster: every key of a subject shares its hash tag (redis-keys.ts), so a call of one subject is
 * single-slot; on a cluster client the store makes one subject per call and one pipeline per master
 * (redis-scripts.ts, redis-cluster.ts).
 */
import { randomBytes } from 'node:crypto';
import { Cluster } from 'ioredis';
import { SIGNAL_KINDS } from '../codec/types.js';
import { DmidError } from '../errors.js';
import { parseCachedScore, serializeCachedScore, winner } from './cached-score.js';
import { WINDOW_SIZES } from './evidence.js';
import { createEvidenceCache, heldStateArg, type EvidenceCache } from './evidence-cache.js';
import { createKeyBuilder, DEFAULT_KEY_PREFIX, type SubjectKeys } from './redis-keys.js';
import { pushEventArgs, parseApplyReply, parseStateFields, STATE_FIELDS } from './redis-replies.js';
import { openRedis } from './redis-client.js';
import { masters, type RedisClient } from './redis-cluster.js';
import { command, evalPipelined, readLuaScript, type LuaScript, type ScriptCall } from './redis-scripts.js';
import type {
  ApplyResult,
  CachedScore,
  StateStore,
  StateStoreOptions,
  SubjectSignals,
} from './state-store.js';
import { createEpochGuard, type EpochGuard, type EpochRecord, type EpochStatus } from './store-epoch.js';
import { resolveStoreOptions, type ResolvedStoreOptions } from './store-options.js';
import { assertCachedScore, assertSubjectSignals, assertVersion } from './subject-input.js';

export interface RedisStoreOptions extends StateStoreOptions {
  /**
   * An ioredis client (`Redis`, or `Cluster` for Redis Cluster), which stays the caller's (close() leaves
   * it open), or a `redis://` / `rediss://` URL (several nodes, comma-separated: a cluster;
   * redis-client.ts), for which the store opens a client of its own and closes it in close().
   */
  readonly redis: RedisClient | string;
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
  /**
   * Most subjects in one script call (apply, save and mark each), integer >= 1. A call has a fixed cost
   * that one subject's work does not dwarf; several subjects share it (see the figures at the top of this
   * file), at the price of Redis answering nobody else while one call runs (about 30 µs per subject for
   * apply). Redis Cluster needs 1: a call may only name the keys of one slot. Default
   * {@link DEFAULT_SUBJECTS_PER_CALL}.
   */
  readonly subjectsPerCall?: number;
  /**
   * Replicas that must hold a unit's writes before its offsets are committed (awaitDurable: Redis `WAIT`).
   * 0: do not wait (a lost primary may then lose the last second of updates). Default 0.
   */
  readonly minReplicas?: number;
  /** How long awaitDurable waits for those replicas before it fails the unit, ms. Default 1,000. */
  readonly waitTimeoutMs?: number;
  /**
   * Whether applySignals and awaitDurable check the store's epoch (store-epoch.ts). Off only for the one
   * that writes the epoch's decisions: `dmid state rebuild`. Default true.
   */
  readonly checkEpoch?: boolean;
  /** Told each time the store epoch check changes its verdict (store-epoch.ts): log line and metric. */
  readonly onEpochStatus?: (status: EpochStatus, epoch: EpochRecord | null) => void;
}

export const DEFAULT_SUBJECTS_PER_CALL = 32;
export const DEFAULT_WAIT_TIMEOUT_MS = 1_000;

/** Seconds a copy of a subject's evidence is kept after its last use (see evidenceCopies). */
export const EVIDENCE_COPY_SECONDS = 60;
const DEFAULT_EVIDENCE_COPIES = 0;

/** The fixed arguments apply-signals.lua takes first (its ARGV[1..6]). */
function scriptHead(options: ResolvedStoreOptions): string[] {
  return [
    String(options.dedupeSize),
    String(options.stateTtlSeconds),
    ...SIGNAL_KINDS.map((kind) => String(WINDOW_SIZES[kind])),
  ];
}

/** What every operation of one store needs. */
interface RedisContext {
  readonly redis: RedisClient;
  readonly keysOf: (subjectId: string) => SubjectKeys;
  readonly options: ResolvedStoreOptions;
  /** ARGV[1..6] of apply-signals.lua. */
  readonly head: readonly string[];
  readonly subjectsPerCall: number;
  /** Copies of evidence returned before, or null when turned off. */
  readonly copies: EvidenceCache | null;
  readonly applyScript: LuaScript;
  readonly markScript: LuaScript;
  readonly saveScript: LuaScript;
  readonly epoch: EpochGuard;
}

/** The replies of calls made over runs of `perCall` subjects, flattened to one reply per subject. */
function perSubject(
  replies: readonly unknown[],
  subjects: number,
  perCall: number,
  script: string,
): unknown[] {
  const flat: unknown[] = [];
  replies.forEach((reply, call) => {
    const expected = Math.min(perCall, subjects - call * perCall);
    if (!Array.isArray(reply) || reply.length !== expected) {
      throw new Error(`state store: Redis returned a malformed ${script} reply`);
    }
    for (const item of reply as unknown[]) flat.push(item);
  });
  if (flat.length !== subjects) throw new Error(`state store: Redis returned a malformed ${script} reply`);
  return flat;
}

/** One script call per run of `perCall` subjects: `add` puts subject `i`'s keys and arguments in. */
function callsOver(
  count: number,
  perCall: number,
  head: readonly string[],
  add: (i: number, keys: string[], args: string[]) => void,
): ScriptCall[] {
  const calls: ScriptCall[] = [];
  for (let start = 0; start < count; start += perCall) {
    const keys: string[] = [];
    const args = [...head];
    for (let i = start; i < Math.min(count, start + perCall); i += 1) add(i, keys, args);
    calls.push({ keys, args });
  }
  return calls;
}

async function applySignals(ctx: RedisContext, batch: readonly SubjectSignals[]): Promise<ApplyResult[]> {
  if (batch.length === 0) return [];
  for (const subject of batch) assertSubjectSignals(subject);
  // One draw of randomness for the batch's salt candidates: a draw per subject cost more than the script.
  const salts = randomBytes(32 * batch.length).toString('hex');
  // Taken now: the reply is relative to the state named in the call, whatever the cache holds by then.
  const copies = batch.map((subject) => ctx.copies?.get(subject.subjectId));
  const calls = callsOver(batch.length, ctx.subjectsPerCall, ctx.head, (i, keys, args) => {
    const subject = batch[i];
    if (subject === undefined) throw new RangeError('subject index out of range');
    const subjectKeys = ctx.keysOf(subject.subjectId);
    keys.push(subjectKeys.state, subjectKeys.seen, subjectKeys.score);
    args.push(salts.slice(64 * i, 64 * i + 64), heldStateArg(copies[i]), String(subject.signals.length));
    for (const { kind, signal } of subject.signals) pushEventArgs(args, kind, signal);
  });
  // The epoch is checked alongside (sent on the same connection, no extra round trip): a worker on a store
  // that lost its data learns it before it scores anything from what is left.
  const [rawReplies] = await Promise.all([
    evalPipelined(ctx.redis, ctx.applyScript, calls),
    ctx.epoch.verify(),
  ]);
  const replies = perSubject(rawReplies, batch.length, ctx.subjectsPerCall, ctx.applyScript.name);
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
  if (scores.length === 0) return [];
  for (const cached of scores) assertCachedScore(cached);
  const head = [String(ctx.options.scoreTtlSeconds)];
  const calls = callsOver(scores.length, ctx.subjectsPerCall, head, (i, keys, args) => {
    const cached = scores[i];
    if (cached === undefined) throw new RangeError('score index out of range');
    keys.push(ctx.keysOf(cached.score.subjectId).score);
    args.push(String(cached.version), serializeCachedScore(cached));
  });
  const replies = perSubject(
    await evalPipelined(ctx.redis, ctx.saveScript, calls),
    scores.length,
    ctx.subjectsPerCall,
    ctx.saveScript.name,
  );
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
  if (entries.length === 0) return;
  for (const { version } of entries) assertVersion(version);
  const calls = callsOver(entries.length, ctx.subjectsPerCall, [], (i, keys, args) => {
    const entry = entries[i];
    if (entry === undefined) throw new RangeError('entry index out of range');
    keys.push(ctx.keysOf(entry.subjectId).state);
    args.push(String(entry.version));
  });
  const replies = perSubject(
    await evalPipelined(ctx.redis, ctx.markScript, calls),
    entries.length,
    ctx.subjectsPerCall,
    ctx.markScript.name,
  );
  for (const reply of replies) {
    if (typeof reply !== 'number') throw new Error('state store: Redis returned a malformed emitted version');
  }
}

/**
 * WAIT: blocks until the writes this connection made so far reached `minReplicas` replicas, or the timeout
 * passed; too few replicas fail the unit (retriable), so offsets are never committed for writes that one
 * failover could still take back.
 */
async function awaitReplicas(redis: RedisClient, minReplicas: number, timeoutMs: number): Promise<void> {
  if (minReplicas === 0) return;
  // On a cluster every master: WAIT counts the writes of the connection it is sent on, and this client
  // has one connection per master.
  const acks = await command('WAIT', () =>
    Promise.all(masters(redis).map((node) => node.wait(minReplicas, timeoutMs))),
  );
  const fewest = Math.min(...acks);
  if (fewest < minReplicas) {
    throw new DmidError(
      'DMID_REDIS_UNAVAILABLE',
      `Redis WAIT: ${fewest} of ${minReplicas} replicas acknowledged within ${timeoutMs} ms`,
    );
  }
}

async function ping(redis: RedisClient): Promise<void> {
  const reply = await command('PING', () => redis.ping());
  if (reply !== 'PONG') throw new DmidError('DMID_REDIS_UNAVAILABLE', 'Redis PING: unexpected reply');
}

const UNCHECKED_EPOCH: EpochGuard = { verify: () => Promise.resolve(), status: () => ({ changed: false }) };

/** Creates the Redis state store. Reads the Lua scripts from disk now; connects on first use. */
export function createRedisStore(options: RedisStoreOptions): StateStore {
  const {
    redis: client,
    keyPrefix = DEFAULT_KEY_PREFIX,
    evidenceCopies = DEFAULT_EVIDENCE_COPIES,
    subjectsPerCall = DEFAULT_SUBJECTS_PER_CALL,
    minReplicas = 0,
    waitTimeoutMs = DEFAULT_WAIT_TIMEOUT_MS,
    onEpochStatus,
    checkEpoch = true,
    ...tunables
  } = options;
  if (!Number.isSafeInteger(minReplicas) || minReplicas < 0) {
    throw new RangeError('state store: minReplicas must be an integer >= 0');
  }
  if (!Number.isSafeInteger(waitTimeoutMs) || waitTimeoutMs < 1) {
    throw new RangeError('state store: waitTimeoutMs must be an integer >= 1');
  }
  const resolved = resolveStoreOptions(tunables);
  if (!Number.isSafeInteger(evidenceCopies) || evidenceCopies < 0) {
    throw new RangeError('state store: evidenceCopies must be an integer >= 0');
  }
  if (!Number.isSafeInteger(subjectsPerCall) || subjectsPerCall < 1) {
    throw new RangeError('state store: subjectsPerCall must be an integer >= 1');
  }
  const keysOf = createKeyBuilder(keyPrefix);
  const applyScript = readLuaScript('apply-signals.lua', 3);
  const markScript = readLuaScript('mark-emitted.lua', 1);
  const saveScript = readLuaScript('save-score.lua', 1);
  // Only now, when nothing above can throw: a client opened before a throw would reconnect forever.
  const redis = typeof client === 'string' ? openRedis(client) : client;
  const ctx: RedisContext = {
    redis,
    keysOf,
    options: resolved,
    head: scriptHead(resolved),
    // A script call may name the keys of one slot only on a cluster.
    subjectsPerCall: redis instanceof Cluster ? 1 : subjectsPerCall,
    copies:
      evidenceCopies === 0
        ? null
        : createEvidenceCache({ maxSubjects: evidenceCopies, maxAgeMs: EVIDENCE_COPY_SECONDS * 1000 }),
    applyScript,
    markScript,
    saveScript,
    epoch: checkEpoch
      ? createEpochGuard({
          redis,
          prefix: keyPrefix,
          ...(onEpochStatus === undefined ? {} : { onStatus: onEpochStatus }),
        })
      : UNCHECKED_EPOCH,
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
    async awaitDurable() {
      await awaitReplicas(redis, minReplicas, waitTimeoutMs);
      await ctx.epoch.verify();
    },
    epochStatus: () => ctx.epoch.status(),
    ping: () => ping(redis),
    async close() {
      ctx.copies?.close();
      // A client the caller passed in is the caller's to close.
      if (typeof client === 'string') await redis.quit().catch(() => redis.disconnect());
    },
  };
}
