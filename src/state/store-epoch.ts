/**
 * The store-wide epoch: a random id written when the store is first used. Redis that restarts empty, a
 * wiped database or a failover to a replica that never had the data lose it with everything else; a worker
 * that finds its epoch missing or replaced stops committing (and so consuming), says why on /readyz, in
 * `dmid_state_epoch_changed` and in one log line, and goes on only after an operator's decision, recorded
 * in the store by `dmid state accept-epoch` or `dmid state rebuild` (docs/operations.md).
 *
 * Why a store-wide marker on top of the per-subject salts (which already keep ids from being reused,
 * src/anchor/ids.ts): a lost subject looks exactly like a new one, so without the epoch a loss would be
 * silent; the evidence it held would simply be gone from every later score.
 *
 *   <prefix>{epoch}      hash: id (32 hex), decision, decidedAt (epoch ms)
 *   <prefix>{epoch}:log  list: JSON of every decision, newest first
 *
 * Decisions: `first-use` (written by the first worker on an empty store), `accepted` (an operator accepted
 * the store as it is), `rebuilding` (a rebuild is under way: workers wait), `rebuilt` (a rebuild finished).
 * A worker adopts an epoch it did not start with only when an operator decided it (`accepted`, `rebuilt`).
 */
import { randomBytes } from 'node:crypto';
import { DmidError } from '../errors.js';
import { epochKeys } from './redis-keys.js';
import type { RedisClient } from './redis-cluster.js';
import { redisFailure } from './redis-scripts.js';
import type { EpochCause, EpochStatus } from './state-store.js';

export type { EpochCause, EpochStatus } from './state-store.js';

export const EPOCH_DECISIONS = ['first-use', 'accepted', 'rebuilding', 'rebuilt'] as const;
export type EpochDecision = (typeof EPOCH_DECISIONS)[number];

export interface EpochRecord {
  readonly id: string;
  readonly decision: EpochDecision;
  readonly decidedAt: number;
}

function parseRecord(fields: Record<string, string>): EpochRecord | null {
  const { id, decision, decidedAt } = fields;
  if (id === undefined) return null;
  if (!/^[0-9a-f]{32}$/.test(id) || !EPOCH_DECISIONS.some((d) => d === decision)) {
    throw new Error('state store: the epoch record is malformed');
  }
  return { id, decision: decision as EpochDecision, decidedAt: Number(decidedAt) };
}

export async function readEpoch(redis: RedisClient, prefix: string): Promise<EpochRecord | null> {
  try {
    return parseRecord(await redis.hgetall(epochKeys(prefix).epoch));
  } catch (error) {
    throw redisFailure('read epoch', error);
  }
}

/**
 * Records an operator's (or first use's) decision: `id` null keeps the current id, or draws a new one when
 * there is none. Returns the record written. `onlyIfAbsent`: write nothing when an epoch exists (first use
 * racing another worker), and return the one that exists.
 */
export async function recordEpoch(
  redis: RedisClient,
  prefix: string,
  decision: EpochDecision,
  options: { readonly newId?: boolean; readonly onlyIfAbsent?: boolean; readonly now?: number } = {},
): Promise<EpochRecord> {
  const keys = epochKeys(prefix);
  const current = await readEpoch(redis, prefix);
  if (options.onlyIfAbsent === true && current !== null) return current;
  const id = options.newId === true || current === null ? randomBytes(16).toString('hex') : current.id;
  const record: EpochRecord = { id, decision, decidedAt: options.now ?? Date.now() };
  try {
    if (options.onlyIfAbsent === true) {
      // HSETNX on `id` decides the race between two first workers; the loser adopts the winner's id.
      const won = await redis.hsetnx(keys.epoch, 'id', id);
      if (won === 0) return (await readEpoch(redis, prefix)) ?? record;
    }
    await redis
      .multi()
      .hset(keys.epoch, 'id', id, 'decision', decision, 'decidedAt', String(record.decidedAt))
      .lpush(keys.log, JSON.stringify({ ...record, previous: current?.id ?? null }))
      .exec();
  } catch (error) {
    throw redisFailure('record epoch', error);
  }
  return record;
}

export interface EpochGuard {
  /**
   * Resolves when the store still carries this worker's epoch (the first call adopts the store's, or
   * writes one on an empty store); else throws a retriable DMID_STATE_EPOCH_CHANGED, so the unit is not
   * committed and is retried until an operator decides.
   */
  verify(): Promise<void>;
  status(): EpochStatus;
}

export interface EpochGuardOptions {
  readonly redis: RedisClient;
  readonly prefix: string;
  /** Called on every change of status (into and out of "changed"): the log line and the metric. */
  readonly onStatus?: (status: EpochStatus, epoch: EpochRecord | null) => void;
}

export function createEpochGuard(options: EpochGuardOptions): EpochGuard {
  let expected: string | null = null;
  let status: EpochStatus = { changed: false };
  const setStatus = (next: EpochStatus, record: EpochRecord | null): void => {
    if (next.changed === status.changed && (!next.changed || !status.changed || next.cause === status.cause))
      return;
    status = next;
    options.onStatus?.(next, record);
  };
  const fail = (cause: EpochCause, record: EpochRecord | null): never => {
    setStatus({ changed: true, cause }, record);
    throw new DmidError('DMID_STATE_EPOCH_CHANGED', `state store epoch ${cause}: waiting for an operator`);
  };
  return {
    async verify() {
      let record = await readEpoch(options.redis, options.prefix);
      if (expected === null && record === null) {
        record = await recordEpoch(options.redis, options.prefix, 'first-use', { onlyIfAbsent: true });
      }
      if (record === null) return fail('missing', null);
      if (record.decision === 'rebuilding') return fail('rebuilding', record);
      const decided = record.decision === 'accepted' || record.decision === 'rebuilt';
      if (expected === null || (record.id !== expected && decided)) expected = record.id;
      if (record.id !== expected) return fail('changed', record);
      setStatus({ changed: false }, record);
    },
    status: () => status,
  };
}
