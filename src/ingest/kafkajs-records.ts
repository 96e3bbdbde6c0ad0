/**
 * Replaces kafkajs's record and record-batch encoders (src/protocol/recordBatch/record/v0/index.js and the
 * `RecordBatch` export of src/protocol/recordBatch/v0/index.js), which produce requests v3 and later use,
 * with versions that write the same bytes into one buffer of the exact size.
 *
 * kafkajs 2.2.4 encodes every record into its own Encoder (a zero-filled 512-byte buffer, grown by copying),
 * copies the records into a batch body that grows by doubling and copying, copies the body into the batch
 * behind its CRC and the batch again into the record set. Under live load everything below
 * produce/v3/request.js was 11.6% of the worker's CPU. Here `Record` returns an object that knows its
 * encoded size and writes itself into a target buffer, and `RecordBatch` sizes the batch, allocates it
 * once and writes header, records and crc32C (kafkajs-crc32c.ts) in place. The result is what kafkajs
 * returns: an Encoder over the bytes, which produce/v3/request.js measures (`size()`) and copies
 * (`writeEncoder`).
 *
 * What is not the plain case goes to kafkajs's own code, so the bytes (or the error) stay kafkajs's: a
 * compressed batch (kafkajs's RecordBatch, which reads the records as Encoders: ours are, on demand), a
 * record whose key or value is neither null, a string nor a Buffer, whose header values are neither strings,
 * Buffers nor arrays of them, or whose deltas are not numbers (the timestamp delta: an integer within
 * ±2^52) goes to kafkajs's Record, whose bytes are kept.
 *
 * How, as in kafkajs-grouping.ts: kafkajs is CommonJS and its two users of these modules
 * (produce/v3/request.js, fetch/v4/decodeMessages.js) take them with `require()` when first loaded. This
 * module runs before that (kafka-client.ts imports it before kafkajs) and puts its versions in the require
 * cache under the originals' paths; the batch module's other exports (MAGIC_BYTE) are kafkajs's. If a user
 * was loaded before, it throws rather than leave a half-applied patch. kafkajs is pinned by
 * package-lock.json; test/unit/ingest/kafkajs-records.test.ts compares the bytes with kafkajs's own and
 * checks that these are the versions kafkajs uses.
 */
import { createRequire } from 'node:module';
// Before kafkajs's record-batch module, which takes crc32C when loaded (and so does this one).
import './kafkajs-crc32c.js';

/** A kafkajs Encoder, as far as it is used here. */
export interface KafkaEncoder {
  buf: Buffer;
  offset: number;
  readonly buffer: Buffer;
  size(): number;
}

/** kafkajs's BigInt-backed Long (src/utils/long.js), as far as it is used here. */
interface KafkaLong {
  getHighBits(): number;
  getLowBits(): number;
}

interface KafkaLongClass {
  fromInt(value: number): unknown;
  fromValue(value: unknown): KafkaLong;
}

/** What kafkajs's Record takes (produce/v3/request.js passes the message with the two deltas). */
export interface RecordArguments {
  readonly offsetDelta?: unknown;
  readonly timestampDelta?: unknown;
  readonly key?: unknown;
  readonly value?: unknown;
  readonly headers?: unknown;
}

/** What kafkajs's RecordBatch takes. */
export interface RecordBatchArguments {
  readonly compression?: unknown;
  readonly firstOffset?: unknown;
  readonly firstTimestamp?: unknown;
  readonly maxTimestamp?: unknown;
  readonly partitionLeaderEpoch?: unknown;
  readonly lastOffsetDelta?: unknown;
  readonly transactional?: unknown;
  readonly producerId?: unknown;
  readonly producerEpoch?: unknown;
  readonly firstSequence?: unknown;
  readonly records?: unknown;
}

type RecordFunction = (args: RecordArguments) => KafkaEncoder | EncodedRecord;
type RecordBatchFunction = (args: RecordBatchArguments) => Promise<KafkaEncoder>;

const require = createRequire(import.meta.url);
const RECORD_PATH = require.resolve('kafkajs/src/protocol/recordBatch/record/v0/index.js');
const BATCH_PATH = require.resolve('kafkajs/src/protocol/recordBatch/v0/index.js');
const USERS = [
  require.resolve('kafkajs/src/protocol/requests/produce/v3/request.js'),
  require.resolve('kafkajs/src/protocol/requests/fetch/v4/decodeMessages.js'),
];

