import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IMPOSSIBLE_SPEED_KMH } from '../../../src/features/feature-constants.js';
import { haversineKm, impliedSpeedKmh, locationFeatures } from '../../../src/features/location-features.js';
import {
  BEIJING,
  evidenceOf,
  homeFixes,
  hoursAgo,
  location,
  SHANGHAI,
  T0,
} from '../../support/evidence-factory.js';

const BEIJING_SHANGHAI_KM = haversineKm(
  BEIJING.latitude,
  BEIJING.longitude,
  SHANGHAI.latitude,
  SHANGHAI.longitude,
);

void test('haversine: Beijing to Shanghai is about 1,067 km; a point to itself is 0', () => {
  assert.ok(Math.abs(BEIJING_SHANGHAI_KM - 1067) < 5, String(BEIJING_SHANGHAI_KM));
  assert.equal(haversineKm(10, 20, 10, 20), 0);
  assert.ok(Math.abs(haversineKm(0, 0, 0, 180) - Math.PI * 6371.0088) < 1e-6);
});

void test('impossible travel: Beijing to Shanghai in 30 minutes', () => {
  const fixes = [location({ observedAt: hoursAgo(1.5) }), location({ ...SHANGHAI, observedAt: hoursAgo(1) })];
  const f = locationFeatures(fixes, T0);
  assert.ok((f.latestSpeedKmh ?? 0) > IMPOSSIBLE_SPEED_KMH);
  assert.equal(f.impossibleJumps24h, 1);
});

void test('a flight-like jump (~800 km/h) is not impossible travel', () => {
  const hours = BEIJING_SHANGHAI_KM / 800;
  const fixes = [
    location({ observedAt: hoursAgo(1 + hours) }),
    location({ ...SHANGHAI, observedAt: hoursAgo(1) }),
  ];
  const f = locationFeatures(fixes, T0);
  assert.ok(Math.abs((f.latestSpeedKmh ?? 0) - 800) < 1, String(f.latestSpeedKmh));
  assert.equal(f.impossibleJumps24h, 0);
});

void test('accuracy radii make a jump possible: 50 km in 2 minutes is impossible with GNSS, not with IP fixes', () => {
  const far = { latitude: BEIJING.latitude + 50 / 111.2, longitude: BEIJING.longitude };
  const gnss = [
    location({ observedAt: hoursAgo(1) }),
    location({ ...far, observedAt: hoursAgo(1) + 120_000 }),
  ];
  assert.equal(locationFeatures(gnss, T0).impossibleJumps24h, 1);
  const ip = gnss.map((fix) => ({ ...fix, accuracyMeters: 25_000, source: 'IP' as const }));
  const f = locationFeatures(ip, T0);
  assert.equal(f.impossibleJumps24h, 0);
  assert.equal(f.latestSpeedKmh, 0);
});

void test('fixes with identical times: no division by zero; same place is speed 0, another place impossible', () => {
  const at = hoursAgo(1);
  const same = locationFeatures([location({ observedAt: at }), location({ observedAt: at })], T0);
  assert.equal(same.latestSpeedKmh, 0);
  const apart = locationFeatures(
    [location({ observedAt: at }), location({ ...SHANGHAI, observedAt: at })],
    T0,
  );
  assert.ok(Number.isFinite(apart.latestSpeedKmh));
  assert.equal(apart.impossibleJumps24h, 1);
  assert.equal(
    impliedSpeedKmh(location({ observedAt: at }), location({ observedAt: at, latitude: 40 })) > 0,
    true,
  );
});

void test('only jumps ending in the last 24 hours count as impossible travel', () => {
  const fixes = [
    location({ observedAt: hoursAgo(30.5) }),
    location({ ...SHANGHAI, observedAt: hoursAgo(30) }),
    location({ ...SHANGHAI, observedAt: hoursAgo(2) }),
  ];
  const f = locationFeatures(fixes, T0);
  assert.equal(f.impossibleJumps24h, 0);
  assert.equal(locationFeatures(fixes, hoursAgo(10)).impossibleJumps24h, 1);
});

void test('home region: newest fix at home is about 0 km away; fewer than three earlier fixes: unknown', () => {
  const f = locationFeatures(evidenceOf({ location: homeFixes(6) }).location, T0);
  assert.equal(f.homeFixCount, 5);
  assert.ok((f.homeDistanceKm ?? 99) < 1);
  const few = locationFeatures(evidenceOf({ location: homeFixes(3) }).location, T0);
  assert.equal(few.homeDistanceKm, null);
  assert.equal(few.homeFixCount, 0);
});

void test('home region is robust to one outlier: a real trip to Shanghai does not move it', () => {
  const fixes = [
    ...homeFixes(4, 60),
    location({ ...SHANGHAI, observedAt: hoursAgo(40) }),
    ...homeFixes(3, 10),
    location({ observedAt: hoursAgo(1) }),
  ];
  const f = locationFeatures(evidenceOf({ location: fixes }).location, T0);
  assert.equal(f.impossibleJumps24h, 0);
  assert.equal(f.homeFixCount, 8);
  assert.ok((f.homeDistanceKm ?? 99) < 1, String(f.homeDistanceKm));
});

void test('home region ignores a spoofed impossible jump, and the newest fix far away is far from home', () => {
  const fixes = [
    ...homeFixes(5, 30),
    location({ ...SHANGHAI, observedAt: hoursAgo(29.9) }),
    location({ ...SHANGHAI, observedAt: hoursAgo(29.8) }),
    location({ ...SHANGHAI, observedAt: hoursAgo(29.7) }),
    location({ ...SHANGHAI, observedAt: hoursAgo(1) }),
  ];
  const f = locationFeatures(evidenceOf({ location: fixes }).location, T0);
  assert.equal(f.homeFixCount, 5);
  assert.ok(Math.abs((f.homeDistanceKm ?? 0) - BEIJING_SHANGHAI_KM) < 2, String(f.homeDistanceKm));
});

void test('distance from home is net of the newest fix accuracy, and newest accuracy and source are reported', () => {
  const near = { latitude: BEIJING.latitude + 30 / 111.2, longitude: BEIJING.longitude };
  const fixes = [...homeFixes(4, 5), location({ ...near, accuracyMeters: 40_000, source: 'IP' })];
  const f = locationFeatures(evidenceOf({ location: fixes }).location, T0);
  assert.equal(f.homeDistanceKm, 0);
  assert.equal(f.accuracyMeters, 40_000);
  assert.equal(f.source, 'IP');
});
