/**
 * Telecom features: what the carrier says about the subject's number, from the newest telecom signal by
 * event time, and whether the number itself changed within the window.
 */
import type { KycMatch, LineType, TelecomSignal } from '../codec/types.js';
import { hoursSince, hoursSinceOrNull, visibleInOrder } from './event-window.js';
import { MS_PER_DAY } from './feature-constants.js';

/** Telecom features of one subject at one time. Every age is in hours before the time asked about. */
export interface TelecomFeatures {
  /** Any telecom signal observed by then. */
  readonly present: boolean;
  /** `observedAt` of the newest telecom signal, epoch ms; null when absent. */
  readonly evidenceAt: number | null;
  /** Hours since the newest telecom signal. */
  readonly ageHours: number | null;
  /** Telecom signals in the window observed by then. */
  readonly signalCount: number;
  /** Hours since the last SIM change (newest signal's `simSwappedAt`); null when none is known. */
  readonly simSwapAgeHours: number | null;
  /** Hours since the last port between operators (newest signal's `portedAt`); null when none is known. */
  readonly portAgeHours: number | null;
  /** Hours since the last handset change (newest signal's `deviceChangedAt`); null when none is known. */
  readonly deviceChangeAgeHours: number | null;
  /**
   * Days the subject has held the number, as of the time asked about: the newest signal's `tenureDays`
   * plus the days since that signal (tenure keeps growing between reports).
   */
  readonly tenureDays: number | null;
  /** Newest signal's carrier real-name (KYC) match. */
  readonly kycMatch: KycMatch | null;
  /** Newest signal's line type. */
  readonly lineType: LineType | null;
  /**
   * Hours since the `msisdnHash` last changed within the window (the first signal carrying a hash that
   * differs from the one before it); null when every signal in the window has the same number.
   */
  readonly msisdnChangeAgeHours: number | null;
}

/** Features of a subject with no telecom evidence. */
export const ABSENT_TELECOM: TelecomFeatures = Object.freeze({
  present: false,
  evidenceAt: null,
  ageHours: null,
  signalCount: 0,
  simSwapAgeHours: null,
  portAgeHours: null,
  deviceChangeAgeHours: null,
  tenureDays: null,
  kycMatch: null,
  lineType: null,
  msisdnChangeAgeHours: null,
});

/**
 * Telecom features from a window of telecom signals (any order; see `visibleInOrder`) at `nowMs`
 * (epoch ms). Signals observed after `nowMs` are ignored.
 */
export function telecomFeatures(window: readonly TelecomSignal[], nowMs: number): TelecomFeatures {
  const signals = visibleInOrder(window, nowMs);
  const newest = signals[signals.length - 1];
  if (newest === undefined) return ABSENT_TELECOM;
  return {
    present: true,
    evidenceAt: newest.observedAt,
    ageHours: hoursSince(newest.observedAt, nowMs),
    signalCount: signals.length,
    simSwapAgeHours: hoursSinceOrNull(newest.simSwappedAt, nowMs),
    portAgeHours: hoursSinceOrNull(newest.portedAt, nowMs),
    deviceChangeAgeHours: hoursSinceOrNull(newest.deviceChangedAt, nowMs),
    tenureDays: newest.tenureDays + Math.max(0, nowMs - newest.observedAt) / MS_PER_DAY,
    kycMatch: newest.kycMatch,
    lineType: newest.lineType,
    msisdnChangeAgeHours: msisdnChangeAge(signals, nowMs),
  };
}

function msisdnChangeAge(signals: readonly TelecomSignal[], nowMs: number): number | null {
  for (let i = signals.length - 1; i > 0; i -= 1) {
    const current = signals[i];
    const before = signals[i - 1];
    if (current !== undefined && before !== undefined && current.msisdnHash !== before.msisdnHash) {
      return hoursSince(current.observedAt, nowMs);
    }
  }
  return null;
}
