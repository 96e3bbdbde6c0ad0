/**
 * The reason codes of the contract (../shared/contract.md), with what each means to the rules scorer.
 * Codes are external: never rename or reuse one; add new ones at the end.
 */
import type { Dimension, Reason } from '../codec/types.js';
import {
  BIO_LIVE_CAPTURE_MIN_LIVENESS,
  IMPOSSIBLE_SPEED_KMH,
  MS_PER_DAY,
  MS_PER_HOUR,
} from '../features/feature-constants.js';
import {
  BIO_LIVENESS_LOW_THRESHOLD,
  BIO_MATCH_LOW_BELOW,
  BIO_REPEATED_FAILURES_MIN,
  BIO_STRONG_MATCH_MIN,
  CAP_PRESENTATION_ATTACK,
  CAP_REGISTRY_STATUS,
  LOC_FAR_FROM_HOME_KM,
  LOC_HOME_RADIUS_KM,
  LOC_LOW_ACCURACY_METERS,
  REG_NAME_MISMATCH_BELOW,
  REG_VERIFIED_NAME_MIN,
  TEL_NUMBER_NEW_DAYS,
  TEL_PORT_RECENT_HOURS,
  TEL_SIM_SWAP_RECENT_HOURS,
  TEL_TENURE_LONG_DAYS,
} from './rules-constants.js';

/** Every reason code of the contract, in the contract's order. */
export const REASON_CODES = [
  'TEL_SIM_SWAP_RECENT',
  'TEL_PORTED_RECENT',
  'TEL_NUMBER_NEW',
  'TEL_KYC_MISMATCH',
  'TEL_VOIP_LINE',
  'LOC_IMPOSSIBLE_TRAVEL',
  'LOC_FAR_FROM_HOME',
  'LOC_LOW_ACCURACY',
  'BIO_MATCH_LOW',
  'BIO_LIVENESS_LOW',
  'BIO_PRESENTATION_ATTACK',
  'BIO_REPEATED_FAILURES',
  'REG_NO_RECORD',
  'REG_NAME_MISMATCH',
  'REG_BIRTHDATE_MISMATCH',
  'REG_DECEASED',
  'REG_SUSPENDED',
  'REG_DOCUMENT_INVALID',
  'TEL_STALE',
  'TEL_MISSING',
  'LOC_STALE',
  'LOC_MISSING',
  'BIO_STALE',
  'BIO_MISSING',
  'REG_STALE',
  'REG_MISSING',
  'TEL_TENURE_LONG',
  'TEL_KYC_MATCH',
  'LOC_HOME_REGION',
  'BIO_STRONG_MATCH',
  'REG_VERIFIED',
  'TEL_DEVICE_CHANGE_RECENT',
] as const;

/** A reason code of the contract. */
export type ReasonCode = (typeof REASON_CODES)[number];

/**
 * How a reason bears on the assurance level (see assurance.ts):
 * - `cap`: the contract caps confidence, and assurance is NONE;
 * - `risk`: a sign of fraud or a failed check; blocks SUBSTANTIAL and HIGH;
 * - `caution`: weakens the binding of person to identity; blocks HIGH;
 * - `info`: lowers confidence only (staleness, a coarse fix);
 * - `positive`: evidence for the identity (raises confidence).
 */
export type ReasonSeverity = 'cap' | 'risk' | 'caution' | 'info' | 'positive';

export interface ReasonSpec {
  readonly dimension: Dimension;
  readonly severity: ReasonSeverity;
  /** One line for the table in docs/scoring.md. */
  readonly summary: string;
}

const days = (h: number): number => (h * MS_PER_HOUR) / MS_PER_DAY;

