/**
 * The simulator's seeded pseudo-random number generator: sfc32 (Chris Doty-Humphrey's Small Fast
 * Counting generator, 128 bits of state, passes PractRand to 2^40+ bytes), seeded by hashing a text seed
 * with cyrb128. Chosen over `Math.random` because the simulator must replay byte for byte from a seed,
 * and over a cryptographic generator because it draws tens of numbers per event on the hot path.
 *
 * Not for secrets: the sequence is predictable from the seed by design.
 */

/** A seed as a user gives it; numbers and their decimal text (`42` and `'42'`) give the same sequence. */
export type Seed = number | string;

const TWO_POW_32 = 4_294_967_296;
const BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** cyrb128: four 32-bit hashes of a string, well mixed even for short or similar inputs. */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** A seeded sfc32 generator with the distributions the simulator needs. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /**
   * @param seed the user's seed.
   * @param stream a name for an independent sequence from the same seed (e.g. `population`, `bad`), so
   *   that drawing more numbers in one part of the simulator never shifts the numbers of another.
   */
  constructor(seed: Seed, stream = '') {
    [this.a, this.b, this.c, this.d] = cyrb128(`${String(seed)}\u0000${stream}`);
    // The first outputs of a freshly seeded sfc32 are correlated with the seed; the reference
    // implementation discards them.
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  float(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Uniform in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.float();
  }

  /** A uniform integer in [min, maxExclusive). */
  int(min: number, maxExclusive: number): number {
    return min + Math.floor(this.float() * (maxExclusive - min));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** Normal (Gaussian) by Box–Muller; no cached spare, so the state is only the four words. */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.float(); // (0, 1]: log(0) is not finite
    const v = this.float();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Normal clamped to [min, max]: scores and qualities are bounded, their noise is not. */
  clampedNormal(mean: number, sd: number, min: number, max: number): number {
    return Math.min(max, Math.max(min, this.normal(mean, sd)));
  }

  /** Log-normal with the given median and log-space standard deviation. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(this.normal(0, sigma));
  }

  /** Exponential with the given mean: the gap between events of a Poisson process. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.float());
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.float() * items.length)];
    if (item === undefined) throw new RangeError('Prng.pick: empty array');
    return item;
  }

  /** An index drawn with probability proportional to `weights` (non-negative, not all zero). */
  weightedIndex(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i] ?? 0;
      if (r < 0) return i;
    }
    // Only reached through rounding when r lands exactly on the total: the last positive weight.
    for (let i = weights.length - 1; i >= 0; i--) if ((weights[i] ?? 0) > 0) return i;
    throw new RangeError('Prng.weightedIndex: weights must not all be zero');
  }

  /** `length` characters of lower-case RFC 4648 base32 (`[a-z2-7]`), 5 random bits each. */
  base32(length: number): string {
    const out = scratch(length);
    let bits = 0;
    let buffer = 0;
    for (let i = 0; i < length; i++) {
      if (bits < 5) {
        buffer = this.nextUint32();
        bits = 32;
      }
      out[i] = BASE32_CODES[buffer & 31] ?? 0;
      buffer >>>= 5;
      bits -= 5;
    }
    return out.toString('latin1', 0, length);
  }

  /** `bytes` random bytes as lower-case hex. */
  hex(bytes: number): string {
    const out = scratch(bytes * 2);
    for (let i = 0; i < bytes; i += 4) {
      const word = this.nextUint32();
      for (let j = 0; j < 4 && i + j < bytes; j++) writeHexByte(out, (i + j) * 2, (word >>> (j * 8)) & 0xff);
    }
    return out.toString('latin1', 0, bytes * 2);
  }

  /**
   * A random UUID in the RFC 4122 version 4 layout (version nibble 4, variant bits 10), from this
   * generator, so that event ids replay with the seed.
   */
  uuid(): string {
    const out = scratch(36);
    const w0 = this.nextUint32();
    const w1 = (this.nextUint32() & 0xffff0fff) | 0x00004000;
    const w2 = (this.nextUint32() & 0x3fffffff) | 0x80000000;
    const w3 = this.nextUint32();
    writeWord(out, 0, w0);
    out[8] = HYPHEN;
    writeHexByte(out, 9, w1 >>> 24);
    writeHexByte(out, 11, (w1 >>> 16) & 0xff);
    out[13] = HYPHEN;
    writeHexByte(out, 14, (w1 >>> 8) & 0xff);
    writeHexByte(out, 16, w1 & 0xff);
    out[18] = HYPHEN;
    writeHexByte(out, 19, w2 >>> 24);
    writeHexByte(out, 21, (w2 >>> 16) & 0xff);
    out[23] = HYPHEN;
    writeHexByte(out, 24, (w2 >>> 8) & 0xff);
    writeHexByte(out, 26, w2 & 0xff);
    writeWord(out, 28, w3);
    return out.toString('latin1', 0, 36);
  }
}

/*
 * Identifiers are written as ASCII into one shared scratch buffer and read out as one flat string: string
 * concatenation would leave ropes of dozens of pieces per id, which the garbage collector then copies
 * for every subject and event it keeps.
 */
let scratchBuffer = Buffer.alloc(64);

function scratch(length: number): Buffer {
  if (scratchBuffer.length < length) scratchBuffer = Buffer.alloc(length * 2);
  return scratchBuffer;
}

const HYPHEN = 0x2d;
const HEX_CODES = Buffer.from('0123456789abcdef', 'latin1');
const BASE32_CODES = Buffer.from(BASE32_ALPHABET, 'latin1');

function writeHexByte(out: Buffer, offset: number, byte: number): void {
  out[offset] = HEX_CODES[byte >>> 4] ?? 0;
  out[offset + 1] = HEX_CODES[byte & 15] ?? 0;
}

function writeWord(out: Buffer, offset: number, word: number): void {
  writeHexByte(out, offset, word >>> 24);
  writeHexByte(out, offset + 2, (word >>> 16) & 0xff);
  writeHexByte(out, offset + 4, (word >>> 8) & 0xff);
  writeHexByte(out, offset + 6, word & 0xff);
}
