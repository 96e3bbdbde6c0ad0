/**
 * The one closed list of dmid error codes, and the dead-letter reason codes they map to.
 *
 * Every error dmid raises on purpose is a {@link DmidError} with a code from {@link ERRORS}. Each code says
 * whether retrying the same operation can succeed (`canRetry`): a broker that is down can come back, a
 * malformed record never decodes. Programmer errors (TypeError, RangeError) are not DmidErrors and are
 * never retried.
 *
 * Messages never contain personal data: no subject id, no record field values that identify a person.
 */

/**
 * Stable reason codes put in the `dlq.reason` header of a dead-lettered record. External parties alert on
 * these, so a code is never renamed or reused; new ones may be added.
 */
export const DLQ_REASONS = [
  // Bytes that are not a record of the contract.
  'DECODE_BAD_MAGIC',
  'DECODE_UNKNOWN_SCHEMA',
  'DECODE_TRUNCATED',
  'DECODE_MALFORMED',
  'DECODE_SCHEMA_MISMATCH',
  // A record of the contract whose content breaks a rule beyond the schema.
  'PII_IN_SUBJECT_ID',
  'SUBJECT_ID_MALFORMED',
  'KEY_MISMATCH',
  'EVENT_ID_MALFORMED',
  'PROVIDER_ID_MALFORMED',
  'OBSERVED_AT_IN_FUTURE',
  'OBSERVED_AT_INVALID',
  'TIMESTAMP_INVALID',
  'LATITUDE_OUT_OF_RANGE',
  'LONGITUDE_OUT_OF_RANGE',
  'ACCURACY_NOT_POSITIVE',
  'SCORE_OUT_OF_RANGE',
  'TENURE_NEGATIVE',
  'FIELD_EMPTY',
  'NUMBER_NOT_FINITE',
] as const;

export type DlqReason = (typeof DLQ_REASONS)[number];

interface ErrorSpec {
  /** Whether the same operation may succeed if tried again later. */
  readonly canRetry: boolean;
  /** One line a README reader understands. */
  readonly summary: string;
}

/** Every error code dmid raises, with its retry rule. The README table is generated from this list. */
export const ERRORS = {
  DMID_CONFIG_INVALID: {
    canRetry: false,
    summary: 'A DMID_* environment variable is unknown or has a bad value.',
  },
  DMID_SECRET_UNREADABLE: {
    canRetry: false,
    summary: 'A secret file named by configuration cannot be read.',
  },
  DMID_USAGE: { canRetry: false, summary: 'A CLI command was called with wrong arguments.' },
  DMID_INPUT_INVALID: {
    canRetry: false,
    summary: 'Input given to a command (a JSON line, a file) is not valid.',
  },
  DMID_CODEC_BAD_MAGIC: {
    canRetry: false,
    summary: 'Bytes do not start with the Avro single-object marker C3 01.',
  },
  DMID_CODEC_UNKNOWN_SCHEMA: {
    canRetry: false,
    summary: 'The writer schema fingerprint is not a known schema.',
  },
  DMID_CODEC_TRUNCATED: { canRetry: false, summary: 'The bytes end before the record does.' },
  DMID_CODEC_MALFORMED: { canRetry: false, summary: 'The Avro body is not valid for its writer schema.' },
  DMID_CODEC_SCHEMA_MISMATCH: {
    canRetry: false,
    summary: 'The writer schema cannot be resolved into the reader schema (another record type).',
  },
  DMID_CODEC_ENCODE_INVALID: { canRetry: false, summary: 'A value to encode does not match its schema.' },
  DMID_VALIDATION_FAILED: { canRetry: false, summary: 'A decoded record breaks a rule of the contract.' },
  DMID_KAFKA_UNAVAILABLE: {
    canRetry: true,
    summary: 'The Kafka cluster cannot be reached or refused the request.',
  },
  DMID_KAFKA_TOPIC_FAILED: { canRetry: true, summary: 'Creating or describing a topic failed.' },
  DMID_REDIS_UNAVAILABLE: { canRetry: true, summary: 'Redis cannot be reached or refused the command.' },
  DMID_INFRA_UNAVAILABLE: {
    canRetry: false,
    summary: 'Kafka or Redis for tests could not be found or started.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export interface DmidErrorOptions {
  /** The dead-letter reason, for errors about one record. */
  readonly reason?: DlqReason;
  /** Which field or setting the error is about (a name, never a value). */
  readonly field?: string;
  readonly cause?: unknown;
}

export class DmidError extends Error {
  override readonly name = 'DmidError';
  readonly code: ErrorCode;
  readonly canRetry: boolean;
  readonly reason: DlqReason | undefined;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, options: DmidErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.canRetry = ERRORS[code].canRetry;
    this.reason = options.reason;
    this.field = options.field;
  }
}

export function isDmidError(value: unknown, code?: ErrorCode): value is DmidError {
  return value instanceof DmidError && (code === undefined || value.code === code);
}

/** True when retrying may help: DmidErrors by their code; anything else (bugs) never. */
export function canRetry(error: unknown): boolean {
  return error instanceof DmidError && error.canRetry;
}
