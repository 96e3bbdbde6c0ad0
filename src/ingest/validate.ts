/**
 * Validation of decoded signal records beyond what the Avro schema can say: identifiers, the personal-data
 * guard, timestamp windows, ranges.
 *
 * It runs per record on the hot path, and invalid records are expected input (they go to the DLQ), so it
 * returns results instead of throwing. Every failure is a module constant: a message names the field and
 * the rule, never the value, so a failure carries no personal data and returning one allocates nothing.
 *
 * Order of checks: every personal-data check comes first, so a record that holds a raw identifier in any
 * checked field always gets a PII reason (`PII_IN_SUBJECT_ID`, `PII_IN_FIELD`) whatever else is wrong with
 * it; the DLQ can treat those records specially. Then the header, then the fields of the kind, in contract
 * order. Within a number, finiteness comes before its range.
 */
import type {
  BiometricSignal,
  LocationSignal,
  RegistrySignal,
  SignalByKind,
  SignalHeader,
  SignalKind,
  TelecomSignal,
} from '../codec/types.js';
import type { DlqReason } from '../errors.js';
import { detectRawIdentifier } from '../privacy/pii-guard.js';
import { isWellFormedSubjectId } from '../privacy/pseudonymize.js';
import { isUuid } from '../privacy/uuid.js';

/** Default for {@link ValidationRules.maxFutureSkewMs}: 5 minutes, in milliseconds. */
export const DEFAULT_MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
/** Earliest accepted timestamp: 2000-01-01T00:00:00Z, epoch milliseconds. Older is a unit or clock bug. */
export const MIN_TIMESTAMP_MS = Date.UTC(2000, 0, 1);
/** Longest accepted `providerId`, in UTF-16 code units. */
export const MAX_PROVIDER_ID_LENGTH = 128;

export interface ValidationRules {
  /**
   * How far in the future of the processing clock an event-time timestamp may be, in milliseconds, to
   * allow for clock skew between providers and dmid. Default {@link DEFAULT_MAX_FUTURE_SKEW_MS} (5 min).
   */
  readonly maxFutureSkewMs: number;
}

export const DEFAULT_VALIDATION_RULES: ValidationRules = Object.freeze({
  maxFutureSkewMs: DEFAULT_MAX_FUTURE_SKEW_MS,
});

export interface ValidationFailure {
  readonly ok: false;
  /** The stable `dlq.reason` code. */
  readonly reason: DlqReason;
  /** The field name (never its value). */
  readonly field: string;
  /** Names the field and the rule; safe for `dlq.error`, logs and metrics: it never holds the value. */
  readonly message: string;
}

export type ValidationResult = { readonly ok: true } | ValidationFailure;

/** The one success result, shared and frozen so that the valid path allocates nothing. */
export const VALID: { readonly ok: true } = Object.freeze({ ok: true });

function failure(reason: DlqReason, field: string, rule: string): ValidationFailure {
  return Object.freeze({ ok: false, reason, field, message: `${field} ${rule}` });
}

interface TextFailures {
  readonly empty: ValidationFailure;
  readonly pii: ValidationFailure;
}

function textFailures(field: string): TextFailures {
  return {
    empty: failure('FIELD_EMPTY', field, 'must not be empty or blank'),
    pii: failure('PII_IN_FIELD', field, 'looks like or contains a raw identifier'),
  };
}

interface TimestampFailures {
  readonly notFinite: ValidationFailure;
  readonly invalid: ValidationFailure;
  readonly future: ValidationFailure;
}

function timestampFailures(field: string, invalid: DlqReason, future: DlqReason): TimestampFailures {
  return {
    notFinite: failure('NUMBER_NOT_FINITE', field, 'must be a finite number'),
    invalid: failure(invalid, field, 'must be whole epoch milliseconds not before 2000-01-01'),
    future: failure(future, field, 'is further in the future than the allowed clock skew'),
  };
}

interface RangeFailures {
  readonly notFinite: ValidationFailure;
  readonly outOfRange: ValidationFailure;
}

function rangeFailures(field: string, reason: DlqReason, rule: string): RangeFailures {
  return {
    notFinite: failure('NUMBER_NOT_FINITE', field, 'must be a finite number'),
    outOfRange: failure(reason, field, rule),
  };
}

const scoreFailures = (field: string): RangeFailures =>
  rangeFailures(field, 'SCORE_OUT_OF_RANGE', 'must be within 0..1');

