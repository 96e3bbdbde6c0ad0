/**
 * How a signal is stored in a Redis window. A window is one string: its entries oldest first, one per
 * line. An entry is the JSON array `["<eventId>",<observedAt>,<the other fields in schema order>]`, with
 * `subjectId` left out because the key holds it.
 *
 * Why this form (the measurements: docs/benchmarks.md, "The state store's shape"):
 * - Every apply returns all four windows (up to 80 signals), so bytes per signal set the cost of the state
 *   step: positional arrays, not signal objects, about a third of the bytes.
 * - Lines, not a cjson array: the script finds an entry's place from the `["id",observedAt` prefix of
 *   lines and moves whole lines, so no signal is ever decoded in Lua (cjson decode + encode of a window
 *   was about half of the script's time), no number goes through cjson (which keeps 14 significant
 *   digits), and the reader parses a whole window with one JSON.parse. JSON text never contains a raw
 *   newline, so lines cannot be confused with content.
 *
 * Evolution: a field added to a signal type (with a default, as the contract requires) is appended to the
 * end of its entry, and its decoder gives entries written before it that default; state lives at most
 * stateTtlSeconds, after which no old entry is left.
 */
import type {
  BiometricSignal,
  CaptureChannel,
  KycMatch,
  LineType,
  LocationSignal,
  LocationSource,
  Modality,
  RegistrySignal,
  RegistryStatus,
  Signal,
  SignalByKind,
  SignalKind,
  TelecomSignal,
} from '../codec/types.js';

/** The window entry of `signal` (of `kind`): one line, see the module comment. */
export function encodeEntry(kind: SignalKind, signal: Signal): string {
  // The casts hold because the worker pairs each signal with its own kind (state-store.ts KindedSignal).
  switch (kind) {
    case 'telecom': {
      const s = signal as TelecomSignal;
      return JSON.stringify([
        s.eventId,
        s.observedAt,
        s.providerId,
        s.msisdnHash,
        s.carrier,
        s.lineType,
        s.tenureDays,
        s.simSwappedAt,
        s.portedAt,
        s.deviceChangedAt,
        s.kycMatch,
      ]);
    }
    case 'location': {
      const s = signal as LocationSignal;
      return JSON.stringify([
        s.eventId,
        s.observedAt,
        s.providerId,
        s.latitude,
        s.longitude,
        s.accuracyMeters,
        s.source,
      ]);
    }
    case 'biometric': {
      const s = signal as BiometricSignal;
      return JSON.stringify([
        s.eventId,
        s.observedAt,
        s.providerId,
        s.modality,
        s.matchScore,
        s.livenessScore,
        s.qualityScore,
        s.presentationAttack,
        s.captureChannel,
      ]);
    }
    case 'registry': {
      const s = signal as RegistrySignal;
      return JSON.stringify([
        s.eventId,
        s.observedAt,
        s.providerId,
        s.registry,
        s.recordFound,
        s.nameMatch,
        s.birthDateMatch,
        s.status,
        s.documentValid,
      ]);
    }
  }
}

/** Thrown for an entry that is not what {@link encodeEntry} writes; names the kind, never values. */
class PayloadError extends Error {
  constructor(kind: SignalKind) {
    super(`state store: a stored ${kind} signal is malformed`);
  }
}

/*
 * Field readers: each checks the JSON type, which is what can go wrong with data dmid wrote itself (a
 * change of the field order, a foreign writer). Enum symbols are not re-checked against their lists: they
 * were validated when the record was decoded, and the check would run 80 times per subject and batch.
 * Plain functions rather than a closure per entry: they run for every field of every returned signal.
 */

function str(kind: SignalKind, v: readonly unknown[], i: number): string {
  const value = v[i];
  if (typeof value !== 'string') throw new PayloadError(kind);
  return value;
}

function num(kind: SignalKind, v: readonly unknown[], i: number): number {
  const value = v[i];
  if (typeof value !== 'number') throw new PayloadError(kind);
  return value;
}

function bool(kind: SignalKind, v: readonly unknown[], i: number): boolean {
  const value = v[i];
  if (typeof value !== 'boolean') throw new PayloadError(kind);
  return value;
}

function numOrNull(kind: SignalKind, v: readonly unknown[], i: number): number | null {
  const value = v[i];
  if (value === null) return null;
  if (typeof value !== 'number') throw new PayloadError(kind);
  return value;
}

/*
 * The decoders build each record as one object literal in schema field order, as the codec does, so
 * signals from the store share hidden classes with freshly decoded ones.
 */

function telecom(subjectId: string, v: readonly unknown[]): TelecomSignal {
  const k = 'telecom';
  return {
    eventId: str(k, v, 0),
    subjectId,
    providerId: str(k, v, 2),
    observedAt: num(k, v, 1),
    msisdnHash: str(k, v, 3),
    carrier: str(k, v, 4),
    lineType: str(k, v, 5) as LineType,
    tenureDays: num(k, v, 6),
    simSwappedAt: numOrNull(k, v, 7),
    portedAt: numOrNull(k, v, 8),
    deviceChangedAt: numOrNull(k, v, 9),
    kycMatch: str(k, v, 10) as KycMatch,
  };
}

function location(subjectId: string, v: readonly unknown[]): LocationSignal {
  const k = 'location';
  return {
    eventId: str(k, v, 0),
    subjectId,
    providerId: str(k, v, 2),
    observedAt: num(k, v, 1),
    latitude: num(k, v, 3),
    longitude: num(k, v, 4),
    accuracyMeters: num(k, v, 5),
    source: str(k, v, 6) as LocationSource,
  };
}

function biometric(subjectId: string, v: readonly unknown[]): BiometricSignal {
  const k = 'biometric';
  return {
    eventId: str(k, v, 0),
    subjectId,
    providerId: str(k, v, 2),
    observedAt: num(k, v, 1),
    modality: str(k, v, 3) as Modality,
    matchScore: num(k, v, 4),
    livenessScore: num(k, v, 5),
    qualityScore: num(k, v, 6),
    presentationAttack: bool(k, v, 7),
    captureChannel: str(k, v, 8) as CaptureChannel,
  };
}

function registry(subjectId: string, v: readonly unknown[]): RegistrySignal {
  const k = 'registry';
  return {
    eventId: str(k, v, 0),
    subjectId,
    providerId: str(k, v, 2),
    observedAt: num(k, v, 1),
    registry: str(k, v, 3),
    recordFound: bool(k, v, 4),
    nameMatch: num(k, v, 5),
    birthDateMatch: bool(k, v, 6),
    status: str(k, v, 7) as RegistryStatus,
    documentValid: bool(k, v, 8),
  };
}

const DECODERS: {
  readonly [K in SignalKind]: (subjectId: string, v: readonly unknown[]) => SignalByKind[K];
} = {
  telecom,
  location,
  biometric,
  registry,
};

/** The signal of `kind` of `subjectId` from one parsed entry array. */
export function decodeEntry<K extends SignalKind>(
  kind: K,
  subjectId: string,
  entry: readonly unknown[],
): SignalByKind[K] {
  return DECODERS[kind](subjectId, entry);
}