/** Every reason code with its dimension, severity and meaning (a Record: no code goes undocumented). */
export const REASONS: Readonly<Record<ReasonCode, ReasonSpec>> = {
  TEL_SIM_SWAP_RECENT: spec('TELECOM', 'risk', `SIM changed within ${days(TEL_SIM_SWAP_RECENT_HOURS)} days.`),
  TEL_PORTED_RECENT: spec('TELECOM', 'caution', `Number ported within ${days(TEL_PORT_RECENT_HOURS)} days.`),
  TEL_NUMBER_NEW: spec(
    'TELECOM',
    'caution',
    `Number held under ${TEL_NUMBER_NEW_DAYS} days, or the number changed within ${TEL_NUMBER_NEW_DAYS} days.`,
  ),
  TEL_KYC_MISMATCH: spec(
    'TELECOM',
    'caution',
    'Carrier real-name registration matches partly or not at all.',
  ),
  TEL_VOIP_LINE: spec('TELECOM', 'caution', 'The number is a VoIP line.'),
  LOC_IMPOSSIBLE_TRAVEL: spec(
    'LOCATION',
    'risk',
    `Consecutive fixes in the last 24 h imply travel above ${IMPOSSIBLE_SPEED_KMH} km/h, accuracy allowed for.`,
  ),
  LOC_FAR_FROM_HOME: spec(
    'LOCATION',
    'caution',
    `Newest fix over ${LOC_FAR_FROM_HOME_KM} km from the home region.`,
  ),
  LOC_LOW_ACCURACY: spec(
    'LOCATION',
    'info',
    `Newest fix accurate to worse than ${LOC_LOW_ACCURACY_METERS} m.`,
  ),
  BIO_MATCH_LOW: spec('BIOMETRIC', 'risk', `Newest capture matched below ${BIO_MATCH_LOW_BELOW}.`),
  BIO_LIVENESS_LOW: spec('BIOMETRIC', 'risk', `Newest capture liveness below ${BIO_LIVENESS_LOW_THRESHOLD}.`),
  BIO_PRESENTATION_ATTACK: spec(
    'BIOMETRIC',
    'cap',
    `Presentation attack not lifted by a later live capture (no PAD flag, liveness ≥ ${BIO_LIVE_CAPTURE_MIN_LIVENESS}, and quality ≥ 0.5, or at a BRANCH, or the second such capture in a row whatever its quality): confidence ≤ ${CAP_PRESENTATION_ATTACK}, assurance NONE.`,
  ),
  BIO_REPEATED_FAILURES: spec(
    'BIOMETRIC',
    'risk',
    `${BIO_REPEATED_FAILURES_MIN} or more failed attempts in the last 24 h.`,
  ),
  REG_NO_RECORD: spec('REGISTRY', 'risk', 'No registry found a record.'),
  REG_NAME_MISMATCH: spec('REGISTRY', 'risk', `Registry name match below ${REG_NAME_MISMATCH_BELOW}.`),
  REG_BIRTHDATE_MISMATCH: spec('REGISTRY', 'risk', 'A registry reports a different birth date.'),
  REG_DECEASED: spec(
    'REGISTRY',
    'cap',
    `A registry reports death: confidence ≤ ${CAP_REGISTRY_STATUS}, assurance NONE.`,
  ),
  REG_SUSPENDED: spec(
    'REGISTRY',
    'cap',
    `A registry reports the record suspended: confidence ≤ ${CAP_REGISTRY_STATUS}, assurance NONE.`,
  ),
  REG_DOCUMENT_INVALID: spec('REGISTRY', 'risk', 'A registry reports the document invalid.'),
  TEL_STALE: spec('TELECOM', 'info', 'Telecom evidence older than its half-life.'),
  TEL_MISSING: spec('TELECOM', 'caution', 'No telecom evidence.'),
  LOC_STALE: spec('LOCATION', 'info', 'Location evidence older than its half-life.'),
  LOC_MISSING: spec('LOCATION', 'caution', 'No location evidence.'),
  BIO_STALE: spec('BIOMETRIC', 'info', 'Biometric evidence older than its half-life.'),
  BIO_MISSING: spec('BIOMETRIC', 'caution', 'No biometric evidence.'),
  REG_STALE: spec('REGISTRY', 'info', 'Registry evidence older than its half-life.'),
  REG_MISSING: spec('REGISTRY', 'caution', 'No registry evidence.'),
  TEL_TENURE_LONG: spec('TELECOM', 'positive', `Number held ${TEL_TENURE_LONG_DAYS} days or more.`),
  TEL_KYC_MATCH: spec('TELECOM', 'positive', 'Carrier real-name registration matches fully.'),
  LOC_HOME_REGION: spec(
    'LOCATION',
    'positive',
    `Newest fix within ${LOC_HOME_RADIUS_KM} km of the home region.`,
  ),
  BIO_STRONG_MATCH: spec(
    'BIOMETRIC',
    'positive',
    `Newest capture live (liveness ≥ ${BIO_LIVE_CAPTURE_MIN_LIVENESS}, no PAD flag), good quality, match ≥ ${BIO_STRONG_MATCH_MIN}.`,
  ),
  REG_VERIFIED: spec(
    'REGISTRY',
    'positive',
    `Record found, name match ≥ ${REG_VERIFIED_NAME_MIN}, birth date matches, ACTIVE, document valid.`,
  ),
  TEL_DEVICE_CHANGE_RECENT: spec(
    'TELECOM',
    'info',
    'Handset changed within 30 days (identity-fusion model only; a new phone is common, so it lowers confidence only).',
  ),
};

