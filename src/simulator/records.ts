/**
 * Builders of the four signal records from a subject's state, and the draws of measured values (fix
 * accuracy, capture scores) that everyday activity and scenarios share.
 *
 * Float fields (Avro `float`) are rounded to what a float32 holds, and scores to 3 decimals, so that a
 * record decodes to exactly the value the simulator yielded (tests compare them with deepEqual).
 */
import type {
  BiometricSignal,
  CaptureChannel,
  LocationSignal,
  LocationSource,
  Modality,
  RegistrySignal,
  TelecomSignal,
} from '../codec/types.js';
import { pointNear, roundDegrees, type GeoPoint } from './geo.js';
import type { Prng } from './prng.js';
import type { SubjectState } from './subject-state.js';
import { DAY_MS } from './time.js';

/** A score in 0..1 as a provider would send it: 3 decimals, float32. */
export function score3(value: number): number {
  return Math.fround(Math.round(Math.min(1, Math.max(0, value)) * 1000) / 1000);
}

/** The carrier's current view of the subject's line. */
export function telecomRecord(prng: Prng, state: SubjectState, t: number): TelecomSignal {
  const facts = state.telecom;
  return {
    eventId: prng.uuid(),
    subjectId: state.subject.subjectId,
    providerId: `carrier-${facts.carrier}`,
    observedAt: t,
    msisdnHash: facts.msisdnHash,
    carrier: facts.carrier,
    lineType: facts.lineType,
    tenureDays: Math.max(0, Math.floor((t - facts.numberSince) / DAY_MS)),
    // A carrier reports an event only once it has happened (genuine swaps and ports fall in the period).
    simSwappedAt: facts.simSwappedAt !== null && facts.simSwappedAt <= t ? facts.simSwappedAt : null,
    portedAt: facts.portedAt !== null && facts.portedAt <= t ? facts.portedAt : null,
    deviceChangedAt:
      facts.deviceChangedAt !== null && facts.deviceChangedAt <= t ? facts.deviceChangedAt : null,
    kycMatch: facts.kycMatch,
  };
}

const SOURCES: readonly LocationSource[] = ['GNSS', 'WIFI', 'CELL', 'IP'];
/** Everyday shares of fix sources: phones mostly report satellite or Wi-Fi fixes. */
const SOURCE_WEIGHTS = [50, 25, 20, 5];

/** Accuracy radius of a fix from `source`, metres: typical ranges of each technology. */
function accuracyOf(prng: Prng, source: LocationSource): number {
  switch (source) {
    case 'GNSS':
      return prng.uniform(3, 30);
    case 'WIFI':
      return prng.uniform(15, 80);
    case 'CELL':
      return Math.exp(prng.uniform(Math.log(200), Math.log(3000)));
    case 'IP':
      return prng.uniform(5_000, 50_000);
  }
}

/** An everyday fix source. */
export function everydaySource(prng: Prng): LocationSource {
  return SOURCES[prng.weightedIndex(SOURCE_WEIGHTS)] ?? 'GNSS';
}

/**
 * A fix of the true position `point`. The reported centre lies within 70% of the accuracy radius of the
 * truth, as the radius promises; so the slowest speed explaining two fixes (centres apart less both
 * radii) never exceeds the true speed.
 */
export function fixRecord(
  prng: Prng,
  state: SubjectState,
  t: number,
  point: GeoPoint,
  source: LocationSource,
): LocationSignal {
  const accuracy = Math.fround(Math.round(accuracyOf(prng, source) * 10) / 10);
  const measured = pointNear(prng, point, (0.7 * accuracy) / 1000);
  const providerId =
    source === 'CELL'
      ? `carrier-${state.telecom.carrier}`
      : source === 'IP'
        ? 'ipgeo-gateway'
        : 'app-dmid-mobile';
  return {
    eventId: prng.uuid(),
    subjectId: state.subject.subjectId,
    providerId,
    observedAt: t,
    latitude: roundDegrees(measured.lat),
    longitude: roundDegrees(measured.lon),
    accuracyMeters: accuracy,
    source,
  };
}

/** A fix the scenarios need to be sharp (GNSS or Wi-Fi, ≤ 80 m), so its evidence is unambiguous. */
export function preciseFixRecord(
  prng: Prng,
  state: SubjectState,
  t: number,
  point: GeoPoint,
): LocationSignal {
  return fixRecord(prng, state, t, point, prng.chance(0.7) ? 'GNSS' : 'WIFI');
}

