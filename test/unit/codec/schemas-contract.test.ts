/**
 * The rules of contract.md that the .avsc files themselves must keep: names as in types.ts, the common
 * header first, timestamps as timestamp-millis, a doc on every field, UNKNOWN as the enum default, and a
 * README fingerprint table that matches the code.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { createCodec } from '../../../src/codec/codec.js';
import { CONTRACT_FILES, readContractSchema, SCHEMAS_DIR } from '../../../src/codec/schema-registry.js';
import { RECORD_TYPES, SIGNAL_KINDS } from '../../../src/codec/types.js';
import { SAMPLES } from './sample-records.js';

type Json = Record<string, unknown>;

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fieldsOf(schema: Json): Json[] {
  const fields = schema['fields'];
  return Array.isArray(fields) ? fields.filter(isJson) : [];
}

/** Every named type and field in a schema, depth first. */
function* walk(node: unknown, path: string): Generator<{ path: string; node: Json; isField: boolean }> {
  if (Array.isArray(node)) {
    for (const branch of node) yield* walk(branch, path);
    return;
  }
  if (!isJson(node)) return;
  if (node['type'] === 'record' || node['type'] === 'enum') yield { path, node, isField: false };
  for (const field of fieldsOf(node)) {
    const fieldPath = `${path}.${String(field['name'])}`;
    yield { path: fieldPath, node: field, isField: true };
    yield* walk(field['type'], fieldPath);
  }
  yield* walk(node['items'], `${path}[]`);
}

const isTimestamp = (type: unknown): boolean =>
  isJson(type) && type['type'] === 'long' && type['logicalType'] === 'timestamp-millis';

void describe('schemas/ keeps the contract rules', () => {
  void it('holds exactly the contract files, kebab-case', () => {
    const files = readdirSync(SCHEMAS_DIR).filter((name) => name.endsWith('.avsc'));
    assert.deepEqual(files.sort(), RECORD_TYPES.map((type) => CONTRACT_FILES[type].file).sort());
    for (const file of files) assert.match(file, /^[a-z]+(-[a-z]+)*\.avsc$/);
  });

  for (const type of RECORD_TYPES) {
    const schema = readContractSchema(type);
    assert.ok(isJson(schema));

    void it(`${type}: field names are exactly those of types.ts, in order`, () => {
      assert.deepEqual(
        fieldsOf(schema).map((field) => field['name']),
        Object.keys(SAMPLES[type]),
      );
    });

    void it(`${type}: a doc on every record, enum and field; UNKNOWN is the default of enums that have it`, () => {
      for (const { path, node, isField } of walk(schema, type)) {
        assert.ok(typeof node['doc'] === 'string' && node['doc'].length > 0, `${path} has no doc`);
        const symbols = node['symbols'];
        if (!isField && Array.isArray(symbols) && symbols.includes('UNKNOWN')) {
          assert.equal(node['default'], 'UNKNOWN', `${path} must default to UNKNOWN`);
        }
      }
    });

    void it(`${type}: every *At field is timestamp-millis; nullable ones default to null`, () => {
      for (const { path, node, isField } of walk(schema, type)) {
        if (!isField || !String(node['name']).endsWith('At')) continue;
        const fieldType = node['type'];
        if (Array.isArray(fieldType)) {
          assert.equal(fieldType[0], 'null', path);
          assert.ok(isTimestamp(fieldType[1]), path);
          assert.equal(node['default'], null, path);
        } else {
          assert.ok(isTimestamp(fieldType), path);
        }
      }
    });
  }

  void it('signals start with the common header and live in dmid.signal; the rest in dmid.identity', () => {
    for (const kind of SIGNAL_KINDS) {
      const schema = readContractSchema(kind);
      assert.ok(isJson(schema));
      assert.equal(schema['namespace'], 'dmid.signal');
      const header = fieldsOf(schema).slice(0, 4);
      assert.deepEqual(
        header.map((f) => [f['name'], isTimestamp(f['type']) ? 'timestamp-millis' : f['type']]),
        [
          ['eventId', 'string'],
          ['subjectId', 'string'],
          ['providerId', 'string'],
          ['observedAt', 'timestamp-millis'],
        ],
      );
    }
    for (const type of ['score', 'anchor', 'alert', 'receipt'] as const) {
      const schema = readContractSchema(type);
      assert.ok(isJson(schema));
      assert.equal(schema['namespace'], 'dmid.identity');
    }
  });

  void it("README's fingerprint table matches the code", () => {
    // Table rows as trimmed cells, so Prettier's column alignment does not matter.
    const rows = readFileSync(new URL('README.md', SCHEMAS_DIR), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('|'))
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim())
          .join(' | '),
      );
    for (const writer of createCodec().writerSchemas()) {
      const wire = writer.fingerprint.toString('hex').replace(/(..)(?!$)/g, '$1 ');
      const javaLong = BigInt.asIntN(64, writer.fingerprintKey).toString();
      const row = [CONTRACT_FILES[writer.recordType].file, writer.fullName, wire, javaLong]
        .map((cell) => `\`${cell}\``)
        .join(' | ');
      assert.ok(rows.includes(row), `README lacks the row: ${row}`);
    }
  });
});
