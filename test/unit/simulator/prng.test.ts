import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Prng } from '../../../src/simulator/prng.js';
import { isUuid } from '../../../src/privacy/uuid.js';
import { isWellFormedSubjectId } from '../../../src/privacy/pseudonymize.js';

const draws = (prng: Prng, n: number): number[] => Array.from({ length: n }, () => prng.nextUint32());

void test('same seed and stream name replay the same sequence; another seed or stream does not', () => {
  assert.deepEqual(draws(new Prng(42), 100), draws(new Prng(42), 100));
  assert.deepEqual(draws(new Prng(42), 100), draws(new Prng('42'), 100));
  assert.notDeepEqual(draws(new Prng(42), 100), draws(new Prng(43), 100));
  assert.notDeepEqual(draws(new Prng(42, 'a'), 100), draws(new Prng(42, 'b'), 100));
});

void test('uniform draws are in range and centred; normal draws have the asked mean and spread', () => {
  const prng = new Prng('moments');
  const n = 50_000;
  let sum = 0;
  let sumNormal = 0;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const u = prng.float();
    assert.ok(u >= 0 && u < 1);
    sum += u;
    const z = prng.normal(3, 2);
    sumNormal += z;
    sumSquares += (z - 3) ** 2;
  }
  assert.ok(Math.abs(sum / n - 0.5) < 0.01);
  assert.ok(Math.abs(sumNormal / n - 3) < 0.05);
  assert.ok(Math.abs(Math.sqrt(sumSquares / n) - 2) < 0.05);
});

void test('int, pick and weightedIndex stay in range and follow the weights', () => {
  const prng = new Prng('choices');
  const counts = [0, 0, 0];
  for (let i = 0; i < 30_000; i++) {
    const k = prng.int(2, 5);
    assert.ok(Number.isInteger(k) && k >= 2 && k < 5);
    counts[prng.weightedIndex([1, 0, 3])]! += 1;
  }
  assert.equal(counts[1], 0);
  assert.ok(Math.abs(counts[2]! / counts[0]! - 3) < 0.2);
  assert.throws(() => prng.pick([]), RangeError);
  assert.throws(() => prng.weightedIndex([0, 0]), RangeError);
});

void test('uuid() gives canonical RFC 4122 version 4 UUIDs, distinct', () => {
  const prng = new Prng('uuids');
  const seen = new Set<string>();
  for (let i = 0; i < 10_000; i++) {
    const id = prng.uuid();
    assert.ok(isUuid(id), id);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    seen.add(id);
  }
  assert.equal(seen.size, 10_000);
});

void test('base32(32) is a well-formed subject id; hex(n) is 2n hex digits', () => {
  const prng = new Prng('ids');
  for (let i = 0; i < 1000; i++) assert.ok(isWellFormedSubjectId(prng.base32(32)));
  assert.match(prng.hex(32), /^[0-9a-f]{64}$/);
  assert.match(prng.hex(3), /^[0-9a-f]{6}$/);
});
