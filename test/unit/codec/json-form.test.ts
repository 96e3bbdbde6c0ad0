import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createCodec, shortestFloat32 } from '../../../src/codec/codec.js';
import { SIGNAL_KINDS } from '../../../src/codec/types.js';
import { isDmidError } from '../../../src/errors.js';

const codec = createCodec();
const EXAMPLES = new URL('../../../examples/', import.meta.url);

void test('shortestFloat32 gives back the decimal that was written, for float32-rounded values', () => {
  for (const written of [0.97, 0.1, 1, 0, 35, 1200.5, 0.62, 3.4028235e38, 1e-7]) {
    assert.equal(shortestFloat32(Math.fround(written)), written);
  }
  assert.ok(Number.isNaN(shortestFloat32(NaN)));
});

void test('encodeJson then decode then toJson gives each example line back unchanged', () => {
  for (const kind of SIGNAL_KINDS) {
    for (const line of readFileSync(new URL(`${kind}.jsonl`, EXAMPLES), 'utf8').split('\n')) {
      if (line === '') continue;
      const bytes = codec.encodeJson(kind, JSON.parse(line));
      assert.equal(codec.toJson(kind, codec.decode(kind, bytes)), line);
    }
  }
});

void test('encodeJson refuses undeclared fields by name, and values of the wrong type by path', () => {
  const [line] = readFileSync(new URL('biometric.jsonl', EXAMPLES), 'utf8').split('\n');
  assert.ok(line !== undefined);
  const record = JSON.parse(line) as Record<string, unknown>;
  assert.throws(
    () => codec.encodeJson('biometric', { ...record, matchscore: 0.5 }),
    (e) =>
      isDmidError(e, 'DMID_CODEC_ENCODE_INVALID') && e.field === 'matchscore' && /matchscore/.test(e.message),
  );
  assert.throws(
    () => codec.encodeJson('biometric', { ...record, matchScore: 'high' }),
    (e) => isDmidError(e, 'DMID_CODEC_ENCODE_INVALID') && e.field === 'matchScore' && !/high/.test(e.message),
  );
  assert.throws(
    () => codec.encodeJson('biometric', 'not a record'),
    (e) => isDmidError(e, 'DMID_CODEC_ENCODE_INVALID'),
  );
});
