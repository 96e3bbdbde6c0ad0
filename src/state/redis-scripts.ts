/**
 * dmid's Lua scripts: read from disk once, run by SHA in pipelines, reloaded when Redis answers NOSCRIPT
 * (a restart, a failover or SCRIPT FLUSH empties the script cache), and Redis failures turned into
 * DmidErrors.
 *
 * NOSCRIPT is the only loading path, on purpose: the first batch of every process takes it, so the path a
 * failover needs is exercised all the time instead of only on the bad day. A command that got NOSCRIPT did
 * not run, so sending it again after SCRIPT LOAD is safe.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Cluster, type ChainableCommander } from 'ioredis';
import { DmidError } from '../errors.js';
import { clusterReady, groupByMaster, masters, type RedisClient } from './redis-cluster.js';

export interface LuaScript {
  /** File name, for error messages. */
  readonly name: string;
  readonly lua: string;
  /** Hex SHA-1 of `lua`, the name Redis knows the script by. */
  readonly sha: string;
  /** Keys of one subject: a call names one or more subjects' keys, in turn. */
  readonly keysPerSubject: number;
}

/**
 * Reads a script of src/state/. The path goes up to the package root and back into src/state/, so it is
 * the same file whether this module runs from src/ (tsx) or from dist/ (tsc emits no .lua files).
 */
export function readLuaScript(name: string, keysPerSubject: number): LuaScript {
  const lua = readFileSync(new URL(`../../src/state/${name}`, import.meta.url), 'utf8');
  return { name, lua, sha: createHash('sha1').update(lua).digest('hex'), keysPerSubject };
}

/** One call of a script: its keys (`keysPerSubject` for each subject, at least one) and arguments. */
export interface ScriptCall {
  readonly keys: readonly string[];
  readonly args: readonly (string | number)[];
}

/**
 * Redis error codes that mean "not now" rather than "never": a loading or busy server, a replica or a
 * cluster in failover, memory full. Any other error reply is a bug or a misconfiguration.
 */
const TRANSIENT_REPLY_CODES = new Set([
  'LOADING',
  'BUSY',
  'TRYAGAIN',
  'CLUSTERDOWN',
  'MASTERDOWN',
  'READONLY',
  'NOREPLICAS',
  'OOM',
  // A slot moved again after ioredis followed the redirections it may: the unit is retried with the new map.
  'MOVED',
  'ASK',
]);

function replyCode(error: Error): string | null {
  return error.name === 'ReplyError' ? (error.message.split(' ', 1)[0] ?? '') : null;
}

/**
 * The error to throw for a failed Redis operation. Connection trouble (not an error reply) and transient
 * replies are DMID_REDIS_UNAVAILABLE, which the worker retries; other replies are plain Errors, never
 * retried. Messages name the operation and the Redis error code only: ioredis puts the command arguments
 * (keys, signal payloads) on its reply errors, so those are replaced by a cause with Redis' message alone.
 */
export function redisFailure(operation: string, error: unknown): Error {
  if (!(error instanceof Error)) {
    return new DmidError('DMID_REDIS_UNAVAILABLE', `Redis ${operation} failed`, { cause: error });
  }
  const code = replyCode(error);
  if (code === null) {
    return new DmidError('DMID_REDIS_UNAVAILABLE', `Redis ${operation} failed (${error.name})`, {
      cause: error,
    });
  }
  const cause = new Error(error.message);
  if (TRANSIENT_REPLY_CODES.has(code)) {
    return new DmidError('DMID_REDIS_UNAVAILABLE', `Redis refused ${operation} (${code})`, { cause });
  }
  return new Error(`Redis rejected ${operation} (${code})`, { cause });
}

/** Runs `pipeline` and returns its replies; a pipeline that fails as a whole is a connection failure. */
export async function execPipeline(
  pipeline: ChainableCommander,
  operation: string,
): Promise<[Error | null, unknown][]> {
  let replies: [Error | null, unknown][] | null;
  try {
    replies = await pipeline.exec();
  } catch (error) {
    throw redisFailure(operation, error);
  }
  if (replies === null) throw new DmidError('DMID_REDIS_UNAVAILABLE', `Redis ${operation}: no replies`);
  return replies;
}

function queueCalls(redis: RedisClient, script: LuaScript, calls: readonly ScriptCall[], indexes: number[]) {
  const pipeline = redis.pipeline();
  for (const i of indexes) {
    const call = calls[i];
    if (call === undefined) throw new RangeError('script call index out of range');
    const keyCount = call.keys.length;
    if (keyCount === 0 || keyCount % script.keysPerSubject !== 0) {
      throw new RangeError(`${script.name}: wrong key count`);
    }
    pipeline.evalsha(script.sha, keyCount, ...call.keys, ...call.args);
  }
  return pipeline;
}

/**
 * Runs `script` once per call in one pipeline (one round trip; on Redis Cluster one pipeline per master, in
 * parallel) and returns the replies in call order. A call names the keys of one slot.
 */
export async function evalPipelined(
  redis: RedisClient,
  script: LuaScript,
  calls: readonly ScriptCall[],
): Promise<unknown[]> {
  if (!(redis instanceof Cluster)) return evalOnePipeline(redis, script, calls);
  await command('cluster connect', () => clusterReady(redis));
  const results: unknown[] = new Array<unknown>(calls.length);
  const groups = groupByMaster(
    redis,
    calls.map((call) => call.keys[0] ?? ''),
  );
  await Promise.all(
    groups.map(async (indexes) => {
      const replies = await evalOnePipeline(
        redis,
        script,
        indexes.map((i) => calls[i] ?? { keys: [], args: [] }),
      );
      indexes.forEach((index, j) => (results[index] = replies[j]));
    }),
  );
  return results;
}

/**
 * One pipeline of script calls. On NOSCRIPT the script is loaded (on every master) and only the calls that
 * got NOSCRIPT are sent again; a second NOSCRIPT in a row (a flush racing the load) is reported as
 * unavailable, to be retried.
 */
async function evalOnePipeline(
  redis: RedisClient,
  script: LuaScript,
  calls: readonly ScriptCall[],
): Promise<unknown[]> {
  const results: unknown[] = new Array<unknown>(calls.length);
  let pending = calls.map((_, i) => i);
  for (let attempt = 0; pending.length > 0; attempt += 1) {
    if (attempt === 2) {
      throw new DmidError('DMID_REDIS_UNAVAILABLE', `Redis lost ${script.name} right after loading it`);
    }
    const replies = await execPipeline(queueCalls(redis, script, calls, pending), script.name);
    const missing: number[] = [];
    replies.forEach(([error, value], j) => {
      const index = pending[j] ?? -1;
      if (error === null) results[index] = value;
      else if (replyCode(error) === 'NOSCRIPT') missing.push(index);
      else throw redisFailure(script.name, error);
    });
    if (missing.length > 0) await loadScript(redis, script);
    pending = missing;
  }
  return results;
}

/** Loads the script on every master: a failover promotes a replica whose script cache is empty. */
async function loadScript(redis: RedisClient, script: LuaScript): Promise<void> {
  await command(`SCRIPT LOAD ${script.name}`, () =>
    Promise.all(masters(redis).map((node) => node.script('LOAD', script.lua))),
  );
}

/** Runs one plain command, turning its failure into the error dmid reports. */
export async function command<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw redisFailure(operation, error);
  }
}
