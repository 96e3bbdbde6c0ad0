/**
 * Avro single-object encoding: `C3 01`, the writer schema's 8-byte little-endian CRC-64-AVRO fingerprint,
 * then the Avro binary body.
 */
import { DmidError } from '../errors.js';

export const MAGIC_0 = 0xc3;
export const MAGIC_1 = 0x01;
export const FINGERPRINT_LENGTH = 8;
export const HEADER_LENGTH = 2 + FINGERPRINT_LENGTH;

/** Prefixes an Avro body with the single-object header of the schema it was written with. */
export function frame(fingerprint: Uint8Array, body: Uint8Array): Buffer {
  if (fingerprint.length !== FINGERPRINT_LENGTH) throw new RangeError('A fingerprint is 8 bytes');
  const out = Buffer.allocUnsafe(HEADER_LENGTH + body.length);
  out[0] = MAGIC_0;
  out[1] = MAGIC_1;
  out.set(fingerprint, 2);
  out.set(body, HEADER_LENGTH);
  return out;
}

/** A Buffer view of the same memory: avsc reads Buffers, Kafka clients may hand out plain Uint8Arrays. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Checks the header and returns the writer fingerprint as an unsigned 64-bit key. The magic is checked on
 * the bytes that are there first, so a short value that starts wrong is BAD_MAGIC, a short value that
 * starts right is TRUNCATED.
 */
export function readFingerprintKey(buf: Buffer): bigint {
  const first = buf[0];
  const second = buf[1];
  if ((first !== undefined && first !== MAGIC_0) || (second !== undefined && second !== MAGIC_1)) {
    throw new DmidError(
      'DMID_CODEC_BAD_MAGIC',
      'The value does not start with the Avro single-object marker.',
      {
        reason: 'DECODE_BAD_MAGIC',
      },
    );
  }
  if (buf.length < HEADER_LENGTH) {
    throw new DmidError('DMID_CODEC_TRUNCATED', 'The value ends inside the single-object header.', {
      reason: 'DECODE_TRUNCATED',
    });
  }
  return buf.readBigUInt64LE(2);
}
