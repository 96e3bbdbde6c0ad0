import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  calibrate,
  expectedCalibrationError,
  fitPlatt,
  reliabilityBins,
  sigmoid,
} from '../../../src/model/calibration.js';
import { seededRandom } from '../../support/evidence-factory.js';

void test('Platt scaling recovers the slope and offset that generated the labels', () => {
  const random = seededRandom(7);
  const z: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < 20_000; i += 1) {
    const zi = (random() - 0.5) * 12;
    z.push(zi);
    y.push(random() < sigmoid(0.6 * zi - 0.8) ? 1 : 0);
  }
  const fitted = fitPlatt(z, y);
  assert.ok(Math.abs(fitted.a - 0.6) < 0.05, `a ${fitted.a}`);
  assert.ok(Math.abs(fitted.c + 0.8) < 0.08, `c ${fitted.c}`);
  assert.ok(Math.abs(calibrate(fitted, 0) - sigmoid(-0.8)) < 0.02);
});

void test('sigmoid does not overflow and is symmetric', () => {
  assert.equal(sigmoid(1000), 1);
  assert.equal(sigmoid(-1000), 0);
  assert.ok(Math.abs(sigmoid(2) + sigmoid(-2) - 1) < 1e-15);
});

void test('ECE: zero for predictions equal to the observed rates, the weighted gap otherwise', () => {
  // Bin 0.2–0.3: 10 claims predicted 0.25, 2.5 positive on average -> use 4 claims with 1 positive.
  const p = [0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75];
  const y = [1, 0, 0, 0, 1, 1, 1, 0];
  assert.equal(expectedCalibrationError(p, y, 10), 0);
  // Everything predicted 0.9, half positive: gap 0.4 in the one bin.
  assert.ok(Math.abs(expectedCalibrationError([0.9, 0.9], [1, 0], 10) - 0.4) < 1e-12);
  // Two bins of different sizes: (3/4)·|0.1 − 0| + (1/4)·|0.9 − 1| = 0.1.
  assert.ok(Math.abs(expectedCalibrationError([0.1, 0.1, 0.1, 0.9], [0, 0, 0, 1], 10) - 0.1) < 1e-12);
});

void test('reliability bins count every prediction once, 1.0 in the top bin', () => {
  const bins = reliabilityBins([0, 0.05, 0.5, 1, 1], [0, 0, 1, 1, 1], 10);
  assert.equal(bins.length, 10);
  assert.equal(
    bins.reduce((n, b) => n + b.count, 0),
    5,
  );
  assert.equal(bins[9]?.count, 2);
  assert.equal(bins[0]?.count, 2);
  assert.ok(Number.isNaN(bins[3]?.observed ?? 0));
});
