/**
 * Encode and decode contract records as Avro single-object encoding (contract.md, "Encoding").
 *
 * Decoding is the ingest hot path: the header is checked, the writer found by fingerprint (a Map lookup),
 * the body bounds-checked against the writer schema, then read by avsc's compiled reader, through the
 * writer's cached resolver when the writer is another version of the record. Nothing is parsed per record.
 * `decode` throws only DmidErrors with a DMID_CODEC_* code and a DECODE_* reason, whatever the bytes.
 */
import avro from 'avsc';

import { DmidError, isDmidError } from '../errors.js';
import { malformed } from './body-validator.js';
import { createSchemaRegistry, type Resolver, type WriterSchema } from './schema-registry.js';
import {
  asBuffer,
  FINGERPRINT_LENGTH,
  frame,
  HEADER_LENGTH,
  readFingerprintKey,
} from './single-object-framing.js';
import type { RecordByType, RecordType } from './types.js';

export interface CodecOptions {
  /**
   * Other versions of contract records (older or newer schema JSON) that providers may write with.
   * Each must be a record of the contract that resolves into the contract schema. Default: none.
   */
  readonly extraWriterSchemas?: readonly unknown[];
}

/** A decoded record with its type: `type` tells which shape `value` has. */
export type DecodedRecord<K extends RecordType = RecordType> = {
  [P in K]: { readonly type: P; readonly value: RecordByType[P] };
}[K];

export interface Codec {
  /** Single-object encoding of `value` with the contract schema of `type`. */
  encode<T extends RecordType>(type: T, value: RecordByType[T]): Buffer;
  /**
   * Encodes a value from outside, such as a parsed JSON line: checked against the schema, and a field the
   * schema does not declare is refused (a misspelt field would otherwise be dropped without a word).
   */
  encodeJson(type: RecordType, value: unknown): Buffer;
  /**
   * JSON text of a decoded record. Avro `float` fields print as the shortest decimal that reads back to the
   * same 32-bit float, so `0.97` written comes back as `0.97`, not `0.9700000286102295`.
   */
  toJson(type: RecordType, value: unknown): string;
  /** Decodes bytes that must hold a record of `type` (written with any known version of its schema). */
  decode<T extends RecordType>(type: T, bytes: Uint8Array): RecordByType[T];
  /** Decodes bytes written with any known schema, and says which record type they hold. */
  decodeAny(bytes: Uint8Array): DecodedRecord;
  /** The contract schema's fingerprint, as the 8 bytes appear on the wire. */
  fingerprintOf(type: RecordType): Buffer;
  /** The record type of a known writer fingerprint (8 wire bytes), or undefined. */
  typeOfFingerprint(fingerprint: Uint8Array): RecordType | undefined;
  /** Adds another version of a contract record as a known writer; returns its record type. */
  registerWriterSchema(schemaJson: unknown): RecordType;
  /** Every known writer schema (contract ones first): fingerprints and canonical forms, e.g. for docs. */
  writerSchemas(): readonly WriterSchema[];
}

/**
 * The one place where avsc's untyped values meet the contract's TypeScript shapes: the reader of each
 * record type is the contract schema, which types.ts mirrors field by field (held by the round-trip tests).
 */
interface TypedReader<V> {
  decode(buf: Buffer, pos: number, resolver?: Resolver): { value: V; offset: number };
}

type ReaderTable = { readonly [K in RecordType]: TypedReader<RecordByType[K]> };

export function createCodec(options: CodecOptions = {}): Codec {
  const registry = createSchemaRegistry();
  for (const schema of options.extraWriterSchemas ?? []) registry.register(schema);
  const readerOf = (type: RecordType): avro.Type => registry.contract(type).type;
  const readers: ReaderTable = {
    telecom: readerOf('telecom'),
    location: readerOf('location'),
    biometric: readerOf('biometric'),
    registry: readerOf('registry'),
    score: readerOf('score'),
    anchor: readerOf('anchor'),
    alert: readerOf('alert'),
    receipt: readerOf('receipt'),
  };

  const writerOf = (buf: Buffer): WriterSchema => {
    const writer = registry.writer(readFingerprintKey(buf));
    if (writer === undefined) {
      throw new DmidError(
        'DMID_CODEC_UNKNOWN_SCHEMA',
        'The writer schema fingerprint is not a known schema.',
        {
          reason: 'DECODE_UNKNOWN_SCHEMA',
        },
      );
    }
    return writer;
  };

  const floatReplacers: Readonly<Record<RecordType, JsonReplacer>> = {
    telecom: floatReplacer(readerOf('telecom')),
    location: floatReplacer(readerOf('location')),
    biometric: floatReplacer(readerOf('biometric')),
    registry: floatReplacer(readerOf('registry')),
    score: floatReplacer(readerOf('score')),
    anchor: floatReplacer(readerOf('anchor')),
    alert: floatReplacer(readerOf('alert')),
    receipt: floatReplacer(readerOf('receipt')),
  };

  const decodeTagged = <K extends RecordType>(
    type: K,
    writer: WriterSchema,
    buf: Buffer,
  ): DecodedRecord<K> => ({
    type,
    value: readBody(readers[type], writer, buf),
  });

  return {
    encode: (type, value) => encodeRecord(registry.contract(type), value),
    encodeJson: (type, value) => {
      const writer = registry.contract(type);
      const undeclared: string[] = [];
      collectUndeclared(writer.type, value, '', undeclared);
      if (undeclared.length > 0) {
        throw new DmidError(
          'DMID_CODEC_ENCODE_INVALID',
          `A ${writer.fullName} value has fields its schema does not declare: ${undeclared.join(', ')}.`,
          { field: undeclared[0] },
        );
      }
      return encodeRecord(writer, value);
    },
    toJson: (type, value) => JSON.stringify(value, floatReplacers[type]),
    decode: (type, bytes) => {
      const reader = readers[type];
      try {
        const buf = asBuffer(bytes);
        const writer = writerOf(buf);
        if (writer.recordType !== type) throw schemaMismatch(writer, registry.contract(type));
        return readBody(reader, writer, buf);
      } catch (error) {
        throw asDecodeError(error);
      }
    },
    decodeAny: (bytes) => {
      try {
        const buf = asBuffer(bytes);
        const writer = writerOf(buf);
        return decodeTagged(writer.recordType, writer, buf);
      } catch (error) {
        throw asDecodeError(error);
      }
    },
    fingerprintOf: (type) => Buffer.from(registry.contract(type).fingerprint),
    typeOfFingerprint: (fingerprint) =>
      fingerprint.length === FINGERPRINT_LENGTH
        ? registry.writer(asBuffer(fingerprint).readBigUInt64LE(0))?.recordType
        : undefined,
    registerWriterSchema: (schemaJson) => registry.register(schemaJson).recordType,
    writerSchemas: () => registry.writers(),
  };
}