function spec(dimension: Dimension, severity: ReasonSeverity, summary: string): ReasonSpec {
  return { dimension, severity, summary };
}

/** A reason whose code is known to be from the list. */
export interface ScoredReason extends Reason {
  readonly code: ReasonCode;
}

/** The `<DIM>_STALE` code of each dimension. */
export const STALE_CODE: Readonly<Record<Dimension, ReasonCode>> = {
  TELECOM: 'TEL_STALE',
  LOCATION: 'LOC_STALE',
  BIOMETRIC: 'BIO_STALE',
  REGISTRY: 'REG_STALE',
};

/** The `<DIM>_MISSING` code of each dimension. */
export const MISSING_CODE: Readonly<Record<Dimension, ReasonCode>> = {
  TELECOM: 'TEL_MISSING',
  LOCATION: 'LOC_MISSING',
  BIOMETRIC: 'BIO_MISSING',
  REGISTRY: 'REG_MISSING',
};

const RANK = new Map<string, number>(REASON_CODES.map((code, index) => [code, index]));
const SEVERITY = new Map<string, ReasonSeverity>(REASON_CODES.map((code) => [code, REASONS[code].severity]));

/** True when `code` is one of {@link REASON_CODES}. */
export function isReasonCode(code: string): code is ReasonCode {
  return RANK.has(code);
}

/** The severity of a code; undefined for a code this version does not know (from a newer scorer). */
export function severityOf(code: string): ReasonSeverity | undefined {
  return SEVERITY.get(code);
}

/** True when `code` is a `<DIM>_STALE` code. */
export function isStaleCode(code: string): boolean {
  return code === 'TEL_STALE' || code === 'LOC_STALE' || code === 'BIO_STALE' || code === 'REG_STALE';
}

/**
 * Contract order of reasons: by absolute impact, largest first; equal impacts by the code's place in
 * {@link REASON_CODES} (unknown codes last, then by name), so the order is total and deterministic.
 */
export function compareReasons(a: Reason, b: Reason): number {
  const byImpact = Math.abs(b.impact) - Math.abs(a.impact);
  if (byImpact !== 0) return byImpact;
  const rankA = RANK.get(a.code) ?? REASON_CODES.length;
  const rankB = RANK.get(b.code) ?? REASON_CODES.length;
  if (rankA !== rankB) return rankA - rankB;
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}

/** The docs/scoring.md table of reason codes. */
export function reasonCodeTable(): string {
  const rows = REASON_CODES.map((code) => {
    const { dimension, severity, summary } = REASONS[code];
    return `| \`${code}\` | ${dimension} | ${severity} | ${summary} |`;
  });
  return ['| code | dimension | kind | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
