/**
 * Location features: implied travel speed between consecutive fixes (allowing for their accuracy), the
 * subject's home region and how far the newest fix is from it, and the newest fix's accuracy and source.
 *
 * Home region: the component-wise median latitude and longitude of the most recent
 * {@link HOME_MAX_FIXES} accepted fixes before the newest one. A fix is accepted when the jump to it from
 * the last accepted fix is possible (≤ {@link IMPOSSIBLE_SPEED_KMH}), so a spoofed fix far away does not
 * join the home region, and a median ignores a single outlier that slipped through (a real trip). The
 * newest fix is left out so that it is measured against the past, not against itself. Longitude is not
 * wrapped at ±180°: a home region straddling the antimeridian gets a wrong centre (no such region is in
 * the service area).
 */
import type { LocationSignal, LocationSource } from '../codec/types.js';
import { hoursSince, visibleInOrder } from './event-window.js';
import {
  EARTH_RADIUS_KM,
  HOME_MAX_FIXES,
  HOME_MIN_FIXES,
  IMPOSSIBLE_SPEED_KMH,
  MIN_FIX_INTERVAL_MS,
  MS_PER_HOUR,
  TRAVEL_LOOKBACK_MS,
} from './feature-constants.js';

/** Location features of one subject at one time. */
export interface LocationFeatures {
  /** Any fix observed by then. */
  readonly present: boolean;
  /** `observedAt` of the newest fix, epoch ms; null when absent. */
  readonly evidenceAt: number | null;
  /** Hours since the newest fix. */
  readonly ageHours: number | null;
  /** Fixes in the window observed by then. */
  readonly fixCount: number;
  /** Implied speed from the fix before the newest to the newest, km/h; null with fewer than two fixes. */
  readonly latestSpeedKmh: number | null;
  /** Highest implied speed of a jump ending in the last 24 h, km/h; null when no jump ends then. */
  readonly maxSpeedKmh24h: number | null;
  /** Jumps ending in the last 24 h faster than {@link IMPOSSIBLE_SPEED_KMH}. */
  readonly impossibleJumps24h: number;
  /** Accepted fixes the home region was computed from (0 when it is unknown). */
  readonly homeFixCount: number;
  /**
   * Distance from the home region to the newest fix, less the newest fix's accuracy radius, floored at 0,
   * in km; null when the home region is unknown (fewer than {@link HOME_MIN_FIXES} accepted fixes).
   */
  readonly homeDistanceKm: number | null;
  /** Newest fix's accuracy radius, metres. */
  readonly accuracyMeters: number | null;
  /** Newest fix's source. */
  readonly source: LocationSource | null;
}

/** Features of a subject with no location evidence. */
export const ABSENT_LOCATION: LocationFeatures = Object.freeze({
  present: false,
  evidenceAt: null,
  ageHours: null,
  fixCount: 0,
  latestSpeedKmh: null,
  maxSpeedKmh24h: null,
  impossibleJumps24h: 0,
  homeFixCount: 0,
  homeDistanceKm: null,
  accuracyMeters: null,
  source: null,
});

const RADIANS_PER_DEGREE = Math.PI / 180;

/** Great-circle distance between two WGS84 points (degrees), in km (haversine on a sphere). */
export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RADIANS_PER_DEGREE;
  const dLon = (lon2 - lon1) * RADIANS_PER_DEGREE;
  const s1 = Math.sin(dLat / 2);
  const s2 = Math.sin(dLon / 2);
  const h = s1 * s1 + Math.cos(lat1 * RADIANS_PER_DEGREE) * Math.cos(lat2 * RADIANS_PER_DEGREE) * s2 * s2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(Math.min(1, h)));
}

/**
 * The slowest speed, in km/h, that explains moving between two fixes: the distance between their centres
 * less both accuracy radii (the subject may have been anywhere inside each circle), floored at 0, over
 * the time between them (at least {@link MIN_FIX_INTERVAL_MS}).
 */
export function impliedSpeedKmh(a: LocationSignal, b: LocationSignal): number {
  const centres = haversineKm(a.latitude, a.longitude, b.latitude, b.longitude);
  const slack = (a.accuracyMeters + b.accuracyMeters) / 1000;
  const km = centres > slack ? centres - slack : 0;
  const hours = Math.max(Math.abs(b.observedAt - a.observedAt), MIN_FIX_INTERVAL_MS) / MS_PER_HOUR;
  return km / hours;
}

/**
 * Location features from a window of fixes (any order; see `visibleInOrder`) at `nowMs` (epoch ms).
 * Fixes observed after `nowMs` are ignored.
 */
