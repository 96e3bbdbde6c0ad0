import assert from 'node:assert/strict';
import { hash } from 'node:crypto';
import { test } from 'node:test';
import { deterministicUuid, scoreIdFor } from '../../../src/anchor/ids.js';

/** The definition, byte by byte: SHA-256 of the name, version 8 and variant 10 set, first 16 bytes. */
function byDefinition(name: string): string {
  const bytes = hash('sha256', name, 'buffer');
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

void test('score ids never change: known values from before the hex-only implementation', () => {
  assert.equal(deterministicUuid('score:abc:1'), 'db31f42d-6ce2-836f-9d14-0d9c16f3d82f');
  assert.equal(deterministicUuid('anchor:x'), '9930be61-4ad7-8729-bffe-06b9aa1f3235');
  assert.equal(scoreIdFor('abc', 1), 'db31f42d-6ce2-836f-9d14-0d9c16f3d82f');
});

void test('deterministicUuid equals its byte-by-byte definition for every variant digit', () => {
  const variants = new Set<string>();
  for (let i = 0; i < 2_000; i += 1) {
    const name = `score:subject-${i}:${i * 7}`;
    const id = deterministicUuid(name);
    assert.equal(id, byDefinition(name));
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    variants.add(id.charAt(19));
  }
  assert.deepEqual([...variants].sort(), ['8', '9', 'a', 'b']);
});
