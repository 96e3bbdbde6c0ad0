/**
 * What changes about a subject while the stream runs: where they are, whether they are in the air, who
 * controls the identity, and the carrier and registry facts scenarios alter (a SIM swap, a death).
 * One mutable object per subject, owned by one stream; profiles (population.ts) never change.
 */
import { distanceKm, moveToward, pointNear, type GeoPoint } from './geo.js';
import type { RegistryFacts, Subject, TelecomFacts } from './population.js';
import type { Prng } from './prng.js';
import { HOUR_MS } from './time.js';

/** Whoever uses the identity during an attack. */
export interface Attacker {
  /** Range of the attacker's biometric match scores against the subject's enrolled template. */
  readonly matchMin: number;
  readonly matchMax: number;
  /** Where the attacker is; null when they act where the subject would be (same household, same city). */
  readonly point: GeoPoint | null;
}

export interface SubjectState {
  readonly subject: Subject;
  /** True position at `positionAt` (fixes add measurement noise around it). */
  position: GeoPoint;
  positionAt: number;
  /** The two places everyday movement goes between: home and work, or hotel and meeting when away. */
  anchors: readonly [GeoPoint, GeoPoint];
  /** Which anchor the subject is heading to. */
  target: 0 | 1;
  /** City code of where the subject is (kiosk and branch ids). */
  cityCode: string;
  /** No location fix before this: the subject is in the air. */
  inFlightUntil: number;
  /** No event at all in [silentFrom, silentUntil). */
  silentFrom: number;
  silentUntil: number;
  /** The attacker acts (everyday events become theirs) in [attackFrom, attackUntil). */
  attackFrom: number;
  attackUntil: number;
  attacker: Attacker | null;
  telecom: TelecomFacts;
  registry: RegistryFacts;
}

export function createState(subject: Subject, clockStartMs: number): SubjectState {
  const synthetic = subject.scenario === 'synthetic-identity';
  return {
    subject,
    position: subject.home,
    positionAt: clockStartMs,
    anchors: [subject.home, subject.work],
    target: 1,
    cityCode: subject.city.code,
    inFlightUntil: Number.NEGATIVE_INFINITY,
    silentFrom: subject.silentFrom,
    silentUntil: subject.silentUntil,
    // A made-up identity is an attack from its first event to its last; it looks like its own holder.
    attackFrom: synthetic ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY,
    attackUntil: Number.POSITIVE_INFINITY,
    attacker: synthetic ? { matchMin: 0.85, matchMax: 0.98, point: null } : null,
    telecom: subject.telecom,
    registry: subject.registry,
  };
}

export function isSilent(state: SubjectState, t: number): boolean {
  return t >= state.silentFrom && t < state.silentUntil;
}

/** The attacker in control at `t`, or null. */
export function attackerAt(state: SubjectState, t: number): Attacker | null {
  return t >= state.attackFrom && t < state.attackUntil ? state.attacker : null;
}

/**
 * Moves the subject from their last known position towards their current anchor at their everyday
 * speed, switching anchors on arrival (and now and then on a whim), and returns the new position.
 * Movement is bounded by the speed, so two everyday fixes never imply more than that speed, however
 * densely the stream samples one subject.
 */
export function advancePosition(state: SubjectState, prng: Prng, t: number): GeoPoint {
  const hours = Math.max(0, t - state.positionAt) / HOUR_MS;
  const target = state.anchors[state.target];
  state.position = moveToward(state.position, target, state.subject.speedKmh * hours);
  state.positionAt = Math.max(state.positionAt, t);
  if (distanceKm(state.position, target) < 0.05 || prng.chance(0.02)) {
    state.target = state.target === 0 ? 1 : 0;
  }
  return state.position;
}

/** Puts the subject at `point` at time `t` (arrival of a flight) with anchors around it. */
export function relocate(
  state: SubjectState,
  prng: Prng,
  t: number,
  point: GeoPoint,
  cityCode: string,
): void {
  state.position = point;
  state.positionAt = t;
  state.cityCode = cityCode;
  state.anchors = [point, pointNear(prng, point, prng.uniform(2, 10))];
  state.target = 1;
}

/** Sends the subject back to their home anchors (arrival of a return flight). */
export function relocateHome(state: SubjectState, t: number): void {
  state.position = state.subject.home;
  state.positionAt = t;
  state.cityCode = state.subject.city.code;
  state.anchors = [state.subject.home, state.subject.work];
  state.target = 1;
}
