/**
 * The contract schemas (`schemas/*.avsc`) and every writer schema the codec can read, by fingerprint.
 *
 * Readers are always the contract schemas. A writer is the contract schema itself or an extra version of
 * one of its records (older or newer, registered by JSON); each extra writer gets its avsc resolver into
 * the reader once, here, so decoding never parses a schema or builds a resolver per record.
 */
import { readFileSync } from 'node:fs';

import avro from 'avsc';

import { DmidError } from '../errors.js';
import { compileBodyValidator, type BodyCheck } from './body-validator.js';
import { rabinFingerprint } from './rabin-fingerprint.js';
import type { RecordType } from './types.js';
import { RECORD_TYPES } from './types.js';

export type Resolver = ReturnType<avro.Type['createResolver']>;

/** `src/codec/` and `dist/codec/` are both two levels below the repository root. */
export const SCHEMAS_DIR = new URL('../../schemas/', import.meta.url);

/** Which file holds each record type of the contract, and the record's Avro fullname. */
export const CONTRACT_FILES: Readonly<
  Record<RecordType, { readonly file: string; readonly fullName: string }>
> = {
  telecom: { file: 'telecom-signal.avsc', fullName: 'dmid.signal.TelecomSignal' },
  location: { file: 'location-signal.avsc', fullName: 'dmid.signal.LocationSignal' },
  biometric: { file: 'biometric-signal.avsc', fullName: 'dmid.signal.BiometricSignal' },
  registry: { file: 'registry-signal.avsc', fullName: 'dmid.signal.RegistrySignal' },
  score: { file: 'identity-score.avsc', fullName: 'dmid.identity.IdentityScore' },
  anchor: { file: 'anchor-event.avsc', fullName: 'dmid.identity.AnchorEvent' },
  alert: { file: 'identity-alert.avsc', fullName: 'dmid.identity.IdentityAlert' },
  receipt: { file: 'anchor-receipt.avsc', fullName: 'dmid.identity.AnchorReceipt' },
};

/** A schema bytes may have been written with. */
export interface WriterSchema {
  readonly recordType: RecordType;
  /** Avro fullname of the record, e.g. `dmid.signal.TelecomSignal`. */
  readonly fullName: string;
  /** Parsing Canonical Form, the string the fingerprint is computed over. */
  readonly canonicalForm: string;
  /** CRC-64-AVRO of the canonical form, the 8 bytes as they appear on the wire (little-endian). */
  readonly fingerprint: Buffer;
  /** The same fingerprint as an unsigned 64-bit integer read little-endian: the lookup key. */
  readonly fingerprintKey: bigint;
  readonly type: avro.Type;
  /** Bounds-checks a body written with this schema (see body-validator.ts). */
  readonly checkBody: BodyCheck;
  /** Resolver into the contract reader; undefined when this is the contract schema itself. */
  readonly resolver: Resolver | undefined;
}

export interface SchemaRegistry {
  /** The contract schema of a record type: the reader, and the writer `encode` uses. */
  contract(type: RecordType): WriterSchema;
  /** A known writer schema by fingerprint key, or undefined. */
  writer(fingerprintKey: bigint): WriterSchema | undefined;
  /** Adds another version of a contract record as a known writer; returns it (idempotent). */
  register(schemaJson: unknown): WriterSchema;
  /** Every known writer schema, contract ones first. */
  writers(): readonly WriterSchema[];
}

/** The parsed JSON of a contract schema file, docs included. */
export function readContractSchema(type: RecordType): unknown {
  const text = readFileSync(new URL(CONTRACT_FILES[type].file, SCHEMAS_DIR), 'utf8');
  return JSON.parse(text);
}

export function createSchemaRegistry(): SchemaRegistry {
  const contract = new Map<RecordType, WriterSchema>();
  const byKey = new Map<bigint, WriterSchema>();
  for (const recordType of RECORD_TYPES) {
    const type = parseSchema(readContractSchema(recordType));
    if (type.name !== CONTRACT_FILES[recordType].fullName) {
      throw new TypeError(
        `${CONTRACT_FILES[recordType].file} must define ${CONTRACT_FILES[recordType].fullName}`,
      );
    }
    makeRecordsPlain(type);
    const entry = describeWriter(recordType, type, undefined);
    contract.set(recordType, entry);
    byKey.set(entry.fingerprintKey, entry);
  }
  const contractOf = (recordType: RecordType): WriterSchema => {
    const entry = contract.get(recordType);
    if (entry === undefined) throw new TypeError(`No contract schema for ${recordType}`);
    return entry;
  };
  return {
    contract: contractOf,
    writer: (key) => byKey.get(key),
    register: (schemaJson) => {
      const entry = buildExtraWriter(schemaJson, contractOf);
      const known = byKey.get(entry.fingerprintKey);
      if (known !== undefined) return known;
      byKey.set(entry.fingerprintKey, entry);
      return entry;
    },
    writers: () => [...byKey.values()],
  };
}

