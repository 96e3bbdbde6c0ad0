/**
 * Small factories of valid-looking signals and evidence windows for feature and scoring tests. Defaults
 * describe an ordinary, well-established subject living in Beijing; tests override what they script.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type {
  BiometricSignal,
  LocationSignal,
  RegistrySignal,
  SignalHeader,
  TelecomSignal,
} from '../../src/codec/types.js';
import { extractFeatures, type SubjectFeatures } from '../../src/features/extract-features.js';
import { MS_PER_HOUR } from '../../src/features/feature-constants.js';
import { createRulesScorer } from '../../src/scoring/rules-scorer.js';
import type { ScoreResult, Scorer } from '../../src/scoring/scorer.js';
import { WINDOW_SIZES, type SubjectEvidence } from '../../src/state/evidence.js';

/** The fixed "now" of the tests: 2025-01-15T12:00:00Z, epoch ms. */
export const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

/** `hours` before `at` (default {@link T0}), epoch ms. */
export function hoursAgo(hours: number, at: number = T0): number {
  return at - hours * MS_PER_HOUR;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** A random subject id shaped like the contract's pseudonym: 32 characters of lower-case base32. */
export function subjectId(): string {
  let id = '';
  for (let i = 0; i < 32; i += 1) id += BASE32[randomInt(32)] ?? 'a';
  return id;
}

const SUBJECT = subjectId();

/*
 * Every factory builds its record as one object literal in schema field order (no spread), so all records
 * of a kind share one hidden class, as the codec's decoded records do; benchmarks over them are fair.
 */

/** A telecom signal one hour before T0: postpaid, 800 days on the number, full KYC, no recent changes. */
export function telecom(o: Partial<TelecomSignal> = {}): TelecomSignal {
  return {
    eventId: o.eventId ?? randomUUID(),
    subjectId: o.subjectId ?? SUBJECT,
    providerId: o.providerId ?? 'carrier-cmcc',
    observedAt: o.observedAt ?? hoursAgo(1),
    msisdnHash: o.msisdnHash ?? '60374df52b1ae9f5eb56cbc7359c0aabfad8bc81da59d0f39189d33243672224',
    carrier: o.carrier ?? 'CMCC',
    lineType: o.lineType ?? 'POSTPAID',
    tenureDays: o.tenureDays ?? 800,
    simSwappedAt: o.simSwappedAt ?? null,
    portedAt: o.portedAt ?? null,
    deviceChangedAt: o.deviceChangedAt ?? null,
    kycMatch: o.kycMatch ?? 'FULL',
  };
}

/** Beijing (Tiananmen), the default home. */
export const BEIJING = { latitude: 39.9042, longitude: 116.4074 } as const;
/** Shanghai: about 1,067 km from Beijing. */
export const SHANGHAI = { latitude: 31.2304, longitude: 121.4737 } as const;

/** A GNSS fix in Beijing, 20 m accuracy, one hour before T0. */
export function location(o: Partial<LocationSignal> = {}): LocationSignal {
  return {
    eventId: o.eventId ?? randomUUID(),
    subjectId: o.subjectId ?? SUBJECT,
    providerId: o.providerId ?? 'app-geo',
    observedAt: o.observedAt ?? hoursAgo(1),
    latitude: o.latitude ?? BEIJING.latitude,
    longitude: o.longitude ?? BEIJING.longitude,
    accuracyMeters: o.accuracyMeters ?? 20,
    source: o.source ?? 'GNSS',
  };
}

/** A live, good-quality, strongly matching face capture at a kiosk, one hour before T0. */
export function biometric(o: Partial<BiometricSignal> = {}): BiometricSignal {
  return {
    eventId: o.eventId ?? randomUUID(),
    subjectId: o.subjectId ?? SUBJECT,
    providerId: o.providerId ?? 'kiosk-hospital-07',
    observedAt: o.observedAt ?? hoursAgo(1),
    modality: o.modality ?? 'FACE',
    matchScore: o.matchScore ?? 0.96,
    livenessScore: o.livenessScore ?? 0.95,
    qualityScore: o.qualityScore ?? 0.9,
    presentationAttack: o.presentationAttack ?? false,
    captureChannel: o.captureChannel ?? 'KIOSK',
  };
}

/** A civil-registry check one day before T0: found, name and birth date match, ACTIVE, document valid. */
export function registry(o: Partial<RegistrySignal> = {}): RegistrySignal {
  return {
    eventId: o.eventId ?? randomUUID(),
    subjectId: o.subjectId ?? SUBJECT,
    providerId: o.providerId ?? 'registry-civil',
    observedAt: o.observedAt ?? hoursAgo(24),
    registry: o.registry ?? 'civil',
    recordFound: o.recordFound ?? true,
    nameMatch: o.nameMatch ?? 0.98,
    birthDateMatch: o.birthDateMatch ?? true,
    status: o.status ?? 'ACTIVE',
    documentValid: o.documentValid ?? true,
  };
}

/**
 * Inserts events into a window the way the state store does: in event-time order (an equal time goes
 * after what is already there), each `eventId` once, keeping the newest `size`.
 */
export function insertAll<T extends SignalHeader>(
  window: readonly T[],
  events: readonly T[],
  size: number,
): T[] {
  const out = [...window];
  for (const event of events) {
    if (out.some((e) => e.eventId === event.eventId)) continue;
    let at = out.length;
    while (at > 0 && (out[at - 1]?.observedAt ?? 0) > event.observedAt) at -= 1;
    out.splice(at, 0, event);
    if (out.length > size) out.shift();
  }
  return out;
}

/** Events given in arrival order, per kind. */
export interface Arrivals {
  readonly telecom?: readonly TelecomSignal[];
  readonly location?: readonly LocationSignal[];
  readonly biometric?: readonly BiometricSignal[];
  readonly registry?: readonly RegistrySignal[];
}

/** Subject evidence as the state store would hold it after these arrivals. */
export function evidenceOf(arrivals: Arrivals): SubjectEvidence {
  return {
    telecom: insertAll([], arrivals.telecom ?? [], WINDOW_SIZES.telecom),
    location: insertAll([], arrivals.location ?? [], WINDOW_SIZES.location),
    biometric: insertAll([], arrivals.biometric ?? [], WINDOW_SIZES.biometric),
    registry: insertAll([], arrivals.registry ?? [], WINDOW_SIZES.registry),
  };
}

/**
 * Home fixes: `count` GNSS fixes around Beijing (a few hundred metres apart), one every 2 h, the newest
 * `newestHoursAgo` before T0.
 */
export function homeFixes(count = 6, newestHoursAgo = 1): LocationSignal[] {
  const fixes: LocationSignal[] = [];
  for (let i = count - 1; i >= 0; i -= 1) {
    fixes.push(
      location({
        latitude: BEIJING.latitude + (i % 3) * 0.002,
        longitude: BEIJING.longitude - (i % 2) * 0.002,
        observedAt: hoursAgo(newestHoursAgo + 2 * i),
      }),
    );
  }
  return fixes;
}

/** An established, fully verified subject: every dimension fresh and good. Overrides replace a kind. */
export function goodArrivals(overrides: Arrivals = {}): Arrivals {
  return {
    telecom: [telecom()],
    location: homeFixes(),
    biometric: [biometric()],
    registry: [registry()],
    ...overrides,
  };
}

/** A seeded pseudo-random generator (mulberry32): the same seed, the same sequence in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Fisher–Yates shuffle with a seeded generator; returns a new array. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    const a = out[i];
    const b = out[j];
    if (a !== undefined && b !== undefined) {
      out[i] = b;
      out[j] = a;
    }
  }
  return out;
}

const DEFAULT_SCORER = createRulesScorer();

/** Features of the evidence after `arrivals`, at `atMs` (default T0). */
export function featuresOf(arrivals: Arrivals, atMs: number = T0): SubjectFeatures {
  return extractFeatures(evidenceOf(arrivals), atMs);
}

/** The rules score (default half-lives) of the evidence after `arrivals`, computed at `atMs` (default T0). */
export function scoreOf(arrivals: Arrivals, atMs: number = T0, scorer: Scorer = DEFAULT_SCORER): ScoreResult {
  const [result] = scorer.score([
    {
      subjectId: SUBJECT,
      features: featuresOf(arrivals, atMs),
      computedAtMs: atMs,
      triggerEventId: randomUUID(),
    },
  ]);
  if (result === undefined) throw new Error('the scorer returned no result');
  return result;
}
