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
  // A string field other than subjectId (eventId, providerId, carrier, msisdnHash, registry) holds a raw
  // identifier.
  'PII_IN_FIELD',
] as const;

export type DlqReason = (typeof DLQ_REASONS)[number];

/** What each reason means, for the table in docs/providers.md (a Record, so a new reason cannot go undocumented). */
const DLQ_REASON_SUMMARIES: Readonly<Record<DlqReason, string>> = {
  DECODE_BAD_MAGIC: 'The value does not start with the Avro single-object marker `C3 01`.',
  DECODE_UNKNOWN_SCHEMA: 'The writer schema fingerprint is not one dmid knows.',
  DECODE_TRUNCATED: 'The value ends before the record does.',
  DECODE_MALFORMED:
    'The Avro body is invalid for its writer schema (bad length, enum, union, UTF-8, trailing bytes).',
  DECODE_SCHEMA_MISMATCH:
    'A record of another type than the topic carries (e.g. a location signal on `signals.telecom`).',
  PII_IN_SUBJECT_ID: '`subjectId` looks like a raw identifier (resident ID, mobile number, e-mail address).',
  SUBJECT_ID_MALFORMED: '`subjectId` is not 32 characters of lower-case base32.',
  KEY_MISMATCH: "The Kafka record key is not the record's `subjectId`.",
  EVENT_ID_MALFORMED: '`eventId` is not a UUID.',
  PROVIDER_ID_MALFORMED: '`providerId` is longer than 128 characters or contains control characters.',
  OBSERVED_AT_IN_FUTURE: '`observedAt` is further in the future than `DMID_MAX_FUTURE_SKEW_SECONDS`.',
  OBSERVED_AT_INVALID: '`observedAt` is before 2000-01-01 or not whole milliseconds.',
  TIMESTAMP_INVALID: 'Another timestamp (`simSwappedAt`, `portedAt`, `deviceChangedAt`) is out of range.',
  LATITUDE_OUT_OF_RANGE: '`latitude` is outside −90..90.',
  LONGITUDE_OUT_OF_RANGE: '`longitude` is outside −180..180.',
  ACCURACY_NOT_POSITIVE: '`accuracyMeters` is not greater than 0.',
  SCORE_OUT_OF_RANGE:
    'A 0..1 score (`matchScore`, `livenessScore`, `qualityScore`, `nameMatch`) is outside 0..1.',
  TENURE_NEGATIVE: '`tenureDays` is negative.',
  FIELD_EMPTY:
    'A required string field (`providerId`, `carrier`, `msisdnHash`, `registry`) is empty or blank.',
  NUMBER_NOT_FINITE: 'A number is NaN or infinite.',
  PII_IN_FIELD: 'A raw identifier in `eventId`, `providerId`, `carrier`, `msisdnHash` or `registry`.',
};

interface ErrorSpec {
  /** Whether the same operation may succeed if tried again later. */
  readonly canRetry: boolean;
  /** One line a reader of docs/errors.md understands. */
  readonly summary: string;
}

/** Every error code dmid raises, with its retry rule. The table of docs/errors.md is generated from this list. */
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
  DMID_CODEC_SCHEMA_INVALID: {
    canRetry: false,
    summary: 'A writer schema given to the codec is not valid Avro, or not a record of the contract.',
  },
  DMID_VALIDATION_FAILED: { canRetry: false, summary: 'A decoded record breaks a rule of the contract.' },
  DMID_KAFKA_UNAVAILABLE: {
    canRetry: true,
    summary: 'The Kafka cluster cannot be reached or refused the request.',
  },
  DMID_KAFKA_TOPIC_FAILED: { canRetry: true, summary: 'Creating or describing a topic failed.' },
  DMID_KAFKA_TOPIC_MISSING: {
    canRetry: false,
    summary: 'A topic read or written does not exist, and this client may not create it.',
  },
  DMID_KAFKA_AUTH_FAILED: {
    canRetry: false,
    summary: 'The Kafka cluster refused authentication or authorisation.',
  },
  DMID_REDIS_UNAVAILABLE: { canRetry: true, summary: 'Redis cannot be reached or refused the command.' },
  DMID_STATE_EPOCH_CHANGED: {
    canRetry: true,
    summary:
      'The state store lost its epoch (wiped, restarted empty) or got another one: consumption waits for an operator (`dmid state`).',
  },
  DMID_POLICY_INVALID: {
    canRetry: false,
    summary: 'A policy pack file is not valid YAML, breaks the policy schema, or repeats an id and version.',
  },
  DMID_CLIENTS_INVALID: {
    canRetry: false,
    summary: 'The relying-party clients file is unreadable or breaks its schema.',
  },
  DMID_RECEIPT_INVALID: {
    canRetry: false,
    summary: 'A receipt is not a dmid-receipt/1 document, or does not verify.',
  },
  DMID_LEDGER_CORRUPT: {
    canRetry: false,
    summary: 'The ledger file breaks its hash chain (`dmid ledger verify` names the first bad block).',
  },
  DMID_LEDGER_UNAVAILABLE: {
    canRetry: true,
    summary: 'The ledger (file or EVM JSON-RPC node) cannot be written or read right now.',
  },
  DMID_LEDGER_REJECTED: {
    canRetry: false,
    summary: 'The ledger refused an entry (wrong chain id, contract or signer, a reverted transaction).',
  },
  DMID_MODEL_INVALID: {
    canRetry: false,
    summary:
      'A model folder is missing a file, or was trained on another feature vector than this build computes.',
  },
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

/** The docs/errors.md table of error codes. */
export function errorTable(): string {
  const rows = Object.entries(ERRORS).map(
    ([code, spec]) => `| \`${code}\` | ${spec.canRetry ? 'yes' : 'no'} | ${spec.summary} |`,
  );
  return ['| code | retried | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** The docs/providers.md table of dead-letter reasons. */
export function reasonTable(): string {
  const rows = DLQ_REASONS.map((reason) => `| \`${reason}\` | ${DLQ_REASON_SUMMARIES[reason]} |`);
  return ['| `dlq.reason` | meaning |', '|---|---|', ...rows].join('\n');
}