type SchemaInput = Parameters<typeof avro.Type.forSchema>[0];

/** Only the outer shape: avsc validates the whole schema itself and throws on anything that is not Avro. */
function isSchemaInput(value: unknown): value is SchemaInput {
  return typeof value === 'string' || (typeof value === 'object' && value !== null);
}

/** Parses schema JSON with avsc. Decoded records carry no avsc methods: they are plain data (see makeRecordsPlain). */
export function parseSchema(schemaJson: unknown): avro.Type {
  if (!isSchemaInput(schemaJson)) throw new TypeError('An Avro schema is a JSON object, array or string');
  return avro.Type.forSchema(schemaJson, { omitRecordMethods: true });
}

/**
 * avsc builds decoded records with a generated class per record type. Pointing that class's prototype at
 * Object.prototype makes every decoded record a plain object (deepStrictEqual, structuredClone and
 * spreading behave as for a literal) at no cost per record.
 */
function makeRecordsPlain(type: avro.Type): void {
  visitRecords(type, new Set(), (record) => {
    const ctor: unknown = record.recordConstructor;
    if (typeof ctor === 'function') ctor.prototype = Object.prototype;
  });
}

function visitRecords(
  type: avro.Type,
  seen: Set<avro.Type>,
  visit: (record: avro.types.RecordType) => void,
): void {
  if (seen.has(type)) return;
  seen.add(type);
  if (type instanceof avro.types.RecordType) {
    visit(type);
    for (const field of type.fields) visitRecords(field.type, seen, visit);
  } else if (type instanceof avro.types.ArrayType) {
    visitRecords(type.itemsType, seen, visit);
  } else if (type instanceof avro.types.MapType) {
    // avsc types valuesType as any.
    const values: unknown = type.valuesType;
    if (values instanceof avro.Type) visitRecords(values, seen, visit);
  } else if (type instanceof avro.types.UnwrappedUnionType || type instanceof avro.types.WrappedUnionType) {
    for (const branch of type.types) visitRecords(branch, seen, visit);
  }
}

function describeWriter(
  recordType: RecordType,
  type: avro.Type,
  resolver: Resolver | undefined,
): WriterSchema {
  // avsc's schema() without options is the Parsing Canonical Form (fullnames, no doc/default/logicalType,
  // keys in spec order); test/unit/codec/canonical-form.test.ts holds it to the spec's test vectors.
  const canonical = type.schema();
  const canonicalForm = JSON.stringify(canonical);
  const fingerprint = rabinFingerprint(canonicalForm);
  return {
    recordType,
    fullName: type.name ?? '',
    canonicalForm,
    fingerprint,
    fingerprintKey: fingerprint.readBigUInt64LE(0),
    type,
    checkBody: compileBodyValidator(JSON.parse(canonicalForm), ''),
    resolver,
  };
}

function buildExtraWriter(schemaJson: unknown, contractOf: (type: RecordType) => WriterSchema): WriterSchema {
  let type: avro.Type;
  try {
    type = parseSchema(schemaJson);
  } catch (cause) {
    throw new DmidError('DMID_CODEC_SCHEMA_INVALID', 'The writer schema is not a valid Avro schema.', {
      cause,
    });
  }
  const recordType = RECORD_TYPES.find((candidate) => CONTRACT_FILES[candidate].fullName === type.name);
  if (recordType === undefined) {
    throw new DmidError(
      'DMID_CODEC_SCHEMA_INVALID',
      `The writer schema ${type.name ?? '(unnamed)'} is not a record of the contract.`,
    );
  }
  const reader = contractOf(recordType);
  let resolver: Resolver;
  try {
    resolver = reader.type.createResolver(type);
  } catch (cause) {
    throw new DmidError(
      'DMID_CODEC_SCHEMA_MISMATCH',
      `The writer schema of ${reader.fullName} cannot be resolved into the contract schema.`,
      { cause },
    );
  }
  return describeWriter(recordType, type, resolver);
}