/** The measured values of one biometric capture. */
export interface CaptureValues {
  readonly matchScore: number;
  readonly livenessScore: number;
  readonly qualityScore: number;
  readonly presentationAttack: boolean;
}

const CHANNELS: readonly CaptureChannel[] = ['KIOSK', 'MOBILE', 'BRANCH'];

const MODALITIES: Readonly<Record<CaptureChannel, readonly [readonly Modality[], readonly number[]]>> = {
  KIOSK: [
    ['FACE', 'FINGERPRINT', 'IRIS'],
    [70, 25, 5],
  ],
  MOBILE: [
    ['FACE', 'VOICE', 'FINGERPRINT'],
    [90, 6, 4],
  ],
  BRANCH: [
    ['FINGERPRINT', 'FACE', 'IRIS'],
    [50, 45, 5],
  ],
};

/** The channel of an everyday capture, by the subject's habits. */
export function everydayChannel(prng: Prng, state: SubjectState): CaptureChannel {
  return CHANNELS[prng.weightedIndex(state.subject.habits.channelWeights)] ?? 'KIOSK';
}

function providerOfChannel(prng: Prng, state: SubjectState, channel: CaptureChannel): string {
  const site = String(prng.int(1, 121)).padStart(3, '0');
  if (channel === 'MOBILE') return 'app-dmid-mobile';
  return `${channel === 'KIOSK' ? 'kiosk' : 'branch'}-${state.cityCode}-${site}`;
}

export function captureRecord(
  prng: Prng,
  state: SubjectState,
  t: number,
  channel: CaptureChannel,
  values: CaptureValues,
  modality?: Modality,
): BiometricSignal {
  const [modalities, weights] = MODALITIES[channel];
  return {
    eventId: prng.uuid(),
    subjectId: state.subject.subjectId,
    providerId: providerOfChannel(prng, state, channel),
    observedAt: t,
    modality: modality ?? modalities[prng.weightedIndex(weights)] ?? 'FACE',
    matchScore: score3(values.matchScore),
    livenessScore: score3(values.livenessScore),
    qualityScore: score3(values.qualityScore),
    presentationAttack: values.presentationAttack,
    captureChannel: channel,
  };
}

/**
 * A capture of the real subject. Match and liveness fall as quality falls (blur, bad light), which is
 * what makes a poor genuine capture resemble an attack. About 1 in 200 bona fide captures is wrongly
 * flagged by PAD (the subject's padFalseFlagRate), the order of the bona fide presentation classification
 * error rates (BPCER) ISO/IEC 30107-3 evaluations of PAD systems report.
 */
export function genuineCapture(prng: Prng, state: SubjectState): CaptureValues {
  const quality = prng.clampedNormal(state.subject.captureQuality, 0.08, 0.1, 0.99);
  const falseFlag = prng.chance(state.subject.padFalseFlagRate);
  return {
    qualityScore: quality,
    matchScore: prng.clampedNormal(0.93 - 0.5 * Math.max(0, 0.7 - quality), 0.035, 0, 0.999),
    livenessScore: falseFlag
      ? prng.uniform(0.2, 0.5)
      : prng.clampedNormal(0.93 - 0.3 * Math.max(0, 0.6 - quality), 0.04, 0, 0.999),
    presentationAttack: falseFlag,
  };
}

/** A capture of a live person who is not the subject, matching within [matchMin, matchMax). */
export function impostorCapture(prng: Prng, matchMin: number, matchMax: number): CaptureValues {
  return {
    qualityScore: prng.clampedNormal(0.78, 0.08, 0.3, 0.99),
    matchScore: prng.uniform(matchMin, matchMax),
    livenessScore: prng.clampedNormal(0.9, 0.05, 0.6, 0.999),
    presentationAttack: false,
  };
}

/** A registry node's answer about the subject (its check result, never the record). */
export function registryRecord(
  prng: Prng,
  state: SubjectState,
  t: number,
  registry?: string,
): RegistrySignal {
  // Social insurance checks an identity at every claim for benefits; the civil registry more rarely.
  const name = registry ?? (prng.chance(0.7) ? 'social-insurance' : 'civil');
  const facts = state.registry;
  const node = name === 'civil' ? 'civil' : 'si';
  return {
    eventId: prng.uuid(),
    subjectId: state.subject.subjectId,
    providerId: `registry-${node}-${state.subject.city.code}`,
    observedAt: t,
    registry: name,
    recordFound: facts.recordFound,
    nameMatch: score3(facts.nameMatch),
    birthDateMatch: facts.birthDateMatch,
    status: facts.status,
    documentValid: facts.documentValid,
  };
}
