/**
 * Biometric features: the newest capture, whether a presentation attack is still unanswered by a later
 * live capture, and how many attempts failed in the last 24 hours.
 */
import type { BiometricSignal, CaptureChannel, Modality } from '../codec/types.js';
import { hoursSince, hoursSinceOrNull, visibleInOrder } from './event-window.js';
import {
  BIO_FAILED_MATCH_BELOW,
  BIO_GOOD_CAPTURE_MIN_QUALITY,
  BIO_LIFT_CONSECUTIVE_LIVE,
  BIO_LIVE_CAPTURE_MIN_LIVENESS,
  BIO_LIVENESS_LOW_BELOW,
  FAILED_ATTEMPT_LOOKBACK_MS,
} from './feature-constants.js';

/** Biometric features of one subject at one time. Scores are the capture's own 0..1 values. */
export interface BiometricFeatures {
  /** Any capture observed by then. */
  readonly present: boolean;
  /** `observedAt` of the newest capture, epoch ms; null when absent. */
  readonly evidenceAt: number | null;
  /** Hours since the newest capture. */
  readonly ageHours: number | null;
  /** Captures in the window observed by then. */
  readonly captureCount: number;
  /** Newest capture's match score (0..1). */
  readonly matchScore: number | null;
  /** Newest capture's liveness score (0..1). */
  readonly livenessScore: number | null;
  /** Newest capture's quality score (0..1). */
  readonly qualityScore: number | null;
  /** Newest capture's PAD decision. */
  readonly presentationAttack: boolean;
  /** Newest capture is a live good capture (see {@link isLiveGoodCapture}). */
  readonly newestIsLiveGood: boolean;
  readonly modality: Modality | null;
  readonly captureChannel: CaptureChannel | null;
  /**
   * A presentation attack was observed at or after the newest live good capture (or there is none): the
   * contract's cap holds "until a later live capture". At equal times the attack wins.
   */
  readonly attackUnanswered: boolean;
  /** Hours since the newest capture flagged as a presentation attack; null when none in the window. */
  readonly lastAttackAgeHours: number | null;
  /** Hours since the newest live good capture; null when none in the window. */
  readonly lastLiveCaptureAgeHours: number | null;
  /**
   * Failed attempts (see {@link isFailedAttempt}) observed in the 24 h up to the time asked about,
   * however late they arrived.
   */
  readonly failedAttempts24h: number;
}

/** Features of a subject with no biometric evidence. */
export const ABSENT_BIOMETRIC: BiometricFeatures = Object.freeze({
  present: false,
  evidenceAt: null,
  ageHours: null,
  captureCount: 0,
  matchScore: null,
  livenessScore: null,
  qualityScore: null,
  presentationAttack: false,
  newestIsLiveGood: false,
  modality: null,
  captureChannel: null,
  attackUnanswered: false,
  lastAttackAgeHours: null,
  lastLiveCaptureAgeHours: null,
  failedAttempts24h: 0,
});

/**
 * A failed attempt: the match is below {@link BIO_FAILED_MATCH_BELOW}, or liveness is below
 * {@link BIO_LIVENESS_LOW_BELOW}, or the device flagged a presentation attack.
 */
export function isFailedAttempt(capture: BiometricSignal): boolean {
  return (
    capture.presentationAttack ||
    capture.matchScore < BIO_FAILED_MATCH_BELOW ||
    capture.livenessScore < BIO_LIVENESS_LOW_BELOW
  );
}

/**
 * A live good capture: no PAD flag, liveness ≥ {@link BIO_LIVE_CAPTURE_MIN_LIVENESS} and quality ≥
 * {@link BIO_GOOD_CAPTURE_MIN_QUALITY}. Whether it matched does not matter for liveness.
 */
export function isLiveGoodCapture(capture: BiometricSignal): boolean {
  return (
    !capture.presentationAttack &&
    capture.livenessScore >= BIO_LIVE_CAPTURE_MIN_LIVENESS &&
    capture.qualityScore >= BIO_GOOD_CAPTURE_MIN_QUALITY
  );
}

/**
 * Biometric features from a window of captures (any order; see `visibleInOrder`) at `nowMs` (epoch ms).
 * Captures observed after `nowMs` are ignored.
 */
/** No PAD flag and liveness at least BIO_LIVE_CAPTURE_MIN_LIVENESS, whatever the quality. */
export function isLiveCapture(capture: BiometricSignal): boolean {
  return !capture.presentationAttack && capture.livenessScore >= BIO_LIVE_CAPTURE_MIN_LIVENESS;
}

/**
 * Whether a capture lifts an earlier presentation-attack flag (see BIO_LIFT_CONSECUTIVE_LIVE): a live good
 * capture, a live capture at an attended channel (BRANCH), or the second live capture in a row whatever
 * its quality. `liveInRow` counts the live captures ending with this one.
 */
export function liftsAttackFlag(capture: BiometricSignal, liveInRow: number): boolean {
  if (!isLiveCapture(capture)) return false;
  return (
    isLiveGoodCapture(capture) ||
    capture.captureChannel === 'BRANCH' ||
    liveInRow >= BIO_LIFT_CONSECUTIVE_LIVE
  );
}

export function biometricFeatures(window: readonly BiometricSignal[], nowMs: number): BiometricFeatures {
  const captures = visibleInOrder(window, nowMs);
  const newest = captures[captures.length - 1];
  if (newest === undefined) return ABSENT_BIOMETRIC;
  const failedSince = nowMs - FAILED_ATTEMPT_LOOKBACK_MS;
  let lastAttackAt: number | null = null;
  let lastLiveAt: number | null = null;
  let failed = 0;
  let liveInRow = 0;
  for (const capture of captures) {
    liveInRow = isLiveCapture(capture) ? liveInRow + 1 : 0;
    if (capture.presentationAttack) lastAttackAt = capture.observedAt;
    else if (liftsAttackFlag(capture, liveInRow)) lastLiveAt = capture.observedAt;
    if (capture.observedAt > failedSince && isFailedAttempt(capture)) failed += 1;
  }
  return {
    present: true,
    evidenceAt: newest.observedAt,
    ageHours: hoursSince(newest.observedAt, nowMs),
    captureCount: captures.length,
    matchScore: newest.matchScore,
    livenessScore: newest.livenessScore,
    qualityScore: newest.qualityScore,
    presentationAttack: newest.presentationAttack,
    newestIsLiveGood: isLiveGoodCapture(newest),
    modality: newest.modality,
    captureChannel: newest.captureChannel,
    attackUnanswered: lastAttackAt !== null && (lastLiveAt === null || lastAttackAt >= lastLiveAt),
    lastAttackAgeHours: hoursSinceOrNull(lastAttackAt, nowMs),
    lastLiveCaptureAgeHours: hoursSinceOrNull(lastLiveAt, nowMs),
    failedAttempts24h: failed,
  };
}
