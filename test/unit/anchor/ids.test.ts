import assert from 'node:assert/strict';
import { createHmac, hash } from 'node:crypto';
import { test } from 'node:test';
import { anchorIdFor, deterministicUuid, keyedUuid, scoreIdFor } from '../../../src/anchor/ids.js';

/** The definition, byte by byte: SHA-256 of the name, version 8 and variant 10 set, first 16 bytes. */
function byDefinition(name: string): string {
  const bytes = hash('sha256', name, 'buffer');
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

void test('deterministic ids never change: known values from before the hex-only implementation', () => {
  assert.equal(deterministicUuid('score:abc:1'), 'db31f42d-6ce2-836f-9d14-0d9c16f3d82f');
  assert.equal(deterministicUuid('anchor:x'), '9930be61-4ad7-8729-bffe-06b9aa1f3235');
});

const SALT_A = 'a'.repeat(64);
const SALT_B = 'b'.repeat(64);

/** The keyed definition, byte by byte: HMAC-SHA-256 under the salt's bytes, version and variant set. */
function keyedByDefinition(saltHex: string, name: string): string {
  const bytes = createHmac('sha256', Buffer.from(saltHex, 'hex')).update(name).digest();
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

void test('score-id-never-reused-after-state-loss: a new incarnation (salt) gives every version a new id', () => {
  for (let version = 1; version <= 200; version += 1) {
    assert.equal(scoreIdFor('abc', SALT_A, version), scoreIdFor('abc', SALT_A, version));
    assert.notEqual(scoreIdFor('abc', SALT_A, version), scoreIdFor('abc', SALT_B, version));
  }
  const ids = new Set<string>();
  for (const salt of [SALT_A, SALT_B])
    for (let version = 1; version <= 200; version += 1) ids.add(scoreIdFor('abc', salt, version));
  assert.equal(ids.size, 400);
});

void test('score and anchor ids cannot be computed from subject and version without the salt', () => {
  const scoreId = scoreIdFor('abc', SALT_A, 1);
  assert.equal(scoreId, keyedByDefinition(SALT_A, 'score:abc:1'));
  assert.notEqual(scoreId, deterministicUuid('score:abc:1'));
  const anchorId = anchorIdFor(scoreId, SALT_A);
  assert.equal(anchorId, keyedByDefinition(SALT_A, `anchor:${scoreId}`));
  assert.notEqual(anchorId, deterministicUuid(`anchor:${scoreId}`));
  assert.notEqual(anchorId, anchorIdFor(scoreId, SALT_B));
  assert.match(anchorId, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

void test('keyedUuid refuses a salt that is not 64 lower-case hex digits', () => {
  assert.throws(() => keyedUuid('ab', 'x'), TypeError);
  assert.throws(() => keyedUuid('A'.repeat(64), 'x'), TypeError);
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
