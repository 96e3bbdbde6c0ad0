import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createCodec } from '../../../src/codec/codec.js';
import type { RecordByType } from '../../../src/codec/types.js';
import { RECORD_TYPES } from '../../../src/codec/types.js';
import { isDmidError } from '../../../src/errors.js';
import { avroString, nullableLong, varint } from './avro-bytes.js';
import { SAMPLES, without } from './sample-records.js';

const codec = createCodec();

void describe('codec round trip', () => {
  for (const type of RECORD_TYPES) {
    void it(`decodes what it encodes: ${type}`, () => {
      const bytes = codec.encode(type, SAMPLES[type]);
      assert.deepStrictEqual(codec.decode(type, bytes), SAMPLES[type]);
      assert.deepStrictEqual(codec.decodeAny(bytes), { type, value: SAMPLES[type] });
    });

    void it(`frames ${type} as single-object encoding with its fingerprint`, () => {
      const bytes = codec.encode(type, SAMPLES[type]);
      assert.deepEqual([...bytes.subarray(0, 2)], [0xc3, 0x01]);
      assert.deepEqual(bytes.subarray(2, 10), codec.fingerprintOf(type));
      assert.equal(codec.typeOfFingerprint(bytes.subarray(2, 10)), type);
    });
  }

  void it('returns plain objects, nested records included', () => {
    const score = codec.decode('score', codec.encode('score', SAMPLES.score));
    assert.equal(Object.getPrototypeOf(score), Object.prototype);
    assert.equal(Object.getPrototypeOf(score.dimensions[0]), Object.prototype);
    assert.equal(Object.getPrototypeOf(score.reasons[0]), Object.prototype);
  });

  void it('reads plain Uint8Arrays and views into larger buffers without copying them first', () => {
    const bytes = codec.encode('telecom', SAMPLES.telecom);
    const padded = new Uint8Array(bytes.length + 7);
    padded.set(bytes, 5);
    const view = new Uint8Array(padded.buffer, 5, bytes.length);
    assert.deepStrictEqual(codec.decode('telecom', view), SAMPLES.telecom);
  });

  void it('writes the body exactly as the Avro spec lays it out (hand-built bytes)', () => {
    const t = SAMPLES.telecom;
    const body = Buffer.concat([
      avroString(t.eventId),
      avroString(t.subjectId),
      avroString(t.providerId),
      varint(t.observedAt),
      avroString(t.msisdnHash),
      avroString(t.carrier),
      varint(1), // PREPAID
      varint(t.tenureDays),
      nullableLong(t.simSwappedAt),
      nullableLong(t.portedAt),
      nullableLong(t.deviceChangedAt),
      varint(0), // FULL
    ]);
    assert.deepEqual(codec.encode('telecom', t).subarray(10), body);
  });

  void it('keeps timestamps exact across the whole safe range, before 1970 included', () => {
    for (const observedAt of [0, -86_400_000, 1, 253402300799999, Number.MAX_SAFE_INTEGER - 1]) {
      const value = { ...SAMPLES.telecom, observedAt, simSwappedAt: observedAt };
      assert.deepStrictEqual(codec.decode('telecom', codec.encode('telecom', value)), value);
    }
  });

  void it('writes a missing nullable field as its schema default, null (avsc fills defaults)', () => {
    const decoded = codec.decode(
      'telecom',
      codec.encode('telecom', without(SAMPLES.telecom, 'portedAt') as never),
    );
    assert.equal(decoded.portedAt, null);
  });

  void it('does not know fingerprints it was not given', () => {
    assert.equal(codec.typeOfFingerprint(Buffer.alloc(8)), undefined);
    assert.equal(codec.typeOfFingerprint(Buffer.alloc(3)), undefined);
  });
});

/** Values that break the schema; each says which field path the error must name. */
const INVALID: ReadonlyArray<{ name: string; type: keyof RecordByType; value: unknown; path: string }> = [
  {
    name: 'string field holding a number',
    type: 'telecom',
    value: { ...SAMPLES.telecom, carrier: 460 },
    path: 'carrier',
  },
  {
    name: 'fractional int',
    type: 'telecom',
    value: { ...SAMPLES.telecom, tenureDays: 1.5 },
    path: 'tenureDays',
  },
  {
    name: 'unknown enum symbol',
    type: 'telecom',
    value: { ...SAMPLES.telecom, lineType: 'ESIM' },
    path: 'lineType',
  },
  {
    name: 'null in a field that is not nullable',
    type: 'registry',
    value: { ...SAMPLES.registry, status: null },
    path: 'status',
  },
  {
    name: 'Date as timestamp',
    type: 'location',
    value: { ...SAMPLES.location, observedAt: new Date() },
    path: 'observedAt',
  },
  {
    name: 'nested field in an array',
    type: 'score',
    value: {
      ...SAMPLES.score,
      dimensions: [SAMPLES.score.dimensions[0], { ...SAMPLES.score.dimensions[1], score: '0.7-secret' }],
    },
    path: 'dimensions.1.score',
  },
];

void describe('codec encode refuses values that do not match the schema', () => {
  for (const { name, type, value, path } of INVALID) {
    void it(`${name}: DMID_CODEC_ENCODE_INVALID naming ${path}, never the value`, () => {
      assert.throws(
        // The point is a value that breaks its TypeScript type at run time, as JSON input can.
        () => codec.encode(type, value as never),
        (error: unknown) => {
          assert.ok(isDmidError(error, 'DMID_CODEC_ENCODE_INVALID'));
          assert.equal(error.field, path);
          assert.match(error.message, new RegExp(path.replace(/\./g, '\\.')));
          assert.doesNotMatch(error.message, /secret|460|ESIM|1\.5/);
          assert.equal(error.cause, undefined);
          return true;
        },
      );
    });
  }

  void it('a record missing a field', () => {
    assert.throws(
      () => codec.encode('telecom', without(SAMPLES.telecom, 'carrier') as never),
      (error: unknown) => isDmidError(error, 'DMID_CODEC_ENCODE_INVALID') && error.field === 'carrier',
    );
  });
});
