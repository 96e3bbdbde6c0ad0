/**
 * What Redis Cluster needs of dmid's stores: one pipeline per master (ioredis refuses a pipeline whose
 * keys live on several masters), scripts loaded on every master, WAIT on every master.
 *
 * A pipeline's calls are grouped by the master that serves their first key's slot, as the client last saw
 * the slot map. A slot that moved since answers MOVED (ioredis follows it and refreshes its map, up to
 * `maxRedirections`, src/state/redis-client.ts); whatever is still refused fails the unit, and the unit is
 * retried with the refreshed map.
 */
import { Cluster, type Redis } from 'ioredis';

export type RedisClient = Redis | Cluster;

/** CRC16-CCITT (XModem), the hash Redis Cluster puts keys into its 16,384 slots with. */
const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i += 1) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit += 1)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

function crc16(bytes: Buffer): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ (CRC16_TABLE[((crc >> 8) ^ byte) & 0xff] ?? 0);
  return crc;
}

/** The slot of a key: of its hash tag (the first non-empty `{…}`) when it has one, as Redis computes it. */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return crc16(Buffer.from(key.slice(open + 1, close), 'utf8')) % 16_384;
  }
  return crc16(Buffer.from(key, 'utf8')) % 16_384;
}

/** Resolves once the cluster client knows the slot map (it connects on creation, asynchronously). */
export async function clusterReady(cluster: Cluster): Promise<void> {
  if (cluster.slots.length > 0 && cluster.status === 'ready') return;
  // Queued by ioredis until the cluster is ready; fails after connectTimeout when it never is.
  await cluster.ping();
}

/**
 * Indexes of `firstKeys` grouped by the master serving each key's slot. Keys of a slot the map does not
 * cover go to one group of their own (their pipeline is sent anyway; the cluster answers what it knows).
 */
export function groupByMaster(cluster: Cluster, firstKeys: readonly string[]): number[][] {
  const groups = new Map<string, number[]>();
  firstKeys.forEach((key, i) => {
    const master = cluster.slots[keySlot(key)]?.[0] ?? '?';
    const group = groups.get(master);
    if (group === undefined) groups.set(master, [i]);
    else group.push(i);
  });
  return [...groups.values()];
}

/** The servers that hold writes: every master of a cluster, or the one server. */
export function masters(redis: RedisClient): Redis[] {
  return redis instanceof Cluster ? redis.nodes('master') : [redis];
}

/** The replies of a pipeline, `[error, reply]` per queued command, as ioredis gives them. */
export type PipelineReplies = [Error | null, unknown][];

/**
 * Queues `add(pipeline, i)` for each of `firstKeys` (the key the i-th call's commands touch) and runs it:
 * one pipeline on a single server, one pipeline per master on a cluster (ioredis refuses a pipeline whose
 * keys live on several masters). The replies come back in call order, each call's commands together.
 */
export async function execPerMaster(
  redis: RedisClient,
  firstKeys: readonly string[],
  add: (pipeline: ReturnType<Redis['pipeline']>, i: number) => void,
): Promise<PipelineReplies[]> {
  const groups = redis instanceof Cluster ? groupByMaster(redis, firstKeys) : [firstKeys.map((_, i) => i)];
  const byCall: PipelineReplies[] = new Array<PipelineReplies>(firstKeys.length);
  await Promise.all(
    groups.map(async (group) => {
      const pipeline = redis.pipeline();
      const sizes = group.map((i) => {
        const before = pipeline.length;
        add(pipeline, i);
        return pipeline.length - before;
      });
      const replies = ((await pipeline.exec()) ?? []) as PipelineReplies;
      let at = 0;
      group.forEach((i, g) => {
        const size = sizes[g] ?? 0;
        byCall[i] = replies.slice(at, at + size);
        at += size;
      });
    }),
  );
  return byCall;
}