const EVENT_ID = failure('EVENT_ID_MALFORMED', 'eventId', 'must be a canonical UUID (8-4-4-4-12 hex digits)');
const EVENT_ID_PII = failure('PII_IN_FIELD', 'eventId', 'looks like or contains a raw identifier');
const SUBJECT_ID_PII = failure('PII_IN_SUBJECT_ID', 'subjectId', 'looks like or contains a raw identifier');
const SUBJECT_ID = failure('SUBJECT_ID_MALFORMED', 'subjectId', 'must be 32 characters of lower-case base32');
const KEY = failure('KEY_MISMATCH', 'key', 'must equal the subjectId of the record');
const PROVIDER_ID = textFailures('providerId');
const PROVIDER_ID_TOO_LONG = failure(
  'PROVIDER_ID_MALFORMED',
  'providerId',
  `must be at most ${MAX_PROVIDER_ID_LENGTH} characters`,
);
const PROVIDER_ID_CONTROL = failure(
  'PROVIDER_ID_MALFORMED',
  'providerId',
  'must not contain control characters',
);
const OBSERVED_AT = timestampFailures('observedAt', 'OBSERVED_AT_INVALID', 'OBSERVED_AT_IN_FUTURE');
const MSISDN_HASH = textFailures('msisdnHash');
const CARRIER = textFailures('carrier');
const TENURE_DAYS = rangeFailures('tenureDays', 'TENURE_NEGATIVE', 'must not be negative');
const SIM_SWAPPED_AT = timestampFailures('simSwappedAt', 'TIMESTAMP_INVALID', 'TIMESTAMP_INVALID');
const PORTED_AT = timestampFailures('portedAt', 'TIMESTAMP_INVALID', 'TIMESTAMP_INVALID');
const DEVICE_CHANGED_AT = timestampFailures('deviceChangedAt', 'TIMESTAMP_INVALID', 'TIMESTAMP_INVALID');
const LATITUDE = rangeFailures('latitude', 'LATITUDE_OUT_OF_RANGE', 'must be within -90..90');
const LONGITUDE = rangeFailures('longitude', 'LONGITUDE_OUT_OF_RANGE', 'must be within -180..180');
const ACCURACY = rangeFailures('accuracyMeters', 'ACCURACY_NOT_POSITIVE', 'must be greater than 0');
const MATCH_SCORE = scoreFailures('matchScore');
const LIVENESS_SCORE = scoreFailures('livenessScore');
const QUALITY_SCORE = scoreFailures('qualityScore');
const REGISTRY = textFailures('registry');
const NAME_MATCH = scoreFailures('nameMatch');

/** Hex digests are at least 128 bits (32 hex characters); raw identifiers are at most 18 characters. */
/** A SHA-256 digest in lower-case hex: the only form a hash field may take. */
const HEX_DIGEST_LENGTH = 64;

/**
 * A hash field (`msisdnHash`) must be exactly a SHA-256 digest, 64 lower-case hex digits; then it is
 * opaque, whatever digit runs it happens to contain (without this, about 1 in 90 random digests would be
 * refused as an identifier-shaped run, pii-guard.ts). Anything else is refused as `PII_IN_FIELD` and
 * redacted: a "hash" that is not one may be the raw number itself (`13800138000abcdef...` passed a looser
 * hex test), and a field meant for a pseudonymised value has no other use.
 */
function checkHashPii(value: string, failures: TextFailures): ValidationResult {
  // Blank is left to the FIELD_EMPTY rule (PII checks run first, and a blank value holds no identifier).
  return isHexDigest(value) || value.trim() === '' ? VALID : failures.pii;
}

