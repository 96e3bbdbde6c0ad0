/**
 * Signals for state store tests: valid records of each kind with the header fields a test scripts, and the
 * batch shapes the store takes. Kept apart from evidence-factory.ts, which pulls in features and scoring.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { SIGNAL_KINDS, type Signal, type SignalKind } from '../../src/codec/types.js';
import type { KindedSignal, SubjectSignals } from '../../src/state/state-store.js';

/** 2025-01-15T12:00:00Z, epoch ms: the base of observedAt in these tests. */
export const BASE_MS = Date.UTC(2025, 0, 15, 12, 0, 0);

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** A random subject id shaped like the contract's pseudonym: 32 characters of `[a-z2-7]`. */
export function newSubjectId(): string {
  let id = '';
  for (let i = 0; i < 32; i += 1) id += BASE32[randomInt(32)] ?? 'a';
  return id;
}

export interface SignalSpec {
  readonly subjectId: string;
  /** Milliseconds after {@link BASE_MS}. Default 0. */
  readonly at?: number;
  /** Default a random UUID. */
  readonly eventId?: string;
}

/** A valid signal of `kind`, one object literal per kind so the records look like decoded ones. */
export function signalOf(kind: SignalKind, spec: SignalSpec): KindedSignal {
  const header = {
    eventId: spec.eventId ?? randomUUID(),
    subjectId: spec.subjectId,
    providerId: `test-${kind}`,
    observedAt: BASE_MS + (spec.at ?? 0),
  };
  const signal: Signal = (() => {
    switch (kind) {
      case 'telecom':
        return {
          ...header,
          msisdnHash: 'msisdn-3f9a1c',
          carrier: 'CMCC',
          lineType: 'POSTPAID',
          tenureDays: 800,
          simSwappedAt: null,
          portedAt: null,
          deviceChangedAt: null,
          kycMatch: 'FULL',
        } as const;
      case 'location':
        // Digits beyond what 14 significant digits keep: the store must not round them.
        return {
          ...header,
          latitude: 39.90421234567891,
          longitude: 116.4074123456789,
          accuracyMeters: 20.5,
          source: 'GNSS',
        } as const;
      case 'biometric':
        return {
          ...header,
          modality: 'FACE',
          matchScore: 0.1 + 0.2,
          livenessScore: 0.97,
          qualityScore: 0.9,
          presentationAttack: false,
          captureChannel: 'KIOSK',
        } as const;
      case 'registry':
        return {
          ...header,
          registry: 'social-insurance',
          recordFound: true,
          nameMatch: 1,
          birthDateMatch: true,
          status: 'ACTIVE',
          documentValid: true,
        } as const;
    }
  })();
  return { kind, signal };
}

/** One subject's signals, as the worker groups them. */
export function subjectBatch(subjectId: string, signals: readonly KindedSignal[]): SubjectSignals {
  return { subjectId, signals };
}

/** Mulberry32: a small seeded generator, so a failing random case can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A random kind, drawn from `random`. */
export function randomKind(random: () => number): SignalKind {
  return SIGNAL_KINDS[Math.floor(random() * SIGNAL_KINDS.length)] ?? 'telecom';
}

/** A Fisher–Yates shuffled copy. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    const a = copy[i];
    const b = copy[j];
    if (a === undefined || b === undefined) throw new RangeError('shuffle index');
    copy[i] = b;
    copy[j] = a;
  }
  return copy;
}

/**
 * A UUID-shaped event id drawn from `random`; about one in four is upper-case, because the contract takes
 * either case and the tie-break must order 'A' before 'a' (code units) in both adapters.
 */
export function seededUuid(random: () => number): string {
  let hex = '';
  for (let i = 0; i < 32; i += 1) hex += Math.floor(random() * 16).toString(16);
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return random() < 0.25 ? id.toUpperCase() : id;
}
