/**
 * The receipt store on Redis (protocol in receipt-store.ts; keys built in src/state/redis-keys.ts). Every
 * operation is one pipeline; entries expire after the configured TTL, refreshed when rewritten.
 * What is stored names no subject: anchor ids, hashes, the subject commitment, ledger positions.
 */
import { z } from 'zod';
import { openRedis } from '../state/redis-client.js';
import { execPerMaster, type PipelineReplies, type RedisClient } from '../state/redis-cluster.js';
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
  readonly redis: RedisClient | string;
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

/**
 * The last reply of each call of a pipeline run per master (execPerMaster), each command checked for an
 * error: anchors and batches live in many slots, so a cluster needs one pipeline per master.
 */
async function execCalls(operation: string, call: () => Promise<PipelineReplies[]>): Promise<unknown[]> {
  const byCall = await run(operation, call);
  return byCall.map((replies) => {
    let last: unknown = null;
    for (const [error, reply] of replies) {
      if (error !== null) throw redisFailure(operation, error);
      last = reply;
    }
    return last;
  });
}

export function createRedisReceiptStore(options: RedisReceiptStoreOptions): ReceiptStore {
  const keys = createAnchorKeyBuilder(options.keyPrefix ?? DEFAULT_KEY_PREFIX);
  const ttl = options.ttlSeconds ?? DEFAULT_RECEIPT_TTL_SECONDS;
  const own = typeof options.redis === 'string';
  const redis =
    // openRedis: a Cluster client for a URL naming several nodes, with the error listener it needs.
    typeof options.redis === 'string' ? openRedis(options.redis) : options.redis;

  async function readAnchors(ids: readonly string[]): Promise<(AnchorRecord | null)[]> {
    if (ids.length === 0) return [];
    const anchorKeys = ids.map((id) => keys.anchor(id));
    const replies = await execCalls('readAnchors', () =>
      execPerMaster(redis, anchorKeys, (p, i) => p.hmget(anchorKeys[i] ?? '', 'proof', 'sent')),
    );
    return replies.map((reply) => {
      const [proof, sent] = Array.isArray(reply) ? (reply as (string | null)[]) : [];
      if (typeof proof !== 'string') return null;
      return { proof: parseStored(storedProofSchema, proof, 'proof'), sent: sent === '1' };
    });
  }

  async function readBatches(roots: readonly string[]): Promise<(LedgerRef | null)[]> {
    if (roots.length === 0) return [];
    const batchKeys = roots.map((r) => keys.batch(r));
    const replies = await execCalls('readBatches', () =>
      execPerMaster(redis, batchKeys, (p, i) => p.get(batchKeys[i] ?? '')),
    );
    return replies.map((reply) =>
      typeof reply === 'string' ? parseStored(ledgerSchema, reply, 'ledger entry') : null,
    );
  }

  return {
    readAnchors,
    async saveProofs(proofs) {
      if (proofs.length === 0) return;
      const anchorKeys = proofs.map((p) => keys.anchor(p.leaf.anchorId));
      await execCalls('saveProofs', () =>
        execPerMaster(redis, anchorKeys, (pipeline, i) => {
          const key = anchorKeys[i];
          const saved = proofs[i];
          if (key === undefined || saved === undefined) return;
          const { leaf, leafHash, leafIndex, root, size, proof } = saved;
          pipeline.hset(key, 'proof', JSON.stringify({ leaf, leafHash, leafIndex, root, size, proof }));
          pipeline.hdel(key, 'sent');
          pipeline.expire(key, ttl);
        }),
      );
    },
    async markSent(ids) {
      if (ids.length === 0) return;
      const anchorKeys = ids.map((id) => keys.anchor(id));
      await execCalls('markSent', () =>
        execPerMaster(redis, anchorKeys, (p, i) => p.hset(anchorKeys[i] ?? '', 'sent', '1')),
      );
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