if (USERS.some((path) => require.cache[path] !== undefined)) {
  throw new Error('kafkajs was loaded before its record encoding could be replaced');
}

const Encoder = require('kafkajs/src/protocol/encoder.js') as { prototype: object };
const Long = require('kafkajs/src/utils/long.js') as KafkaLongClass;
const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (buffer: Buffer) => number;
const MAGIC_BYTE_OFFSET = 16;

/** kafkajs's own Record, kept for the fallbacks and for the test that compares the two. */
export const originalRecord = require(RECORD_PATH) as (args: RecordArguments) => KafkaEncoder;
/** kafkajs's own record-batch module (RecordBatch, MAGIC_BYTE), unchanged. */
export const originalRecordBatchModule = require(BATCH_PATH) as {
  readonly RecordBatch: (args: RecordBatchArguments) => Promise<KafkaEncoder>;
  readonly MAGIC_BYTE: number;
};
const originalRecordBatch = originalRecordBatchModule.RecordBatch;

// Varints exactly as kafkajs's Encoder computes them: 32-bit zigzag (`<<`, `>>`), then 7 bits at a time
// while anything above the low 7 is set (`& 0xffffff80`, i.e. `& -128` on an int32).

function zigZag(value: number): number {
  return (value << 1) ^ (value >> 31);
}

function sizeOfUVarInt(value: number): number {
  let bytes = 1;
  while ((value & -128) !== 0) {
    bytes += 1;
    value >>>= 7;
  }
  return bytes;
}

