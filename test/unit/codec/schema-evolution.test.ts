/**
 * Providers on another version of a record keep decoding (contract.md: fields are added with defaults,
 * enum symbols only with an enum default). The codec's reader is always the contract schema in schemas/.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createCodec } from '../../../src/codec/codec.js';
import { rabinFingerprint } from '../../../src/codec/rabin-fingerprint.js';
import { parseSchema, readContractSchema } from '../../../src/codec/schema-registry.js';
import { frame } from '../../../src/codec/single-object-framing.js';
import { RECORD_TYPES, type RecordType } from '../../../src/codec/types.js';
import { isDmidError, type ErrorCode } from '../../../src/errors.js';
import { SAMPLES, without } from './sample-records.js';

type Json = Record<string, unknown>;

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A deep copy of a contract schema, edited by `edit` into another version. */
function schemaVersion(type: RecordType, edit: (schema: Json) => void): Json {
  const copy: unknown = structuredClone(readContractSchema(type));
  if (!isJson(copy)) throw new TypeError('contract schema is not an object');
  edit(copy);
  return copy;
}

function fieldsOf(schema: Json): Json[] {
  const fields = schema['fields'];
  return Array.isArray(fields) ? fields.filter(isJson) : [];
}

function fieldType(schema: Json, name: string): Json {
  const type = fieldsOf(schema).find((field) => field['name'] === name)?.['type'];
  if (!isJson(type)) throw new TypeError(`${name} has no complex type`);
  return type;
}

/** Encodes `value` with `schema` independently of the codec: avsc body + framing + Rabin fingerprint. */
function encodeWith(schema: Json, value: unknown): Buffer {
  const type = parseSchema(schema);
  return frame(rabinFingerprint(JSON.stringify(type.schema())), type.toBuffer(value));
}

/** TelecomSignal v2: a new string field with a default, and a new lineType symbol. */
const TELECOM_V2 = schemaVersion('telecom', (schema) => {
  fieldsOf(schema).push({ name: 'esimProfile', type: 'string', default: '', doc: 'eSIM profile id.' });
  const lineType = fieldType(schema, 'lineType');
  lineType['symbols'] = ['POSTPAID', 'PREPAID', 'VOIP', 'UNKNOWN', 'ESIM'];
});

/** TelecomSignal v0: before portedAt and deviceChangedAt existed (both have default null now). */
const TELECOM_V0 = schemaVersion('telecom', (schema) => {
  schema['fields'] = fieldsOf(schema).filter(
    (f) => f['name'] !== 'portedAt' && f['name'] !== 'deviceChangedAt',
  );
});

function assertCode(run: () => unknown, code: ErrorCode, reason?: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(isDmidError(error, code), String(error));
    assert.equal(error.reason, reason);
    return true;
  });
}

