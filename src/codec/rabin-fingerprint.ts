/**
 * CRC-64-AVRO, the Rabin fingerprint the Avro specification defines for schema fingerprints
 * ("Schema Fingerprints" in the spec). Single-object encoding puts it after `C3 01`, little-endian.
 *
 * BigInt arithmetic: this runs once per schema at start-up, never per record, so clarity wins over speed.
 */

const MASK_64 = (1n << 64n) - 1n;

/** The spec's EMPTY: the fingerprint of zero bytes, and the polynomial the table is built from. */
export const RABIN_EMPTY = 0xc15d213aa4d7a795n;

const TABLE: readonly bigint[] = buildTable();

function buildTable(): bigint[] {
  const table: bigint[] = [];
  for (let i = 0; i < 256; i++) {
    let fp = BigInt(i);
    for (let bit = 0; bit < 8; bit++) {
      // -(fp & 1) in the spec's Java is all ones when the low bit is set: select EMPTY or 0.
      fp = (fp >> 1n) ^ ((fp & 1n) === 1n ? RABIN_EMPTY : 0n);
    }
    table.push(fp);
  }
  return table;
}

/** The fingerprint as an unsigned 64-bit integer. Strings are hashed as their UTF-8 bytes. */
export function rabinFingerprint64(data: string | Uint8Array): bigint {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fp = RABIN_EMPTY;
  for (const byte of bytes) {
    const entry = TABLE[Number((fp ^ BigInt(byte)) & 0xffn)];
    // The index is always 0..255 and the table has 256 entries.
    if (entry === undefined) throw new RangeError('rabin table index out of range');
    fp = ((fp >> 8n) ^ entry) & MASK_64;
  }
  return fp;
}

/** The fingerprint as the 8 bytes that follow `C3 01` in single-object encoding (little-endian). */
export function rabinFingerprint(data: string | Uint8Array): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(rabinFingerprint64(data));
  return out;
}
