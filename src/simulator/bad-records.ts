/**
 * Deliberately invalid records, one recipe per dead-letter reason of the contract, each modelled on a
 * mistake a real provider makes: JSON sent instead of Avro, a phone number left unhashed, seconds sent
 * as milliseconds, latitude and longitude swapped, a percentage where a 0..1 score belongs.
 *
 * A recipe starts from a valid record of the subject (built without touching the subject's state, with
 * the bad-record generator's own random numbers) and breaks exactly one thing, so the reason the
 * pipeline must give is known: `expectedReason`, held by the bad-record tests.
 */
import type {
  BiometricSignal,
  LocationSignal,
  RegistrySignal,
  Signal,
  SignalKind,
  TelecomSignal,
} from '../codec/types.js';
import { DLQ_REASONS, type DlqReason } from '../errors.js';
import type { BadEvent, Corruption, TaggedRecord } from './events.js';
import type { Prng } from './prng.js';
import {
  captureRecord,
  everydayChannel,
  everydaySource,
  fixRecord,
  genuineCapture,
  registryRecord,
  telecomRecord,
} from './records.js';
import type { SubjectState } from './subject-state.js';
import { DAY_MS, HOUR_MS } from './time.js';

const KINDS: readonly SignalKind[] = ['telecom', 'location', 'biometric', 'registry'];

interface Maker {
  readonly prng: Prng;
  readonly t: number;
  record(kind: SignalKind): TaggedRecord;
  bad(source: TaggedRecord, reason: DlqReason, options?: BadOptions): BadEvent;
}

interface BadOptions {
  readonly corruption?: Corruption;
  readonly topic?: SignalKind;
  readonly key?: string;
  readonly noiseHex?: string;
  readonly keepFraction?: number;
}

type Recipe = (m: Maker) => BadEvent;