export function locationFeatures(window: readonly LocationSignal[], nowMs: number): LocationFeatures {
  const fixes = visibleInOrder(window, nowMs);
  const newest = fixes[fixes.length - 1];
  if (newest === undefined) return ABSENT_LOCATION;
  const travel = travelOf(fixes, nowMs);
  const homeFixCount = homeCentre(fixes);
  let homeDistanceKm: number | null = null;
  if (homeFixCount >= HOME_MIN_FIXES) {
    const centres = haversineKm(homeScratch.lat, homeScratch.lon, newest.latitude, newest.longitude);
    homeDistanceKm = Math.max(0, centres - newest.accuracyMeters / 1000);
  }
  return {
    present: true,
    evidenceAt: newest.observedAt,
    ageHours: hoursSince(newest.observedAt, nowMs),
    fixCount: fixes.length,
    latestSpeedKmh: travel.latest,
    maxSpeedKmh24h: travel.max24h,
    impossibleJumps24h: travel.impossible24h,
    homeFixCount: homeFixCount >= HOME_MIN_FIXES ? homeFixCount : 0,
    homeDistanceKm,
    accuracyMeters: newest.accuracyMeters,
    source: newest.source,
  };
}

interface Travel {
  latest: number | null;
  max24h: number | null;
  impossible24h: number;
}

/** Speeds of every consecutive pair of fixes; jumps are counted by the time of their later fix. */
function travelOf(fixes: readonly LocationSignal[], nowMs: number): Travel {
  const travel: Travel = { latest: null, max24h: null, impossible24h: 0 };
  const since = nowMs - TRAVEL_LOOKBACK_MS;
  for (let i = 1; i < fixes.length; i += 1) {
    const a = fixes[i - 1];
    const b = fixes[i];
    if (a === undefined || b === undefined) continue;
    const speed = impliedSpeedKmh(a, b);
    travel.latest = speed;
    if (b.observedAt <= since) continue;
    if (travel.max24h === null || speed > travel.max24h) travel.max24h = speed;
    if (speed > IMPOSSIBLE_SPEED_KMH) travel.impossible24h += 1;
  }
  return travel;
}

/** Reused buffers: the median needs sorting and scoring is synchronous, so one set serves every call. */
const homeScratch = {
  lats: new Float64Array(HOME_MAX_FIXES),
  lons: new Float64Array(HOME_MAX_FIXES),
  accepted: new Uint8Array(64),
  lat: 0,
  lon: 0,
};

/**
 * Computes the home centre into `homeScratch.lat/lon` and returns how many accepted fixes it used (the
 * centre is meaningful only when that is ≥ {@link HOME_MIN_FIXES}).
 */
function homeCentre(fixes: readonly LocationSignal[]): number {
  const before = fixes.length - 1;
  if (before < HOME_MIN_FIXES) return 0;
  if (homeScratch.accepted.length < before) homeScratch.accepted = new Uint8Array(before * 2);
  const accepted = homeScratch.accepted;
  let lastAccepted: LocationSignal | undefined;
  for (let i = 0; i < before; i += 1) {
    const fix = fixes[i];
    if (fix === undefined) continue;
    const ok = lastAccepted === undefined || impliedSpeedKmh(lastAccepted, fix) <= IMPOSSIBLE_SPEED_KMH;
    accepted[i] = ok ? 1 : 0;
    if (ok) lastAccepted = fix;
  }
  let count = 0;
  for (let i = before - 1; i >= 0 && count < HOME_MAX_FIXES; i -= 1) {
    const fix = fixes[i];
    if (fix === undefined || accepted[i] !== 1) continue;
    homeScratch.lats[count] = fix.latitude;
    homeScratch.lons[count] = fix.longitude;
    count += 1;
  }
  if (count < HOME_MIN_FIXES) return count;
  homeScratch.lat = medianInPlace(homeScratch.lats, count);
  homeScratch.lon = medianInPlace(homeScratch.lons, count);
  return count;
}

/** Median of the first `n` (≥ 1) values of `values`, sorting them in place (insertion sort: n ≤ 16). */
function medianInPlace(values: Float64Array, n: number): number {
  for (let i = 1; i < n; i += 1) {
    const v = values[i] ?? 0;
    let j = i - 1;
    while (j >= 0 && (values[j] ?? 0) > v) {
      values[j + 1] = values[j] ?? 0;
      j -= 1;
    }
    values[j + 1] = v;
  }
  const mid = n >> 1;
  const upper = values[mid] ?? 0;
  return n % 2 === 1 ? upper : ((values[mid - 1] ?? 0) + upper) / 2;
}
