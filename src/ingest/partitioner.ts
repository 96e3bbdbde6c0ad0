/**
 * The producer's partitioner: the Java client's default for keyed records (murmur2 of the key's bytes,
 * made positive, modulo the topic's partition count), so a subject lands on the same partition whichever
 * client wrote it. Computed with 32-bit integer arithmetic (Math.imul). kafka-client.ts hands it to the
 * producer; test/unit/ingest/partitioner.test.ts checks it against the Java client's own vectors.
 */

const M = 0x5bd1e995;
const SEED = 0x9747b28c;

/** Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2) of `data`, as a signed 32-bit integer. */
export function murmur2(data: Uint8Array, length: number = data.length): number {
  let h = SEED ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i += 1) {
    const i4 = i * 4;
    let k =
      (data[i4] ?? 0) |
      ((data[i4 + 1] ?? 0) << 8) |
      ((data[i4 + 2] ?? 0) << 16) |
      ((data[i4 + 3] ?? 0) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  const tail = length & ~3;
  const rest = length & 3;
  // The Java switch falls through from case 3 to case 1.
  if (rest >= 3) h ^= (data[tail + 2] ?? 0) << 16;
  if (rest >= 2) h ^= (data[tail + 1] ?? 0) << 8;
  if (rest >= 1) {
    h ^= data[tail] ?? 0;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Reused for string keys: no Buffer per record. Grown when a key needs more. */
let scratch = Buffer.allocUnsafe(256);

/** The partition of a key among `partitions`, as the Java client picks it. */
export function partitionOfKey(key: string | Uint8Array, partitions: number): number {
  let hash: number;
  if (typeof key === 'string') {
    if (key.length * 3 > scratch.length) scratch = Buffer.allocUnsafe(key.length * 3);
    hash = murmur2(scratch, scratch.write(key, 'utf8'));
  } else {
    hash = murmur2(key);
  }
  return (hash & 0x7fffffff) % partitions;
}
