/**
 * Travel by air: the benign long jump. A fix where the traveller is before departure, none while in the
 * air (phones are off), one at the destination on arrival, then everyday life around the destination
 * until the flight back.
 *
 * The flight time is the great-circle distance over a door-to-door speed of 600–850 km/h, so the two
 * fixes around a flight imply at most 850 km/h: fast, but below the 900 km/h beyond which travel is
 * impossible (src/features/feature-constants.ts), as real flights are.
 */
import type { ValidEvent } from './events.js';
import { cityFartherThan, distanceKm, pointNear, type City, type GeoPoint } from './geo.js';
import { preciseFixRecord } from './records.js';
import type { Label } from './scenario-catalogue.js';
import { emit, type SimContext } from './sim-context.js';
import { advancePosition, relocate, relocateHome, type SubjectState } from './subject-state.js';
import { DAY_MS, HOUR_MS, YEAR_MS } from './time.js';

/** Slowest and fastest door-to-door speed of a flight, km/h. */
const MIN_FLIGHT_KMH = 600;
const MAX_FLIGHT_KMH = 850;

interface Leg {
  /** Step names are `<prefix>/depart`, `<prefix>/arrive`, `<prefix>/return-depart`, `<prefix>/return-arrive`. */
  readonly prefix: string;
  readonly label: Label;
}

/**
 * Starts a flight at `t` from where the subject is to `point`; `onArrival` runs at landing and returns
 * the arrival fix's event. Returns the departure fix's event.
 */
function fly(
  ctx: SimContext,
  state: SubjectState,
  t: number,
  point: GeoPoint,
  step: string,
  label: Label,
  onArrival: (landedAt: number) => void,
): ValidEvent {
  const { prng } = ctx;
  const from = advancePosition(state, prng, t);
  const hours = distanceKm(from, point) / prng.uniform(MIN_FLIGHT_KMH, MAX_FLIGHT_KMH);
  const landing = t + Math.ceil(hours * HOUR_MS);
  state.inFlightUntil = landing;
  ctx.schedule(landing, (landedAt) => {
    onArrival(landedAt);
    const record = preciseFixRecord(prng, state, landedAt, point);
    return emit(state, 'location', record, { label, step: step.replace('depart', 'arrive') });
  });
  const record = preciseFixRecord(prng, state, t, from);
  return emit(state, 'location', record, { label, step });
}

/**
 * A round trip: out to a city at least `minKm` away at `t`, back home `stayDays` later; `onReturn` runs
 * when the subject is home again. Returns the first departure fix's event.
 */
export function roundTrip(
  ctx: SimContext,
  state: SubjectState,
  t: number,
  leg: Leg & { readonly minKm: number; readonly onReturn?: (t: number) => void },
): ValidEvent {
  const { prng } = ctx;
  const city: City = cityFartherThan(prng, state.position, leg.minKm);
  const destination = pointNear(prng, city, city.radiusKm / 3);
  return fly(ctx, state, t, destination, `${leg.prefix}/depart`, leg.label, (landedAt) => {
    relocate(state, prng, landedAt, destination, city.code);
    const backAt = landedAt + Math.floor(prng.uniform(1, 10) * DAY_MS);
    ctx.schedule(backAt, (departAt) =>
      fly(ctx, state, departAt, state.subject.home, `${leg.prefix}/return-depart`, leg.label, (homeAt) => {
        relocateHome(state, homeAt);
        leg.onReturn?.(homeAt);
      }),
    );
  });
}

/**
 * Schedules the everyday trips of a subject who flies `flightsPerYear` times a year, as a Poisson
 * process in simulated time, from `fromMs` on.
 */
export function scheduleEverydayTrips(ctx: SimContext, state: SubjectState, fromMs: number): void {
  const perYear = state.subject.habits.flightsPerYear;
  if (perYear <= 0) return;
  const next = (after: number): void => {
    const at = after + Math.floor(ctx.prng.exponential(YEAR_MS / perYear));
    ctx.schedule(at, (t) =>
      roundTrip(ctx, state, t, { prefix: 'trip', label: 'genuine', minKm: 500, onReturn: next }),
    );
  };
  next(fromMs);
}
