/**
 * Replaces kafkajs's crc32C (src/protocol/recordBatch/crc32C/crc32C.js and its index.js), the checksum of
 * every record batch it produces, with a slicing-by-8 version that returns the same values.
 *
 * kafkajs 2.2.4 looks up one table entry per byte; under live load that loop was 1.1% of the worker's CPU
 * once the record encoding was made exact-size (kafkajs-records.ts). Here eight bytes go through eight
 * precomputed tables (one Int32Array) per step, the rest byte by byte with kafkajs's table. Something
 * other than a Uint8Array (kafkajs passes Buffers) goes to kafkajs's own function.
 *
 * How, as in kafkajs-grouping.ts: kafkajs is CommonJS, and its one user of the checksum,
 * recordBatch/v0/index.js (the RecordBatch that kafkajs-records.ts keeps for compressed batches and whose
 * module it loads), takes it with `require('../crc32C')` when first loaded. This module runs before that
 * (kafka-client.ts imports it before kafkajs-records.ts) and puts its function in the require cache under
 * both originals' paths. If the user was loaded before, it throws rather than leave a half-applied patch.
 * No decoder checks CRCs (recordBatch/v0/decoder.js reads and ignores it). The test,
 * test/unit/ingest/kafkajs-crc32c.test.ts, compares the values with kafkajs's own.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const CRC_PATH = require.resolve('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js');
const INDEX_PATH = require.resolve('kafkajs/src/protocol/recordBatch/crc32C/index.js');
const USER_PATH = require.resolve('kafkajs/src/protocol/recordBatch/v0/index.js');

if (require.cache[USER_PATH] !== undefined || require.cache[INDEX_PATH] !== undefined) {
  throw new Error('kafkajs was loaded before its crc32C could be replaced');
}

type Crc32C = (buffer: Uint8Array) => number;

/** kafkajs's own crc32C (crc32C.js: already unsigned; index.js only converts it again). */
export const originalCrc32C = require(CRC_PATH) as Crc32C;

/** CRC-32C (Castagnoli), reflected: kafkajs's polynomial. */
const POLYNOMIAL = 0x82f63b78;

/** Table k (entries 256k to 256k + 255): the CRC of a byte followed by k zero bytes. */
const TABLES = new Int32Array(8 * 256);
for (let i = 0; i < 256; i++) {
  let crc = i;
  for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ POLYNOMIAL : crc >>> 1;
  TABLES[i] = crc;
}
for (let i = 0; i < 256; i++) {
  for (let k = 1; k < 8; k++) {
    const previous = TABLES[(k - 1) * 256 + i] as number;
    TABLES[k * 256 + i] = (previous >>> 8) ^ (TABLES[previous & 0xff] as number);
  }
}

/** kafkajs's crc32C (an unsigned 32-bit value), eight bytes at a time. */
export function crc32C(buffer: Uint8Array): number {
  if (!(buffer instanceof Uint8Array)) return originalCrc32C(buffer);
  const t = TABLES;
  const length = buffer.length;
  const end8 = length - (length & 7);
  let crc = -1;
  let i = 0;
  while (i < end8) {
    const low =
      crc ^
      ((buffer[i] as number) |
        ((buffer[i + 1] as number) << 8) |
        ((buffer[i + 2] as number) << 16) |
        ((buffer[i + 3] as number) << 24));
    crc =
      (t[1792 + (low & 0xff)] as number) ^
      (t[1536 + ((low >>> 8) & 0xff)] as number) ^
      (t[1280 + ((low >>> 16) & 0xff)] as number) ^
      (t[1024 + (low >>> 24)] as number) ^
      (t[768 + (buffer[i + 4] as number)] as number) ^
      (t[512 + (buffer[i + 5] as number)] as number) ^
      (t[256 + (buffer[i + 6] as number)] as number) ^
      (t[buffer[i + 7] as number] as number);
    i += 8;
  }
  while (i < length) {
    crc = (t[(crc ^ (buffer[i] as number)) & 0xff] as number) ^ (crc >>> 8);
    i += 1;
  }
  return (crc ^ -1) >>> 0;
}

const crcEntry = require.cache[CRC_PATH];
if (crcEntry === undefined) throw new Error('kafkajs crc32C is not in the require cache');
crcEntry.exports = crc32C;
// index.js wraps crc32C.js (now ours) in a conversion to unsigned (a Uint32Array per call): ours already is.
require(INDEX_PATH);
const indexEntry = require.cache[INDEX_PATH] as NodeJS.Module | undefined;
if (indexEntry === undefined) throw new Error('kafkajs crc32C is not in the require cache');
indexEntry.exports = crc32C;
