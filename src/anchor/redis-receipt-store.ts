/**
 * The receipt store on Redis (protocol in receipt-store.ts; keys built in src/state/redis-keys.ts). Every
 * operation is one pipeline; entries expire after the configured TTL, refreshed when rewritten.
 * What is stored names no subject: anchor ids, hashes, the subject commitment, ledger positions.
 */
import { Redis } from 'ioredis';
import { z } from 'zod';
import { createAnchorKeyBuilder, DEFAULT_KEY_PREFIX } from '../state/redis-keys.js';
import { redisFailure } from '../state/redis-scripts.js';
import type { LedgerRef } from './ledger/ledger.js';
import { count, hex32, leafSchema, ledgerSchema } from './receipt.js';
import {
  DEFAULT_RECEIPT_TTL_SECONDS,
  receiptOf,
  type AnchorRecord,
  type ReceiptStore,
  type StoredProof,
} from './receipt-store.js';

export interface RedisReceiptStoreOptions {
  /** An ioredis client (stays the caller's) or a `redis://` URL (the store opens and closes its own). */
  readonly redis: Redis | string;
  /** Prefix of every key. Default `dmid:`. */
  readonly keyPrefix?: string;
  /** Life of entries, seconds. Default {@link DEFAULT_RECEIPT_TTL_SECONDS} (400 days). */
  readonly ttlSeconds?: number;
}

const storedProofSchema: z.ZodType<StoredProof> = z.strictObject({
  leaf: leafSchema,
  leafHash: hex32,
  leafIndex: count,
  root: hex32,
  size: count.min(1),
  proof: z.array(hex32).max(64),
});

/** A stored value that does not parse is a bug or tampering: never silently a missing receipt. */
function parseStored<T>(schema: z.ZodType<T>, json: string, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error(`receipt store: a stored ${what} is not JSON`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`receipt store: a stored ${what} is malformed`);
  return parsed.data;
}

async function run<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw redisFailure(operation, error);
  }
}

/** The replies of a pipeline, each checked for an error. */
async function execPipeline(operation: string, pipeline: ReturnType<Redis['pipeline']>): Promise<unknown[]> {
  const replies = await run(operation, () => pipeline.exec());
  return (replies ?? []).map(([error, reply]) => {
    if (error !== null) throw redisFailure(operation, error);
    return reply;
  });
}

export function createRedisReceiptStore(options: RedisReceiptStoreOptions): ReceiptStore {
  const keys = createAnchorKeyBuilder(options.keyPrefix ?? DEFAULT_KEY_PREFIX);
  const ttl = options.ttlSeconds ?? DEFAULT_RECEIPT_TTL_SECONDS;
  const own = typeof options.redis === 'string';
  const redis =
    typeof options.redis === 'string'
      ? new Redis(options.redis, { maxRetriesPerRequest: 1, connectTimeout: 5_000 })
      : options.redis;
  if (own) redis.on('error', () => undefined);

  async function readAnchors(ids: readonly string[]): Promise<(AnchorRecord | null)[]> {
    if (ids.length === 0) return [];
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.hmget(keys.anchor(id), 'proof', 'sent');
    const replies = await execPipeline('readAnchors', pipeline);
    return replies.map((reply) => {
      const [proof, sent] = Array.isArray(reply) ? (reply as (string | null)[]) : [];
      if (typeof proof !== 'string') return null;
      return { proof: parseStored(storedProofSchema, proof, 'proof'), sent: sent === '1' };
    });
  }

  async function readBatches(roots: readonly string[]): Promise<(LedgerRef | null)[]> {
    if (roots.length === 0) return [];
    const replies = await run('readBatches', () => redis.mget(...roots.map((r) => keys.batch(r))));
    return replies.map((reply) => (reply === null ? null : parseStored(ledgerSchema, reply, 'ledger entry')));
  }

  return {
    readAnchors,
    async saveProofs(proofs) {
      if (proofs.length === 0) return;
      const pipeline = redis.pipeline();
      for (const p of proofs) {
        const key = keys.anchor(p.leaf.anchorId);
        const { leaf, leafHash, leafIndex, root, size, proof } = p;
        pipeline.hset(key, 'proof', JSON.stringify({ leaf, leafHash, leafIndex, root, size, proof }));
        pipeline.hdel(key, 'sent');
        pipeline.expire(key, ttl);
      }
      await execPipeline('saveProofs', pipeline);
    },
    async markSent(ids) {
      if (ids.length === 0) return;
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hset(keys.anchor(id), 'sent', '1');
      await execPipeline('markSent', pipeline);
    },
    readBatches,
    async saveBatch(root, ref) {
      await run('saveBatch', () => redis.set(keys.batch(root), JSON.stringify(ref), 'EX', ttl));
    },
    async readReceipt(anchorId) {
      const [record] = await readAnchors([anchorId]);
      if (record === undefined || record === null) return null;
      const [ledger] = await readBatches([record.proof.root]);
      return ledger === undefined || ledger === null ? null : receiptOf(record.proof, ledger);
    },
    async ping() {
      await run('PING', () => redis.ping());
    },
    async close() {
      if (own) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
