/** The side-by-side benchmark's arguments (bench/compare/compare.ts): loads as fractions or as rates. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCompareArgs } from '../../bench/compare/compare.js';

void test('loads default to fractions of each contender maximum; --rates gives fixed events/s instead', () => {
  const byFraction = parseCompareArgs(['--compare']);
  assert.deepEqual(byFraction.fractions, [0.25, 0.5, 0.75]);
  assert.equal(byFraction.rates, undefined);
  const byRate = parseCompareArgs(['--compare', '--only', 'dmid', '--model', '--rates', '6000,11000']);
  assert.deepEqual(byRate.rates, [6000, 11000]);
  assert.deepEqual(
    byRate.contenders.map((c) => c.name),
    ['dmid (rules)', 'dmid (model)'],
  );
});