function writeUVarInt(target: Buffer, offset: number, value: number): number {
  while ((value & -128) !== 0) {
    target[offset++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  target[offset++] = value & 0x7f;
  return offset;
}

/** Deltas written here; beyond, the zigzag value (below) would not be exact as a double. */
const MAX_TIMESTAMP_DELTA = 2 ** 52 - 1;

/** A varlong's zigzag value for an integer of at most MAX_TIMESTAMP_DELTA: below 2^53, exact. */
function zigZag64(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

function sizeOfUVarLong(value: number): number {
  let bytes = 1;
  while (value >= 128) {
    bytes += 1;
    value = Math.floor(value / 128);
  }
  return bytes;
}

function writeUVarLong(target: Buffer, offset: number, value: number): number {
  while (value >= 128) {
    target[offset++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  target[offset++] = value;
  return offset;
}

/** Size of a varint length and the bytes (kafkajs's writeVarIntBytes), -1 for null. */
function sizeOfBytes(length: number): number {
  return length < 0 ? 1 : sizeOfUVarInt(zigZag(length)) + length;
}

function byteLength(value: string | Buffer | null): number {
  return value === null ? -1 : typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length;
}

function writeBytes(target: Buffer, offset: number, value: string | Buffer | null, length: number): number {
  offset = writeUVarInt(target, offset, zigZag(length));
  if (value === null) return offset;
  if (typeof value === 'string') target.write(value, offset, length, 'utf8');
  else target.set(value, offset);
  return offset + length;
}

/** A key or value kafkajs encodes as we do: null (and undefined), a string or a Buffer; else undefined. */
function plainBytes(value: unknown): string | Buffer | null | undefined {
  if (value == null) return null;
  if (typeof value === 'string' || Buffer.isBuffer(value)) return value;
  return undefined;
}

/**
 * One record, encoded on demand. Also a stand-in for the Encoder kafkajs's Record returns (`buf`,
 * `buffer`, `size()`), for kafkajs's own RecordBatch on compressed batches.
 */
export abstract class EncodedRecord {
  #bytes: Buffer | undefined;

  /** Encoded size in bytes, length prefix included. */
  abstract readonly encodedSize: number;

  /** Writes the record at `offset` (exactly `encodedSize` bytes); returns the offset after it. */
  abstract writeInto(target: Buffer, offset: number): number;

  /** The record's bytes in a buffer of their own. */
  get buf(): Buffer {
    if (this.#bytes === undefined) {
      const bytes = Buffer.allocUnsafe(this.encodedSize);
      if (this.writeInto(bytes, 0) !== bytes.length) throw new Error('record size mismatch');
      this.#bytes = bytes;
    }
    return this.#bytes;
  }

  get buffer(): Buffer {
    return this.buf;
  }

  size(): number {
    return this.encodedSize;
  }
}

/** A record kept as its fields; written straight into the batch. */
class FieldRecord extends EncodedRecord {
  readonly encodedSize: number;

  constructor(
    private readonly bodySize: number,
    private readonly offsetDelta: number,
    private readonly timestampZigZag: number,
    private readonly key: string | Buffer | null,
    private readonly keyLength: number,
    private readonly value: string | Buffer | null,
    private readonly valueLength: number,
    /** Header key, key length, value, value length, repeated; null without headers. */
    private readonly headers: (string | Buffer | number)[] | null,
  ) {
    super();
    this.encodedSize = sizeOfUVarInt(zigZag(bodySize)) + bodySize;
  }

  writeInto(target: Buffer, offset: number): number {
    offset = writeUVarInt(target, offset, zigZag(this.bodySize));
    target[offset++] = 0; // attributes
    offset = writeUVarLong(target, offset, this.timestampZigZag);
    offset = writeUVarInt(target, offset, zigZag(this.offsetDelta));
    offset = writeBytes(target, offset, this.key, this.keyLength);
    offset = writeBytes(target, offset, this.value, this.valueLength);
    const headers = this.headers;
    if (headers === null) {
      target[offset++] = 0; // no headers: varint 0
      return offset;
    }
    offset = writeUVarInt(target, offset, zigZag(headers.length / 4));
    for (let i = 0; i < headers.length; i += 4) {
      offset = writeBytes(target, offset, headers[i] as string, headers[i + 1] as number);
      offset = writeBytes(target, offset, headers[i + 2] as string | Buffer, headers[i + 3] as number);
    }
    return offset;
  }
}

/** A record kafkajs's own Record encoded (the cases not written here). */
class PreEncodedRecord extends EncodedRecord {
  readonly encodedSize: number;

  constructor(private readonly bytes: Buffer) {
    super();
    this.encodedSize = bytes.length;
  }

  writeInto(target: Buffer, offset: number): number {
    target.set(this.bytes, offset);
    return offset + this.bytes.length;
  }
}

/**
 * Header key, key length, value, value length for each header (kafkajs's order: keys in `Object.keys`
 * order, an array value as one header per element), null for none; undefined when a value is not a
 * string or a Buffer.
 */
function headerFields(headers: object): (string | Buffer | number)[] | null | undefined {
  const keys = Object.keys(headers);
  if (keys.length === 0) return null;
  const fields: (string | Buffer | number)[] = [];
  const record = headers as { readonly [key: string]: unknown };
  for (const key of keys) {
    const value = record[key];
    const values: readonly unknown[] = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (typeof v !== 'string' && !Buffer.isBuffer(v)) return undefined;
      fields.push(key, Buffer.byteLength(key, 'utf8'), v, byteLength(v));
    }
  }
  return fields.length === 0 ? null : fields;
}

/** kafkajs's Record (recordBatch/record/v0), the same bytes, encoded when its batch is written. */
export function Record(args: RecordArguments): EncodedRecord {
  const { offsetDelta = 0, timestampDelta = 0, key, value, headers } = args;
  return (
    plainRecord(key, value, headers, offsetDelta, timestampDelta) ??
    new PreEncodedRecord(originalRecord(args).buffer)
  );
}

/**
 * Record's fields after kafkajs's defaults (but headers'), encoded here; undefined when kafkajs's Record
 * has to encode them. Also the entry point of produce/v3/request.js's replacement (kafkajs-produce.ts).
 */
export function plainRecord(
  key: unknown,
  value: unknown,
  headers: unknown,
  offsetDelta: unknown,
  timestampDelta: unknown,
): EncodedRecord | undefined {
  const plainKey = plainBytes(key);
  const plainValue = plainBytes(value);
  // kafkajs's default for headers is {}: none.
  const fields =
    headers === undefined
      ? null
      : typeof headers === 'object' && headers !== null
        ? headerFields(headers)
        : undefined;
  if (
    plainKey === undefined ||
    plainValue === undefined ||
    fields === undefined ||
    typeof offsetDelta !== 'number' ||
    typeof timestampDelta !== 'number' ||
    !Number.isInteger(timestampDelta) ||
    Math.abs(timestampDelta) > MAX_TIMESTAMP_DELTA
  ) {
    return undefined;
  }
  const keyLength = byteLength(plainKey);
  const valueLength = byteLength(plainValue);
  const timestampZigZag = zigZag64(timestampDelta);
  let headersSize = 1;
  if (fields !== null) {
    headersSize = sizeOfUVarInt(zigZag(fields.length / 4));
    for (let i = 0; i < fields.length; i += 4) {
      headersSize += sizeOfBytes(fields[i + 1] as number) + sizeOfBytes(fields[i + 3] as number);
    }
  }
  const bodySize =
    1 + // attributes
    sizeOfUVarLong(timestampZigZag) +
    sizeOfUVarInt(zigZag(offsetDelta)) +
    sizeOfBytes(keyLength) +
    sizeOfBytes(valueLength) +
    headersSize;
  return new FieldRecord(
    bodySize,
    offsetDelta,
    timestampZigZag,
    plainKey,
    keyLength,
    plainValue,
    valueLength,
    fields,
  );
}

/** kafkajs's Encoder.writeInt64: any value kafkajs's Long takes. */
function writeInt64(target: Buffer, offset: number, value: unknown): void {
  const long = Long.fromValue(value);
  target.writeInt32BE(long.getHighBits(), offset);
  target.writeInt32BE(long.getLowBits(), offset + 4);
}

/** FirstOffset, Length, PartitionLeaderEpoch, Magic, CRC, then the body up to the record count. */
const BATCH_HEADER_SIZE = 8 + 4 + 4 + 1 + 4 + (2 + 4 + 8 + 8 + 8 + 2 + 4 + 4);
/** Where the CRC'd body starts (Attributes). */
const BODY_OFFSET = 8 + 4 + 4 + 1 + 4;
const TRANSACTIONAL_MASK = 16;

/**
 * kafkajs's RecordBatch (recordBatch/v0): the same bytes, in one buffer of the batch's size, as an
 * Encoder. Compressed batches and records that are not ours go to kafkajs's.
 */
export async function RecordBatch(args: RecordBatchArguments): Promise<KafkaEncoder> {
  const records = args.records === undefined ? [] : args.records;
  if (
    (args.compression !== undefined && args.compression !== 0) ||
    !Array.isArray(records) ||
    !records.every((r) => r instanceof EncodedRecord)
  ) {
    return originalRecordBatch(args);
  }
  const {
    firstOffset = Long.fromInt(0),
    firstTimestamp = Date.now(),
    maxTimestamp = Date.now(),
    partitionLeaderEpoch = 0,
    lastOffsetDelta = 0,
    transactional = false,
    producerId = Long.fromValue(-1),
    producerEpoch = 0,
    firstSequence = 0,
  } = args;
  const list = records as readonly EncodedRecord[];
  let size = BATCH_HEADER_SIZE;
  for (const record of list) size += record.encodedSize;
  const target = Buffer.allocUnsafe(size);

  // In kafkajs's order: the body, then the batch around it, then the record set around that.
  let offset = BODY_OFFSET;
  offset = target.writeInt16BE(transactional ? TRANSACTIONAL_MASK : 0, offset);
  offset = target.writeInt32BE(lastOffsetDelta as number, offset);
  writeInt64(target, offset, firstTimestamp);
  writeInt64(target, offset + 8, maxTimestamp);
  writeInt64(target, offset + 16, producerId);
  offset += 24;
  offset = target.writeInt16BE(producerEpoch as number, offset);
  offset = target.writeInt32BE(firstSequence as number, offset);
  offset = target.writeInt32BE(list.length, offset);
  for (const record of list) offset = record.writeInto(target, offset);
  if (offset !== size) throw new Error(`record batch size mismatch: ${offset} of ${size} bytes`);

  target.writeInt32BE(partitionLeaderEpoch as number, 12);
  target.writeInt8(originalRecordBatchModule.MAGIC_BYTE, MAGIC_BYTE_OFFSET);
  target.writeUInt32BE(crc32C(target.subarray(BODY_OFFSET)), 17);
  writeInt64(target, 0, firstOffset);
  target.writeInt32BE(size - 12, 8);

  const encoder = Object.create(Encoder.prototype) as KafkaEncoder;
  encoder.buf = target;
  encoder.offset = size;
  return encoder;
}

const recordEntry = require.cache[RECORD_PATH];
const batchEntry = require.cache[BATCH_PATH];
if (recordEntry === undefined || batchEntry === undefined) {
  throw new Error('kafkajs record encoding is not in the require cache');
}
recordEntry.exports = Record satisfies RecordFunction;
batchEntry.exports = {
  ...originalRecordBatchModule,
  RecordBatch: RecordBatch satisfies RecordBatchFunction,
};
