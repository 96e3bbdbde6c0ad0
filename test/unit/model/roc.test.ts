import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rocAuc, rocCurve, shareAbove, thresholdAtFpr } from '../../../src/model/roc.js';

void test('ROC AUC: 1 when every attack ranks above every genuine claim, 0 reversed, 0.5 for ties', () => {
  assert.equal(rocAuc([0.9, 0.8], [0.1, 0.2, 0.3]), 1);
  assert.equal(rocAuc([0.1], [0.5, 0.6]), 0);
  assert.equal(rocAuc([0.5, 0.5], [0.5]), 0.5);
  assert.equal(rocAuc([0.9, 0.2], [0.5, 0.1]), 0.75);
  assert.ok(Number.isNaN(rocAuc([], [1])));
});

void test('threshold at 1% FPR: at most 1% of genuine claims lie strictly above it', () => {
  const genuine = Array.from({ length: 1000 }, (_, i) => i / 1000);
  const threshold = thresholdAtFpr(genuine, 0.01);
  assert.ok(shareAbove(genuine, threshold) <= 0.01);
  assert.equal(shareAbove(genuine, threshold), 0.01);
  // Ties at the threshold never alarm, so the rate is never exceeded.
  const tied = new Array<number>(100).fill(0.5);
  assert.equal(shareAbove(tied, thresholdAtFpr(tied, 0.01)), 0);
});

void test('the ROC curve runs from (0,0) to (1,1), monotone, thinned to the requested size', () => {
  const curve = rocCurve([0.9, 0.7, 0.4], [0.8, 0.3, 0.2, 0.1]);
  assert.deepEqual(curve[0], { fpr: 0, tpr: 0 });
  assert.deepEqual(curve.at(-1), { fpr: 1, tpr: 1 });
  for (let i = 1; i < curve.length; i += 1) {
    assert.ok((curve[i]?.fpr ?? 0) >= (curve[i - 1]?.fpr ?? 0));
    assert.ok((curve[i]?.tpr ?? 0) >= (curve[i - 1]?.tpr ?? 0));
  }
  const many = Array.from({ length: 1000 }, (_, i) => i);
  assert.ok(
    rocCurve(
      many,
      many.map((v) => v + 0.5),
      50,
    ).length <= 50,
  );
});
