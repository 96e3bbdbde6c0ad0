import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ABSENT_REGISTRY, registryFeatures } from '../../../src/features/registry-features.js';
import { evidenceOf, hoursAgo, registry, T0 } from '../../support/evidence-factory.js';

void test('no registry evidence: absent', () => {
  assert.deepEqual(registryFeatures([], T0), ABSENT_REGISTRY);
});

void test('one verified record: found, matches, ACTIVE, valid', () => {
  const f = registryFeatures([registry()], T0);
  assert.equal(f.recordFound, true);
  assert.equal(f.nameMatch, 0.98);
  assert.equal(f.birthDateMatch, true);
  assert.equal(f.documentValid, true);
  assert.equal(f.status, 'ACTIVE');
  assert.equal(f.ageHours, 24);
});

void test('status is the worst across the newest signal of each registry', () => {
  const window = evidenceOf({
    registry: [
      registry({ registry: 'civil', observedAt: hoursAgo(2) }),
      registry({ registry: 'social-insurance', observedAt: hoursAgo(50), status: 'DECEASED' }),
    ],
  }).registry;
  const f = registryFeatures(window, T0);
  assert.equal(f.status, 'DECEASED');
  assert.equal(f.registryCount, 2);
  const suspendedAndUnknown = registryFeatures(
    [registry({ registry: 'a', status: 'UNKNOWN' }), registry({ registry: 'b', status: 'SUSPENDED' })],
    T0,
  );
  assert.equal(suspendedAndUnknown.status, 'SUSPENDED');
});

void test('a newer signal of the same registry replaces its older status', () => {
  const window = evidenceOf({
    registry: [
      registry({ observedAt: hoursAgo(1), status: 'ACTIVE' }),
      registry({ observedAt: hoursAgo(100), status: 'SUSPENDED' }),
    ],
  }).registry;
  assert.equal(registryFeatures(window, T0).status, 'ACTIVE');
  assert.equal(registryFeatures(window, hoursAgo(50)).status, 'SUSPENDED');
});

void test('a registry without a record does not downgrade ACTIVE, but its DECEASED still counts', () => {
  const notFound = registry({
    registry: 'social-insurance',
    recordFound: false,
    status: 'UNKNOWN',
    nameMatch: 0,
  });
  const f = registryFeatures([registry({ observedAt: hoursAgo(30) }), notFound], T0);
  assert.equal(f.status, 'ACTIVE');
  assert.equal(f.recordFound, true);
  assert.equal(f.foundCount, 1);
  assert.equal(f.nameMatch, 0.98);
  const deceased = registryFeatures(
    [registry({ observedAt: hoursAgo(30) }), { ...notFound, status: 'DECEASED' }],
    T0,
  );
  assert.equal(deceased.status, 'DECEASED');
});

void test('no registry found a record: not found, matches unknown, status UNKNOWN', () => {
  const f = registryFeatures([registry({ recordFound: false, status: 'UNKNOWN' })], T0);
  assert.equal(f.recordFound, false);
  assert.equal(f.nameMatch, null);
  assert.equal(f.birthDateMatch, null);
  assert.equal(f.status, 'UNKNOWN');
});

void test('the weakest match across registries counts: lowest name match, any birth-date or document problem', () => {
  const f = registryFeatures(
    [
      registry({ registry: 'civil', observedAt: hoursAgo(3) }),
      registry({
        registry: 'social-insurance',
        nameMatch: 0.55,
        birthDateMatch: false,
        documentValid: false,
      }),
    ],
    T0,
  );
  assert.equal(f.nameMatch, 0.55);
  assert.equal(f.birthDateMatch, false);
  assert.equal(f.documentValid, false);
});
