/**
 * decode-never-throws-foreign-errors: for any bytes at all, `decode` returns a value or throws a DmidError
 * with a DMID_CODEC_* code and a DECODE_* reason, quickly. Deterministic: a seeded PRNG drives 12,000+
 * random and mutated inputs, so a failure reproduces with the printed case number.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createCodec } from '../../../src/codec/codec.js';
import { frame } from '../../../src/codec/single-object-framing.js';
import type { RecordType } from '../../../src/codec/types.js';
import { RECORD_TYPES } from '../../../src/codec/types.js';
import { isDmidError } from '../../../src/errors.js';
import { varint } from './avro-bytes.js';
import { SAMPLES } from './sample-records.js';
import { cpuMs } from '../../support/cpu-time.js';

/** mulberry32: tiny, fast, good enough to spread inputs; the seed makes every run identical. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = prng(0x646d6964); // "dmid"
const int = (below: number): number => Math.floor(random() * below);
const pick = <T>(items: readonly T[]): T => {
  const item = items[int(items.length)];
  if (item === undefined) throw new RangeError('pick from an empty list');
  return item;
};
const randomBytes = (length: number): Buffer => Buffer.from(Array.from({ length }, () => int(256)));

/** Varints that claim absurd lengths or counts, spliced into bodies. */
const BLOWUPS: readonly Buffer[] = [
  varint(2n ** 31n),
  varint(2n ** 50n),
  varint(-(2n ** 50n)),
  varint(2n ** 62n),
  Buffer.from([...Array<number>(12).fill(0xff), 0x01]),
  Buffer.from([0xfe, 0xff, 0xff, 0xff, 0x0f]),
  varint(-1),
];

const MUTATIONS: ReadonlyArray<(bytes: Buffer) => Buffer> = [
  function flipBits(bytes) {
    const out = Buffer.from(bytes);
    for (let i = 1 + int(4); i > 0; i--) {
      const at = int(out.length);
      out[at] = (out[at] ?? 0) ^ (1 << int(8));
    }
    return out;
  },
  function flipBodyByte(bytes) {
    const out = Buffer.from(bytes);
    const at = 10 + int(out.length - 10);
    out[at] = int(256);
    return out;
  },
  (bytes) => bytes.subarray(0, int(bytes.length)),
  function insert(bytes) {
    const at = int(bytes.length + 1);
    return Buffer.concat([bytes.subarray(0, at), randomBytes(1 + int(8)), bytes.subarray(at)]);
  },
  function remove(bytes) {
    const at = 10 + int(bytes.length - 10);
    return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + int(6))]);
  },
  function blowUpLength(bytes) {
    const at = 10 + int(bytes.length - 10);
    return Buffer.concat([bytes.subarray(0, at), pick(BLOWUPS), bytes.subarray(at + 1)]);
  },
  function duplicateSlice(bytes) {
    const at = 10 + int(bytes.length - 10);
    return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at, at + 1 + int(16)), bytes.subarray(at)]);
  },
  (bytes) => Buffer.concat([bytes, randomBytes(1 + int(4))]),
];

interface FuzzCase {
  readonly type: RecordType;
  readonly bytes: Buffer;
}

function* fuzzCases(codec: ReturnType<typeof createCodec>): Generator<FuzzCase> {
  const valid = RECORD_TYPES.map((type) => ({ type, bytes: codec.encode(type, SAMPLES[type]) }));
  for (let i = 0; i < 2000; i++) yield { type: pick(RECORD_TYPES), bytes: randomBytes(int(48)) };
  for (let i = 0; i < 3000; i++) {
    const type = pick(RECORD_TYPES);
    yield { type, bytes: frame(codec.fingerprintOf(pick(RECORD_TYPES)), randomBytes(int(160))) };
  }
  for (let i = 0; i < 7200; i++) {
    const { type, bytes } = pick(valid);
    let mutated = pick(MUTATIONS)(bytes);
    if (int(4) === 0) mutated = pick(MUTATIONS)(mutated);
    yield { type, bytes: mutated };
  }
}

function outcomeOf(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (error) {
    assert.ok(isDmidError(error), `threw a non-DmidError: ${String(error)}`);
    assert.match(error.code, /^DMID_CODEC_/);
    assert.match(error.reason ?? '', /^DECODE_/);
    return error.code;
  }
}

void describe('decode fuzz', () => {
  void it('12,200 random and mutated inputs: a value or a DMID_CODEC_* DmidError, each in bounded time', () => {
    const codec = createCodec();
    const outcomes = new Map<string, number>();
    // CPU time, not wall time: see test/support/cpu-time.ts.
    let slowest = 0;
    let count = 0;
    const started = cpuMs();
    for (const { type, bytes } of fuzzCases(codec)) {
      const before = cpuMs();
      const outcome = outcomeOf(() => {
        const value = codec.decode(type, bytes);
        // Whatever decodes must be a valid record again: decode never hands out something unencodable.
        assert.doesNotThrow(() => codec.encode(type, value), `case ${count}`);
      });
      outcomeOf(() => codec.decodeAny(bytes));
      slowest = Math.max(slowest, cpuMs() - before);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      count++;
    }
    assert.ok(count >= 10_000, `only ${count} cases`);
    assert.ok(slowest < 100, `slowest input took ${slowest.toFixed(1)} ms of CPU`);
    assert.ok(cpuMs() - started < 30_000);
    // The inputs must reach every layer, or the fuzz proves little.
    for (const code of ['ok', 'DMID_CODEC_BAD_MAGIC', 'DMID_CODEC_UNKNOWN_SCHEMA', 'DMID_CODEC_TRUNCATED']) {
      assert.ok((outcomes.get(code) ?? 0) > 50, `${code}: ${outcomes.get(code) ?? 0}`);
    }
    for (const code of ['DMID_CODEC_MALFORMED', 'DMID_CODEC_SCHEMA_MISMATCH']) {
      assert.ok((outcomes.get(code) ?? 0) > 50, `${code}: ${outcomes.get(code) ?? 0}`);
    }
  });
});
