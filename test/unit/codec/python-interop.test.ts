/**
 * Interoperability with Apache Avro's Python reference implementation (Debian's python3-avro, installed
 * for /usr/bin/python3; CI installs the same package). Missing Python or avro is a failure, not a skip:
 * this is the only test that checks dmid's bytes against an implementation other than avsc.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

import { createCodec } from '../../../src/codec/codec.js';
import { CONTRACT_FILES, SCHEMAS_DIR } from '../../../src/codec/schema-registry.js';
import type { RecordType } from '../../../src/codec/types.js';
import { RECORD_TYPES } from '../../../src/codec/types.js';
import { isDmidError } from '../../../src/errors.js';
import { SAMPLES } from './sample-records.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../interop/avro_interop.py', import.meta.url));
const INSTALL_HINT = 'python3-avro is required for /usr/bin/python3: apt-get install python3-avro';

function runPython(command: 'describe' | 'encode' | 'decode', request: unknown): unknown {
  const result = spawnSync(PYTHON, [SCRIPT, fileURLToPath(SCHEMAS_DIR), command], {
    input: JSON.stringify(request),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.error !== undefined) assert.fail(`${INSTALL_HINT} (${result.error.message})`);
  if (result.status === 3) assert.fail(`${INSTALL_HINT}\n${result.stderr}`);
  assert.equal(result.status, 0, `avro_interop.py ${command} failed:\n${result.stderr}`);
  const parsed: unknown = JSON.parse(result.stdout);
  return parsed;
}

function field(value: unknown, key: string): unknown {
  assert.ok(typeof value === 'object' && value !== null && Object.hasOwn(value, key), `missing ${key}`);
  const found: unknown = Reflect.get(value, key);
  return found;
}

function text(value: unknown, key: string): string {
  const found = field(value, key);
  assert.equal(typeof found, 'string', key);
  return String(found);
}

function records(response: unknown): unknown[] {
  const list = field(response, 'records');
  assert.ok(Array.isArray(list));
  return list;
}

const codec = createCodec();

void describe('interop with Apache Avro Python (python3-avro)', () => {
  void it('the avro module is installed for /usr/bin/python3', () => {
    const result = spawnSync(PYTHON, ['-c', 'import avro.schema, avro.io'], { encoding: 'utf8' });
    if (result.error !== undefined || result.status !== 0)
      assert.fail(`${INSTALL_HINT}\n${result.stderr ?? ''}`);
  });

  void it('gives every contract schema the same canonical form and fingerprint', () => {
    const described = runPython('describe', {});
    for (const type of RECORD_TYPES) {
      const python = field(described, CONTRACT_FILES[type].file);
      const ours = codec.writerSchemas().find((w) => w.recordType === type);
      assert.ok(ours !== undefined);
      assert.equal(text(python, 'fullName'), ours.fullName);
      assert.equal(text(python, 'canonicalForm'), ours.canonicalForm);
      assert.equal(text(python, 'fingerprint'), ours.fingerprint.toString('hex'));
    }
  });

  void it('differs from Python\'s own canonical_form only by its logical-type bug ({"type":"long"})', () => {
    const described = runPython('describe', {});
    for (const type of RECORD_TYPES) {
      const python = field(described, CONTRACT_FILES[type].file);
      const raw = text(python, 'pythonCanonicalForm');
      assert.equal(raw.replaceAll('{"type":"long"}', '"long"'), text(python, 'canonicalForm'));
    }
  });

  void it("refuses a record framed with the fingerprint of Python's raw canonical_form", () => {
    const described = runPython('describe', {});
    const python = field(described, CONTRACT_FILES.telecom.file);
    const bytes = codec.encode('telecom', SAMPLES.telecom);
    Buffer.from(text(python, 'pythonFingerprint'), 'hex').copy(bytes, 2);
    assert.throws(
      () => codec.decode('telecom', bytes),
      (error: unknown) => isDmidError(error, 'DMID_CODEC_UNKNOWN_SCHEMA'),
    );
  });

  void it('decodes in dmid what Python encodes, to equal values', () => {
    const request = RECORD_TYPES.map((type) => ({ file: CONTRACT_FILES[type].file, value: SAMPLES[type] }));
    const encoded = records(runPython('encode', { records: request }));
    assert.equal(encoded.length, RECORD_TYPES.length);
    RECORD_TYPES.forEach((type: RecordType, i) => {
      const bytes = Buffer.from(text(encoded[i], 'hex'), 'hex');
      assert.deepStrictEqual(codec.decode(type, bytes), SAMPLES[type]);
      assert.deepEqual(bytes, codec.encode(type, SAMPLES[type]), `${type}: same bytes from both`);
    });
  });

  void it('decodes in Python what dmid encodes, to equal values', () => {
    const request = RECORD_TYPES.map((type) => ({ hex: codec.encode(type, SAMPLES[type]).toString('hex') }));
    const decoded = records(runPython('decode', { records: request }));
    RECORD_TYPES.forEach((type: RecordType, i) => {
      assert.equal(text(decoded[i], 'file'), CONTRACT_FILES[type].file);
      assert.deepStrictEqual(field(decoded[i], 'value'), SAMPLES[type]);
    });
  });
});