function isHexDigest(value: string): boolean {
  if (value.length !== HEX_DIGEST_LENGTH) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** Only the PII check of a text field, so that every field's PII check can run before any other rule. */
function checkTextPii(value: string, failures: TextFailures): ValidationResult {
  return detectRawIdentifier(value) === null ? VALID : failures.pii;
}

function checkTextPresent(value: string, failures: TextFailures): ValidationResult {
  return value.trim().length === 0 ? failures.empty : VALID;
}

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

function checkProviderId(value: string): ValidationResult {
  const present = checkTextPresent(value, PROVIDER_ID);
  if (!present.ok) return present;
  if (value.length > MAX_PROVIDER_ID_LENGTH) return PROVIDER_ID_TOO_LONG;
  // It ends up in logs and metric labels, where a newline or escape sequence does damage.
  return hasControlCharacter(value) ? PROVIDER_ID_CONTROL : VALID;
}

function checkTimestamp(
  value: number,
  nowMs: number,
  rules: ValidationRules,
  failures: TimestampFailures,
): ValidationResult {
  if (!Number.isFinite(value)) return failures.notFinite;
  if (!Number.isInteger(value) || value < MIN_TIMESTAMP_MS) return failures.invalid;
  return value > nowMs + rules.maxFutureSkewMs ? failures.future : VALID;
}

function checkOptionalTimestamp(
  value: number | null,
  nowMs: number,
  rules: ValidationRules,
  failures: TimestampFailures,
): ValidationResult {
  return value === null ? VALID : checkTimestamp(value, nowMs, rules, failures);
}

function checkRange(value: number, min: number, max: number, failures: RangeFailures): ValidationResult {
  if (!Number.isFinite(value)) return failures.notFinite;
  return value >= min && value <= max ? VALID : failures.outOfRange;
}

function checkPositive(value: number, failures: RangeFailures): ValidationResult {
  if (!Number.isFinite(value)) return failures.notFinite;
  return value > 0 ? VALID : failures.outOfRange;
}

function checkHeaderPii(record: SignalHeader, eventIdIsUuid: boolean): ValidationResult {
  if (detectRawIdentifier(record.subjectId) !== null) return SUBJECT_ID_PII;
  // A canonical UUID cannot hold an identifier, so only a malformed one is worth the scan.
  if (!eventIdIsUuid && detectRawIdentifier(record.eventId) !== null) return EVENT_ID_PII;
  return checkTextPii(record.providerId, PROVIDER_ID);
}

function checkHeader(
  record: SignalHeader,
  eventIdIsUuid: boolean,
  nowMs: number,
  rules: ValidationRules,
): ValidationResult {
  if (!eventIdIsUuid) return EVENT_ID;
  if (!isWellFormedSubjectId(record.subjectId)) return SUBJECT_ID;
  const provider = checkProviderId(record.providerId);
  if (!provider.ok) return provider;
  return checkTimestamp(record.observedAt, nowMs, rules, OBSERVED_AT);
}

function checkTelecomPii(record: TelecomSignal): ValidationResult {
  // A hash that looks like a phone number is most likely the phone number itself.
  const msisdn = checkHashPii(record.msisdnHash, MSISDN_HASH);
  return msisdn.ok ? checkTextPii(record.carrier, CARRIER) : msisdn;
}

function checkTelecom(record: TelecomSignal, nowMs: number, rules: ValidationRules): ValidationResult {
  let result = checkTextPresent(record.msisdnHash, MSISDN_HASH);
  if (result.ok) result = checkTextPresent(record.carrier, CARRIER);
  if (result.ok) result = checkRange(record.tenureDays, 0, Number.MAX_VALUE, TENURE_DAYS);
  if (result.ok) result = checkOptionalTimestamp(record.simSwappedAt, nowMs, rules, SIM_SWAPPED_AT);
  if (result.ok) result = checkOptionalTimestamp(record.portedAt, nowMs, rules, PORTED_AT);
  if (result.ok) result = checkOptionalTimestamp(record.deviceChangedAt, nowMs, rules, DEVICE_CHANGED_AT);
  return result;
}

function checkLocation(record: LocationSignal): ValidationResult {
  let result = checkRange(record.latitude, -90, 90, LATITUDE);
  if (result.ok) result = checkRange(record.longitude, -180, 180, LONGITUDE);
  if (result.ok) result = checkPositive(record.accuracyMeters, ACCURACY);
  return result;
}

function checkBiometric(record: BiometricSignal): ValidationResult {
  let result = checkRange(record.matchScore, 0, 1, MATCH_SCORE);
  if (result.ok) result = checkRange(record.livenessScore, 0, 1, LIVENESS_SCORE);
  if (result.ok) result = checkRange(record.qualityScore, 0, 1, QUALITY_SCORE);
  return result;
}

function checkRegistryPii(record: RegistrySignal): ValidationResult {
  return checkTextPii(record.registry, REGISTRY);
}

function checkRegistry(record: RegistrySignal): ValidationResult {
  const present = checkTextPresent(record.registry, REGISTRY);
  return present.ok ? checkRange(record.nameMatch, 0, 1, NAME_MATCH) : present;
}

const noPiiFields = (): ValidationResult => VALID;

interface KindValidator<K extends SignalKind> {
  /** PII checks of the kind's own string fields; run before any other rule. */
  readonly pii: (record: SignalByKind[K]) => ValidationResult;
  readonly rules: (record: SignalByKind[K], nowMs: number, rules: ValidationRules) => ValidationResult;
}

const KIND_VALIDATORS: { readonly [K in SignalKind]: KindValidator<K> } = {
  telecom: { pii: checkTelecomPii, rules: checkTelecom },
  location: { pii: noPiiFields, rules: checkLocation },
  biometric: { pii: noPiiFields, rules: checkBiometric },
  registry: { pii: checkRegistryPii, rules: checkRegistry },
};

/**
 * Checks one decoded signal record against the rules of the contract the schema cannot express.
 *
 * @param nowMs the processing clock, epoch milliseconds: the reference for "in the future".
 * @returns {@link VALID} (always the same object), or the first failure with its DLQ reason.
 */
export function validateSignal<K extends SignalKind>(
  kind: K,
  record: SignalByKind[K],
  nowMs: number,
  rules: ValidationRules,
): ValidationResult {
  const validator: KindValidator<K> = KIND_VALIDATORS[kind];
  const eventIdIsUuid = isUuid(record.eventId);
  let result = checkHeaderPii(record, eventIdIsUuid);
  if (result.ok) result = validator.pii(record);
  if (result.ok) result = checkHeader(record, eventIdIsUuid, nowMs, rules);
  if (result.ok) result = validator.rules(record, nowMs, rules);
  return result;
}

/**
 * Checks that a Kafka record key is the record's subjectId, which the contract requires so that a
 * subject's events share a partition (and so per-subject ordering holds).
 */
export function validateRecordKey(key: string | null, subjectId: string): ValidationResult {
  return key === subjectId ? VALID : KEY;
}