void describe('schema evolution', () => {
  const codec = createCodec({ extraWriterSchemas: [TELECOM_V2, TELECOM_V0] });

  void it('a newer writer (added field with default) is read by the contract reader', () => {
    const bytes = encodeWith(TELECOM_V2, { ...SAMPLES.telecom, esimProfile: 'profile-7' });
    assert.notDeepEqual(bytes.subarray(2, 10), codec.fingerprintOf('telecom'));
    assert.deepStrictEqual(codec.decode('telecom', bytes), SAMPLES.telecom);
  });

  void it('a symbol the reader does not know reads as the enum default UNKNOWN', () => {
    const bytes = encodeWith(TELECOM_V2, { ...SAMPLES.telecom, lineType: 'ESIM', esimProfile: '' });
    assert.deepStrictEqual(codec.decode('telecom', bytes), { ...SAMPLES.telecom, lineType: 'UNKNOWN' });
  });

  void it('an older writer (fields missing that have defaults) is read by the contract reader', () => {
    const old = without(SAMPLES.telecom, 'portedAt', 'deviceChangedAt');
    const decoded = codec.decode('telecom', encodeWith(TELECOM_V0, old));
    assert.deepStrictEqual(decoded, { ...SAMPLES.telecom, portedAt: null, deviceChangedAt: null });
  });

  void it('nested records evolve too: a new DimensionScore field with a default is dropped', () => {
    const v2 = schemaVersion('score', (schema) => {
      const items = fieldType(schema, 'dimensions')['items'];
      if (isJson(items)) fieldsOf(items).push({ name: 'halfLifeHours', type: 'double', default: 0 });
    });
    const scoreCodec = createCodec({ extraWriterSchemas: [v2] });
    const value = {
      ...SAMPLES.score,
      dimensions: SAMPLES.score.dimensions.map((d) => ({ ...d, halfLifeHours: 72 })),
    };
    assert.deepStrictEqual(scoreCodec.decode('score', encodeWith(v2, value)), SAMPLES.score);
  });

  void it('without registration the other version is an unknown schema', () => {
    const bytes = encodeWith(TELECOM_V2, { ...SAMPLES.telecom, esimProfile: '' });
    assertCode(
      () => createCodec().decode('telecom', bytes),
      'DMID_CODEC_UNKNOWN_SCHEMA',
      'DECODE_UNKNOWN_SCHEMA',
    );
  });

  void it('registration after creation works and is idempotent', () => {
    const late = createCodec();
    assert.equal(late.registerWriterSchema(TELECOM_V2), 'telecom');
    assert.equal(late.registerWriterSchema(TELECOM_V2), 'telecom');
    assert.equal(late.writerSchemas().length, RECORD_TYPES.length + 1, 'the contract schemas and one more');
    const bytes = encodeWith(TELECOM_V2, { ...SAMPLES.telecom, esimProfile: '' });
    assert.deepStrictEqual(late.decode('telecom', bytes), SAMPLES.telecom);
  });

  void it('the contract schema with other docs is the same writer (docs are not in the fingerprint)', () => {
    const redocumented = schemaVersion('telecom', (schema) => {
      schema['doc'] = 'Another description.';
    });
    const same = createCodec({ extraWriterSchemas: [redocumented] });
    assert.equal(same.writerSchemas().length, RECORD_TYPES.length, 'the contract schemas only');
  });

  void it('a newer version of another record type is still a mismatch on this topic', () => {
    const bytes = encodeWith(TELECOM_V2, { ...SAMPLES.telecom, esimProfile: '' });
    assertCode(() => codec.decode('location', bytes), 'DMID_CODEC_SCHEMA_MISMATCH', 'DECODE_SCHEMA_MISMATCH');
    assert.equal(codec.decodeAny(bytes).type, 'telecom');
  });
});

void describe('registering writer schemas that cannot work fails at start-up', () => {
  void it('a removed field the reader has no default for', () => {
    const noCarrier = schemaVersion('telecom', (schema) => {
      schema['fields'] = fieldsOf(schema).filter((field) => field['name'] !== 'carrier');
    });
    assertCode(() => createCodec({ extraWriterSchemas: [noCarrier] }), 'DMID_CODEC_SCHEMA_MISMATCH');
  });

  void it('a new symbol in an enum without a default (avsc refuses the whole writer, not just the symbol)', () => {
    const beacon = schemaVersion('location', (schema) => {
      fieldType(schema, 'source')['symbols'] = ['GNSS', 'CELL', 'WIFI', 'IP', 'BEACON'];
    });
    assertCode(() => createCodec({ extraWriterSchemas: [beacon] }), 'DMID_CODEC_SCHEMA_MISMATCH');
  });

  void it('a record that is not in the contract', () => {
    const other = { type: 'record', name: 'dmid.signal.WeatherSignal', fields: [] };
    assertCode(() => createCodec({ extraWriterSchemas: [other] }), 'DMID_CODEC_SCHEMA_INVALID');
  });

  void it('JSON that is not an Avro schema', () => {
    for (const bad of [{ type: 'record' }, 42, null, 'no.such.Type']) {
      assertCode(() => createCodec({ extraWriterSchemas: [bad] }), 'DMID_CODEC_SCHEMA_INVALID');
    }
  });
});
