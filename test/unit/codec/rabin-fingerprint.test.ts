import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { RABIN_EMPTY, rabinFingerprint, rabinFingerprint64 } from '../../../src/codec/rabin-fingerprint.js';
import { SPEC_VECTORS } from './spec-vectors.js';

void describe('CRC-64-AVRO (Rabin) fingerprint', () => {
  void it('of zero bytes is the spec EMPTY value', () => {
    assert.equal(rabinFingerprint64(''), RABIN_EMPTY);
    assert.equal(RABIN_EMPTY, 0xc15d213aa4d7a795n);
  });

  void it('matches the spec known answers for "int" and "null"', () => {
    assert.equal(BigInt.asIntN(64, rabinFingerprint64('"int"')), 8247732601305521295n);
    assert.equal(BigInt.asIntN(64, rabinFingerprint64('"null"')), 7195948357588979594n);
  });

  for (const vector of SPEC_VECTORS.filter((v) => v.fingerprint !== undefined)) {
    void it(`matches Avro test vector ${vector.id}: ${vector.canonical}`, () => {
      assert.equal(rabinFingerprint64(vector.canonical), BigInt.asUintN(64, vector.fingerprint ?? 0n));
    });
  }

  void it('is returned as 8 little-endian bytes, as single-object encoding writes it', () => {
    const bytes = rabinFingerprint('"int"');
    assert.equal(bytes.length, 8);
    assert.equal(bytes.readBigInt64LE(0), 8247732601305521295n);
    assert.equal(bytes.toString('hex'), '8f5c393f1ad57572');
  });

  void it('hashes strings as UTF-8, the same as their bytes', () => {
    const text = '{"name":"ü","type":"fixed","size":1}';
    assert.equal(rabinFingerprint64(text), rabinFingerprint64(Buffer.from(text, 'utf8')));
  });
});
