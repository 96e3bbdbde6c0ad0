/**
 * What the state store keeps per subject: for each dimension, a bounded window of that subject's recent
 * signals, ordered by event time (`observedAt`, oldest first), each event at most once (by `eventId`).
 *
 * Why windows and not running aggregates: every derived quantity (speed between fixes, home region,
 * failed attempts in 24 hours, newest SIM swap) is then one pure function of the window and the time
 * asked about, in src/features/. The Redis Lua script and the in-memory twin only have to insert in
 * event-time order, drop duplicates and trim; an event that arrives late lands in its place in time and
 * still counts (a late failed biometric attempt), without overwriting what is newer.
 */
import type {
  BiometricSignal,
  LocationSignal,
  RegistrySignal,
  SignalKind,
  TelecomSignal,
} from '../codec/types.js';

export interface SubjectEvidence {
  readonly telecom: readonly TelecomSignal[];
  readonly location: readonly LocationSignal[];
  readonly biometric: readonly BiometricSignal[];
  readonly registry: readonly RegistrySignal[];
}

/**
 * How many signals each window keeps (the newest by event time). Location keeps enough fixes for a stable
 * home-region centre; biometric enough to count a day of failed attempts at a busy kiosk.
 */
export const WINDOW_SIZES: Readonly<Record<SignalKind, number>> = {
  telecom: 8,
  location: 32,
  biometric: 32,
  registry: 8,
};

export const EMPTY_EVIDENCE: SubjectEvidence = Object.freeze({
  telecom: [],
  location: [],
  biometric: [],
  registry: [],
});