/** A synthetic raw identifier of the kinds the contract refuses (never a real person's: random digits). */
function rawIdentifier(prng: Prng): string {
  const digits = (n: number): string => Array.from({ length: n }, () => String(prng.int(0, 10))).join('');
  switch (prng.int(0, 3)) {
    case 0:
      return `1${prng.pick(['3', '5', '7', '8', '9'])}${digits(9)}`;
    case 1:
      return residentIdShape(prng, digits);
    default:
      return `${prng.base32(8)}@example.com`;
  }
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** 18 characters in the GB 11643 layout (area, birth date, sequence, check digit), with random digits. */
function residentIdShape(prng: Prng, digits: (n: number) => string): string {
  const birth = new Date(Date.UTC(prng.int(1950, 2006), prng.int(0, 12), prng.int(1, 29)));
  const body = `${prng.pick(['110105', '310104', '440106', '510107'])}${birth.toISOString().slice(0, 10).replaceAll('-', '')}${digits(3)}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * (ID_WEIGHTS[i] ?? 0);
  return `${body}${ID_CHECK[sum % 11] ?? '0'}`;
}

/** Applies `change` to the record of `source`, keeping its kind and record paired. */
function mapRecord(source: TaggedRecord, change: <T extends Signal>(record: T) => T): TaggedRecord {
  switch (source.kind) {
    case 'telecom':
      return { kind: 'telecom', record: change(source.record) };
    case 'location':
      return { kind: 'location', record: change(source.record) };
    case 'biometric':
      return { kind: 'biometric', record: change(source.record) };
    case 'registry':
      return { kind: 'registry', record: change(source.record) };
  }
}

/** A valid record of any kind, with a header field replaced. */
function anyWith(m: Maker, change: <T extends Signal>(record: T) => T): TaggedRecord {
  return mapRecord(m.record(m.prng.pick(KINDS)), change);
}

function otherKind(prng: Prng, kind: SignalKind): SignalKind {
  return prng.pick(KINDS.filter((k) => k !== kind));
}

const RECIPES: Readonly<Record<DlqReason, Recipe>> = {
  DECODE_BAD_MAGIC: (m) => m.bad(m.record(m.prng.pick(KINDS)), 'DECODE_BAD_MAGIC', { corruption: 'json' }),
  DECODE_UNKNOWN_SCHEMA: (m) =>
    m.bad(m.record(m.prng.pick(KINDS)), 'DECODE_UNKNOWN_SCHEMA', {
      corruption: 'unknown-fingerprint',
      noiseHex: m.prng.hex(8),
    }),
  DECODE_TRUNCATED: (m) =>
    m.bad(m.record(m.prng.pick(KINDS)), 'DECODE_TRUNCATED', {
      corruption: 'truncated',
      keepFraction: m.prng.uniform(0, 0.95),
    }),
  DECODE_MALFORMED: (m) =>
    m.bad(m.record(m.prng.pick(KINDS)), 'DECODE_MALFORMED', {
      corruption: 'trailing-bytes',
      noiseHex: m.prng.hex(m.prng.int(1, 5)),
    }),
  DECODE_SCHEMA_MISMATCH: (m) => {
    const source = m.record(m.prng.pick(KINDS));
    const topic = otherKind(m.prng, source.kind);
    return m.bad(source, 'DECODE_SCHEMA_MISMATCH', { corruption: 'wrong-topic', topic });
  },
  PII_IN_SUBJECT_ID: (m) => {
    const raw = rawIdentifier(m.prng);
    return m.bad(
      anyWith(m, (r) => ({ ...r, subjectId: raw })),
      'PII_IN_SUBJECT_ID',
      { key: raw },
    );
  },
  SUBJECT_ID_MALFORMED: (m) => {
    const short = m.prng.chance(0.5);
    const change = <T extends Signal>(r: T): T => ({
      ...r,
      subjectId: short ? r.subjectId.slice(1) : r.subjectId.toUpperCase(),
    });
    const source = anyWith(m, change);
    return m.bad(source, 'SUBJECT_ID_MALFORMED', { key: source.record.subjectId });
  },
  KEY_MISMATCH: (m) => m.bad(m.record(m.prng.pick(KINDS)), 'KEY_MISMATCH', { key: m.prng.base32(32) }),
  EVENT_ID_MALFORMED: (m) => {
    const eventId = `evt-${m.prng.base32(16)}`;
    return m.bad(
      anyWith(m, (r) => ({ ...r, eventId })),
      'EVENT_ID_MALFORMED',
    );
  },
  PROVIDER_ID_MALFORMED: (m) => {
    const tooLong = m.prng.chance(0.5);
    const change = <T extends Signal>(r: T): T => ({
      ...r,
      providerId: tooLong ? `${r.providerId}-${'a'.repeat(130)}` : `${r.providerId}\nforged-log-line`,
    });
    return m.bad(anyWith(m, change), 'PROVIDER_ID_MALFORMED');
  },
  OBSERVED_AT_IN_FUTURE: (m) => {
    const observedAt = m.t + Math.floor(m.prng.uniform(HOUR_MS, 30 * DAY_MS));
    return m.bad(
      anyWith(m, (r) => ({ ...r, observedAt })),
      'OBSERVED_AT_IN_FUTURE',
    );
  },
  // Seconds where milliseconds belong: a date in January 1970.
  OBSERVED_AT_INVALID: (m) => {
    const observedAt = Math.floor(m.t / 1000);
    return m.bad(
      anyWith(m, (r) => ({ ...r, observedAt })),
      'OBSERVED_AT_INVALID',
    );
  },
  TIMESTAMP_INVALID: (m) =>
    telecomWith(m, 'TIMESTAMP_INVALID', (r) =>
      m.prng.chance(0.5)
        ? { ...r, simSwappedAt: Math.floor(m.t / 1000) }
        : { ...r, deviceChangedAt: m.t + Math.floor(m.prng.uniform(DAY_MS, 30 * DAY_MS)) },
    ),
  // Latitude and longitude swapped (beyond 90 for all of China but the far west, where 90 is added).
  LATITUDE_OUT_OF_RANGE: (m) =>
    locationWith(m, 'LATITUDE_OUT_OF_RANGE', (r) =>
      r.longitude > 90
        ? { ...r, latitude: r.longitude, longitude: r.latitude }
        : { ...r, latitude: r.latitude + 90 },
    ),
  LONGITUDE_OUT_OF_RANGE: (m) =>
    locationWith(m, 'LONGITUDE_OUT_OF_RANGE', (r) => ({ ...r, longitude: r.longitude + 180 })),
  // -1 is the usual "unknown" sentinel of positioning libraries.
  ACCURACY_NOT_POSITIVE: (m) =>
    locationWith(m, 'ACCURACY_NOT_POSITIVE', (r) => ({ ...r, accuracyMeters: m.prng.chance(0.5) ? 0 : -1 })),
  // A percentage where a 0..1 score belongs, or a -1 "unknown" sentinel.
  SCORE_OUT_OF_RANGE: (m) =>
    biometricWith(m, 'SCORE_OUT_OF_RANGE', (r) =>
      m.prng.chance(0.5)
        ? { ...r, matchScore: Math.fround(Math.max(2, Math.round(r.matchScore * 1000) / 10)) }
        : { ...r, qualityScore: -1 },
    ),
  TENURE_NEGATIVE: (m) => telecomWith(m, 'TENURE_NEGATIVE', (r) => ({ ...r, tenureDays: -1 })),
  FIELD_EMPTY: (m) =>
    m.prng.chance(0.5)
      ? telecomWith(m, 'FIELD_EMPTY', (r) => ({ ...r, carrier: '' }))
      : m.bad({ kind: 'registry', record: { ...registryOf(m), registry: ' ' } }, 'FIELD_EMPTY'),
  NUMBER_NOT_FINITE: (m) =>
    m.prng.chance(0.5)
      ? locationWith(m, 'NUMBER_NOT_FINITE', (r) => ({ ...r, latitude: Number.NaN }))
      : biometricWith(m, 'NUMBER_NOT_FINITE', (r) => ({ ...r, livenessScore: Number.POSITIVE_INFINITY })),
  // The carrier forgot to hash the number.
  PII_IN_FIELD: (m) => {
    const raw = rawIdentifier(m.prng);
    return telecomWith(m, 'PII_IN_FIELD', (r) => ({ ...r, msisdnHash: raw }));
  },
};

function telecomWith(m: Maker, reason: DlqReason, change: (r: TelecomSignal) => TelecomSignal): BadEvent {
  const source = m.record('telecom');
  if (source.kind !== 'telecom') throw new RangeError('expected a telecom record');
  return m.bad({ kind: 'telecom', record: change(source.record) }, reason);
}

function locationWith(m: Maker, reason: DlqReason, change: (r: LocationSignal) => LocationSignal): BadEvent {
  const source = m.record('location');
  if (source.kind !== 'location') throw new RangeError('expected a location record');
  return m.bad({ kind: 'location', record: change(source.record) }, reason);
}

function biometricWith(
  m: Maker,
  reason: DlqReason,
  change: (r: BiometricSignal) => BiometricSignal,
): BadEvent {
  const source = m.record('biometric');
  if (source.kind !== 'biometric') throw new RangeError('expected a biometric record');
  return m.bad({ kind: 'biometric', record: change(source.record) }, reason);
}

function registryOf(m: Maker): RegistrySignal {
  const source = m.record('registry');
  if (source.kind !== 'registry') throw new RangeError('expected a registry record');
  return source.record;
}

/** A valid record of `kind` for the subject at `t`, from `prng`, leaving the subject's state untouched. */
function validRecord(prng: Prng, state: SubjectState, t: number, kind: SignalKind): TaggedRecord {
  switch (kind) {
    case 'telecom':
      return { kind, record: telecomRecord(prng, state, t) };
    case 'location':
      return { kind, record: fixRecord(prng, state, t, state.position, everydaySource(prng)) };
    case 'biometric':
      return {
        kind,
        record: captureRecord(prng, state, t, everydayChannel(prng, state), genuineCapture(prng, state)),
      };
    case 'registry':
      return { kind, record: registryRecord(prng, state, t) };
  }
}

/**
 * A bad event for the subject at slot time `t`, for a reason drawn uniformly from `reasons` (default:
 * every reason of the contract).
 */
export function badEvent(
  prng: Prng,
  state: SubjectState,
  t: number,
  reasons: readonly DlqReason[] = DLQ_REASONS,
): BadEvent {
  const maker: Maker = {
    prng,
    t,
    record: (kind) => validRecord(prng, state, t, kind),
    bad: (source, expectedReason, options = {}) => ({
      valid: false,
      at: t,
      subjectIndex: state.subject.index,
      kind: options.topic ?? source.kind,
      record: source.record,
      source,
      scenario: 'bad-input',
      key: options.key ?? source.record.subjectId,
      expectedReason,
      corruption: options.corruption ?? 'none',
      noiseHex: options.noiseHex ?? '',
      keepFraction: options.keepFraction ?? 0,
    }),
  };
  return RECIPES[prng.pick(reasons)](maker);
}
