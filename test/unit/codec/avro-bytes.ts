/**
 * A hand-rolled Avro binary writer for tests: builds bodies byte by byte, independently of avsc, so tests
 * can check dmid's encoding against the spec and craft exactly the broken bytes they need.
 */

/** Zig-zag varint of any 64-bit value (and beyond, to craft overlong ones). */
export function varint(value: bigint | number): Buffer {
  const n = BigInt(value);
  let unsigned = n >= 0n ? n << 1n : (-n << 1n) - 1n;
  const bytes: number[] = [];
  do {
    const low = Number(unsigned & 0x7fn);
    unsigned >>= 7n;
    bytes.push(unsigned === 0n ? low : low | 0x80);
  } while (unsigned !== 0n);
  return Buffer.from(bytes);
}

export function avroString(value: string): Buffer {
  const utf8 = Buffer.from(value, 'utf8');
  return Buffer.concat([varint(utf8.length), utf8]);
}

export function avroFloat(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeFloatLE(value);
  return out;
}

export function avroDouble(value: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeDoubleLE(value);
  return out;
}

/** A `["null", long]` union value. */
export function nullableLong(value: number | null): Buffer {
  return value === null ? varint(0) : Buffer.concat([varint(1), varint(value)]);
}