function schemaMismatch(writer: WriterSchema, reader: WriterSchema): DmidError {
  return new DmidError(
    'DMID_CODEC_SCHEMA_MISMATCH',
    `A ${writer.fullName} record where a ${reader.fullName} was expected.`,
    { reason: 'DECODE_SCHEMA_MISMATCH' },
  );
}

/** Whatever else goes wrong while decoding (an avsc surprise, a stack overflow) still leaves as a DmidError. */
function asDecodeError(error: unknown): DmidError {
  if (isDmidError(error)) return error;
  return new DmidError('DMID_CODEC_MALFORMED', 'The Avro body could not be decoded.', {
    reason: 'DECODE_MALFORMED',
    cause: error,
  });
}

function readBody<V>(reader: TypedReader<V>, writer: WriterSchema, buf: Buffer): V {
  const cursor = { buf, pos: HEADER_LENGTH, itemBudget: buf.length, depth: 0 };
  writer.checkBody(cursor);
  if (cursor.pos !== buf.length) malformed(writer.fullName, 'trailing bytes after the record');
  const { value, offset } = reader.decode(buf, HEADER_LENGTH, writer.resolver);
  // The check above walked the same bytes; avsc disagreeing would be a bug in one of the two.
  if (offset !== buf.length) malformed(writer.fullName, 'avsc read a different length than the check');
  return value;
}

function encodeRecord(writer: WriterSchema, value: unknown): Buffer {
  let body: Buffer;
  try {
    body = writer.type.toBuffer(value);
  } catch {
    // avsc's own message quotes the offending value, which may be personal data: only the path is kept.
    const paths = invalidPaths(writer.type, value);
    throw new DmidError(
      'DMID_CODEC_ENCODE_INVALID',
      `A ${writer.fullName} value does not match its schema at ${paths.length > 0 ? paths.join(', ') : 'an unknown field'}.`,
      { field: paths[0] },
    );
  }
  return frame(writer.fingerprint, body);
}

function invalidPaths(type: avro.Type, value: unknown): string[] {
  const paths: string[] = [];
  type.isValid(value, { errorHook: (path: string[]) => paths.push(path.join('.') || '(record)') });
  return paths;
}

/** Paths of object keys the schema does not declare (avsc's own check names only the record). */
function collectUndeclared(type: avro.Type, value: unknown, path: string, into: string[]): void {
  if (value === null || typeof value !== 'object') return;
  if (type instanceof avro.types.RecordType && !Array.isArray(value)) {
    const fields = new Map(type.fields.map((f) => [f.name, f.type]));
    for (const [key, child] of Object.entries(value)) {
      const fieldType = fields.get(key);
      if (fieldType === undefined) into.push(`${path}${key}`);
      else collectUndeclared(fieldType, child, `${path}${key}.`, into);
    }
  } else if (type instanceof avro.types.ArrayType && Array.isArray(value)) {
    value.forEach((item, i) => collectUndeclared(type.itemsType, item, `${path}${i}.`, into));
  } else if (type instanceof avro.types.UnwrappedUnionType) {
    for (const branch of type.types) collectUndeclared(branch, value, path, into);
  }
}

type JsonReplacer = (key: string, value: unknown) => unknown;

/** A JSON.stringify replacer that prints the named float fields at float32 precision. */
function floatReplacer(type: avro.Type): JsonReplacer {
  const floatFields = new Set<string>();
  collectFloatFields(type, floatFields, new Set());
  return (key, value) => (typeof value === 'number' && floatFields.has(key) ? shortestFloat32(value) : value);
}

// Field names, not paths: JSON.stringify's replacer sees only the key. The contract's float fields are
// all top-level signal fields with names used nowhere else, so names are enough.
function collectFloatFields(type: avro.Type, into: Set<string>, seen: Set<avro.Type>): void {
  if (seen.has(type)) return;
  seen.add(type);
  if (type instanceof avro.types.RecordType) {
    for (const field of type.fields) {
      if (field.type.typeName === 'float') into.add(field.name);
      collectFloatFields(field.type, into, seen);
    }
  } else if (type instanceof avro.types.ArrayType) {
    collectFloatFields(type.itemsType, into, seen);
  } else if (type instanceof avro.types.UnwrappedUnionType) {
    for (const branch of type.types) collectFloatFields(branch, into, seen);
  }
}

/** The shortest decimal whose float32 rounding is `value` (itself a float32 widened to a double). */
export function shortestFloat32(value: number): number {
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}
