/**
 * Geography of the simulation: the cities subjects live in and travel between, and the few spherical
 * formulas the simulator needs (distance, small offsets, moving towards a point).
 *
 * The simulator keeps its own haversine rather than importing the one in src/features/: the generator of
 * the data must not share code with the detector it is meant to test.
 */
import type { Prng } from './prng.js';

/** A WGS84 position in degrees. */
export interface GeoPoint {
  readonly lat: number;
  readonly lon: number;
}

/** A city of the service area. */
export interface City extends GeoPoint {
  readonly name: string;
  /** Short lower-case code, used in provider ids (`kiosk-bj-017`). */
  readonly code: string;
  /** Relative share of the population living there (roughly the urban population, millions). */
  readonly weight: number;
  /** Radius of the metropolitan area in km: homes and workplaces are spread within it. */
  readonly radiusKm: number;
}

/**
 * Cities of mainland China with the coordinates of their centres; weights are rounded urban populations,
 * so the big coastal cities dominate as they do in reality, and the far west (Urumqi, Lhasa) supplies the
 * long distances that make impossible travel obvious.
 */
export const CITIES: readonly City[] = [
  { name: 'Beijing', code: 'bj', lat: 39.9042, lon: 116.4074, weight: 21, radiusKm: 30 },
  { name: 'Shanghai', code: 'sh', lat: 31.2304, lon: 121.4737, weight: 24, radiusKm: 30 },
  { name: 'Guangzhou', code: 'gz', lat: 23.1291, lon: 113.2644, weight: 16, radiusKm: 25 },
  { name: 'Shenzhen', code: 'sz', lat: 22.5431, lon: 114.0579, weight: 17, radiusKm: 22 },
  { name: 'Chengdu', code: 'cd', lat: 30.5728, lon: 104.0668, weight: 14, radiusKm: 25 },
  { name: 'Chongqing', code: 'cq', lat: 29.563, lon: 106.5516, weight: 16, radiusKm: 25 },
  { name: 'Wuhan', code: 'wh', lat: 30.5928, lon: 114.3055, weight: 11, radiusKm: 22 },
  { name: "Xi'an", code: 'xa', lat: 34.3416, lon: 108.9398, weight: 9, radiusKm: 20 },
  { name: 'Hangzhou', code: 'hz', lat: 30.2741, lon: 120.1551, weight: 10, radiusKm: 22 },
  { name: 'Nanjing', code: 'nj', lat: 32.0603, lon: 118.7969, weight: 8, radiusKm: 20 },
  { name: 'Tianjin', code: 'tj', lat: 39.3434, lon: 117.3616, weight: 11, radiusKm: 22 },
  { name: 'Shenyang', code: 'sy', lat: 41.8057, lon: 123.4315, weight: 7, radiusKm: 18 },
  { name: 'Harbin', code: 'hrb', lat: 45.8038, lon: 126.535, weight: 6, radiusKm: 18 },
  { name: 'Kunming', code: 'km', lat: 24.8801, lon: 102.8329, weight: 5, radiusKm: 16 },
  { name: 'Zhengzhou', code: 'zz', lat: 34.7466, lon: 113.6253, weight: 9, radiusKm: 20 },
  { name: 'Changsha', code: 'cs', lat: 28.2282, lon: 112.9388, weight: 7, radiusKm: 18 },
  { name: 'Qingdao', code: 'qd', lat: 36.0671, lon: 120.3826, weight: 6, radiusKm: 18 },
  { name: 'Xiamen', code: 'xm', lat: 24.4798, lon: 118.0894, weight: 4, radiusKm: 14 },
  { name: 'Fuzhou', code: 'fz', lat: 26.0745, lon: 119.2965, weight: 5, radiusKm: 15 },
  { name: 'Jinan', code: 'jn', lat: 36.6512, lon: 117.1201, weight: 6, radiusKm: 16 },
  { name: 'Hefei', code: 'hf', lat: 31.8206, lon: 117.2272, weight: 6, radiusKm: 16 },
  { name: 'Lanzhou', code: 'lz', lat: 36.0611, lon: 103.8343, weight: 3, radiusKm: 14 },
  { name: 'Urumqi', code: 'urc', lat: 43.8256, lon: 87.6168, weight: 3, radiusKm: 16 },
  { name: 'Lhasa', code: 'lxa', lat: 29.652, lon: 91.1721, weight: 1, radiusKm: 10 },
  { name: 'Haikou', code: 'hk', lat: 20.044, lon: 110.1999, weight: 2, radiusKm: 12 },
  { name: 'Hohhot', code: 'hhht', lat: 40.8424, lon: 111.749, weight: 2, radiusKm: 12 },
];

/** Population weights of {@link CITIES}, in the same order, for weighted draws. */
export const CITY_WEIGHTS: readonly number[] = CITIES.map((c) => c.weight);

const EARTH_RADIUS_KM = 6371.0088;
const KM_PER_DEGREE_LAT = 111.32;
const RAD = Math.PI / 180;

/** Great-circle distance in km (haversine). */
export function distanceKm(a: GeoPoint, b: GeoPoint): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const s1 = Math.sin(dLat / 2);
  const s2 = Math.sin(dLon / 2);
  const h = s1 * s1 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * s2 * s2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(Math.min(1, h)));
}

/**
 * The point `eastKm` east and `northKm` north of `p` on a local flat approximation: accurate to well
 * under 1% for the tens of km it is used over.
 */
export function offsetKm(p: GeoPoint, eastKm: number, northKm: number): GeoPoint {
  return {
    lat: p.lat + northKm / KM_PER_DEGREE_LAT,
    lon: p.lon + eastKm / (KM_PER_DEGREE_LAT * Math.cos(p.lat * RAD)),
  };
}

/** A point uniformly distributed in the disc of `radiusKm` around `p`. */
export function pointNear(prng: Prng, p: GeoPoint, radiusKm: number): GeoPoint {
  const r = radiusKm * Math.sqrt(prng.float());
  const angle = prng.uniform(0, 2 * Math.PI);
  return offsetKm(p, r * Math.cos(angle), r * Math.sin(angle));
}

/**
 * The point reached from `from` after going at most `maxKm` straight towards `to` (interpolated in
 * degrees: exact enough within a city, where it is used).
 */
export function moveToward(from: GeoPoint, to: GeoPoint, maxKm: number): GeoPoint {
  const d = distanceKm(from, to);
  if (d <= maxKm || d === 0) return to;
  const f = maxKm / d;
  return { lat: from.lat + (to.lat - from.lat) * f, lon: from.lon + (to.lon - from.lon) * f };
}

/**
 * A city at least `minKm` from `from`, drawn by population weight; the farthest city when none is that
 * far (cannot happen with {@link CITIES} and the distances the scenarios ask for, but keeps the function
 * total).
 */
export function cityFartherThan(prng: Prng, from: GeoPoint, minKm: number): City {
  const weights = CITIES.map((c) => (distanceKm(from, c) >= minKm ? c.weight : 0));
  if (weights.some((w) => w > 0)) return CITIES[prng.weightedIndex(weights)] ?? farthestCity(from);
  return farthestCity(from);
}

function farthestCity(from: GeoPoint): City {
  let best = CITIES[0];
  if (best === undefined) throw new RangeError('no cities');
  for (const c of CITIES) if (distanceKm(from, c) > distanceKm(from, best)) best = c;
  return best;
}

/** Rounds degrees to 6 decimals (about 0.1 m): real providers send no more, and JSON stays readable. */
export function roundDegrees(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
