import assert from 'node:assert/strict';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { test } from 'node:test';

import type {
  BiometricSignal,
  LocationSignal,
  RegistrySignal,
  SignalByKind,
  SignalKind,
  TelecomSignal,
} from '../../../src/codec/types.js';
import { DLQ_REASONS, type DlqReason } from '../../../src/errors.js';
import {
  DEFAULT_MAX_FUTURE_SKEW_MS,
  DEFAULT_VALIDATION_RULES,
  MIN_TIMESTAMP_MS,
  VALID,
  validateRecordKey,
  validateSignal,
  type ValidationResult,
} from '../../../src/ingest/validate.js';
import { pseudonymize } from '../../../src/privacy/pseudonymize.js';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const SKEW = DEFAULT_MAX_FUTURE_SKEW_MS;
const SUBJECT = pseudonymize(new Uint8Array(32).fill(7), '11010519491231002X');
const HEADER = { subjectId: SUBJECT, providerId: 'kiosk-beijing-007', observedAt: NOW - 60_000 };

function telecom(patch: Partial<TelecomSignal> = {}): TelecomSignal {
  return {
    eventId: randomUUID(),
    ...HEADER,
    // A keyed SHA-256 of the number, hex: the only form msisdnHash takes.
    msisdnHash: createHmac('sha256', new Uint8Array(32).fill(9)).update('13800138000').digest('hex'),
    carrier: '46000',
    lineType: 'POSTPAID',
    tenureDays: 730,
    simSwappedAt: null,
    portedAt: null,
    deviceChangedAt: null,
    kycMatch: 'FULL',
    ...patch,
  };
}

function location(patch: Partial<LocationSignal> = {}): LocationSignal {
  return {
    eventId: randomUUID(),
    ...HEADER,
    latitude: 39.9,
    longitude: 116.4,
    accuracyMeters: 25,
    source: 'GNSS',
    ...patch,
  };
}

function biometric(patch: Partial<BiometricSignal> = {}): BiometricSignal {
  return {
    eventId: randomUUID(),
    ...HEADER,
    modality: 'FACE',
    matchScore: 0.93,
    livenessScore: 0.88,
    qualityScore: 0.7,
    presentationAttack: false,
    captureChannel: 'KIOSK',
    ...patch,
  };
}

function registry(patch: Partial<RegistrySignal> = {}): RegistrySignal {
  return {
    eventId: randomUUID(),
    ...HEADER,
    registry: 'social-insurance',
    recordFound: true,
    nameMatch: 1,
    birthDateMatch: true,
    status: 'ACTIVE',
    documentValid: true,
    ...patch,
  };
}

const BUILDERS: { readonly [K in SignalKind]: (patch?: Partial<SignalByKind[K]>) => SignalByKind[K] } = {
  telecom,
  location,
  biometric,
  registry,
};

function validate<K extends SignalKind>(kind: K, record: SignalByKind[K]): ValidationResult {
  return validateSignal(kind, record, NOW, DEFAULT_VALIDATION_RULES);
}

function assertValid(result: ValidationResult, label: string): void {
  assert.equal(result, VALID, `${label}: ${result.ok ? '' : result.message}`);
}

/** Asserts the exact reason and field, and that the message names the field but never holds the value. */
function assertRejected(result: ValidationResult, reason: DlqReason, field: string, value: unknown): void {
  assert.equal(result.ok, false, `${field} should be rejected with ${reason}`);
  if (result.ok) return;
  assert.deepEqual({ reason: result.reason, field: result.field }, { reason, field });
  assert.ok(result.message.includes(field), result.message);
  // One character identifies nobody and appears in any sentence; everything longer must be absent.
  const text = String(value);
  if (text.length > 1)
    assert.ok(!result.message.includes(text), `message leaks the value: ${result.message}`);
}

const PII_VALUES = ['110101199003074514', 'cn-110101199003074514', '+86 138 0013 8000', 'alice@example.com'];

void test('valid records of every kind pass and return the shared frozen VALID', () => {
  for (const kind of ['telecom', 'location', 'biometric', 'registry'] as const) {
    assertValid(validate(kind, BUILDERS[kind]()), kind);
  }
  assert.ok(Object.isFrozen(VALID));
  assert.equal(DEFAULT_MAX_FUTURE_SKEW_MS, 300_000);
});

void test('a telecom record with every optional timestamp set passes', () => {
  const record = telecom({
    simSwappedAt: NOW - 86_400_000,
    portedAt: MIN_TIMESTAMP_MS,
    deviceChangedAt: NOW,
  });
  assertValid(validate('telecom', record), 'telecom with timestamps');
  assertValid(validate('telecom', telecom({ tenureDays: 0 })), 'tenure 0');
});

void test('eventId must be a canonical UUID of any version, either case', () => {
  for (const ok of [randomUUID(), randomUUID().toUpperCase(), '00000000-0000-0000-0000-000000000000']) {
    assertValid(validate('location', location({ eventId: ok })), ok);
  }
  assertValid(validate('location', location({ eventId: '018f3c1e-7b2a-7cde-8f00-0123456789ab' })), 'v7');
  // Fixed, not random: a random UUID's digits, once its hyphens are gone, sometimes form an
  // identifier-shaped run, and then PII_IN_FIELD (checked first, rightly) would be the answer.
  const uuid = 'a1b2c3d4-e5f6-4a7b-8c9d-e0f1a2b3c4d5';
  for (const bad of ['', 'not-a-uuid', uuid.replaceAll('-', ''), `{${uuid}}`, `${uuid} `]) {
    assertRejected(validate('location', location({ eventId: bad })), 'EVENT_ID_MALFORMED', 'eventId', bad);
  }
  const nonHex = 'g' + uuid.slice(1);
  assertRejected(
    validate('location', location({ eventId: nonHex })),
    'EVENT_ID_MALFORMED',
    'eventId',
    nonHex,
  );
});

void test('an eventId that is not a UUID and holds a raw identifier is PII_IN_FIELD', () => {
  assertRejected(
    validate('location', location({ eventId: 'evt-13800138000' })),
    'PII_IN_FIELD',
    'eventId',
    'evt-13800138000',
  );
});

void test('a subjectId that looks like a raw identifier is PII_IN_SUBJECT_ID', () => {
  for (const pii of [...PII_VALUES, '13800138000', '11010519491231002x', '110101900307451']) {
    assertRejected(
      validate('biometric', biometric({ subjectId: pii })),
      'PII_IN_SUBJECT_ID',
      'subjectId',
      pii,
    );
  }
});

void test('PII in subjectId is reported before anything else wrong with the record', () => {
  const record = biometric({ subjectId: '110101199003074514', eventId: 'x', matchScore: 7, observedAt: -1 });
  assertRejected(validate('biometric', record), 'PII_IN_SUBJECT_ID', 'subjectId', '110101199003074514');
});

void test('a subjectId that is not 32 characters of lower-case base32 is SUBJECT_ID_MALFORMED', () => {
  for (const bad of [
    '',
    SUBJECT.toUpperCase(),
    SUBJECT.slice(1),
    `${SUBJECT}a`,
    `${SUBJECT.slice(1)}1`,
    'alice',
  ]) {
    assertRejected(
      validate('registry', registry({ subjectId: bad })),
      'SUBJECT_ID_MALFORMED',
      'subjectId',
      bad,
    );
  }
});

void test('providerId: empty or blank is FIELD_EMPTY, too long or control characters PROVIDER_ID_MALFORMED', () => {
  assertRejected(validate('location', location({ providerId: '' })), 'FIELD_EMPTY', 'providerId', '');
  assertRejected(validate('location', location({ providerId: ' \t ' })), 'FIELD_EMPTY', 'providerId', ' \t ');
  const long = 'p'.repeat(129);
  assertRejected(
    validate('location', location({ providerId: long })),
    'PROVIDER_ID_MALFORMED',
    'providerId',
    long,
  );
  assertValid(validate('location', location({ providerId: 'p'.repeat(128) })), '128 characters');
  const control = 'kiosk\n007';
  assertRejected(
    validate('location', location({ providerId: control })),
    'PROVIDER_ID_MALFORMED',
    'providerId',
    control,
  );
  assertValid(validate('location', location({ providerId: `kiosk-${randomUUID()}` })), 'uuid provider');
});

void test('a raw identifier in providerId, carrier, msisdnHash or registry is PII_IN_FIELD', () => {
  for (const pii of PII_VALUES) {
    assertRejected(validate('location', location({ providerId: pii })), 'PII_IN_FIELD', 'providerId', pii);
    assertRejected(validate('telecom', telecom({ carrier: pii })), 'PII_IN_FIELD', 'carrier', pii);
    assertRejected(validate('telecom', telecom({ msisdnHash: pii })), 'PII_IN_FIELD', 'msisdnHash', pii);
    assertRejected(validate('registry', registry({ registry: pii })), 'PII_IN_FIELD', 'registry', pii);
  }
});

void test('msisdnHash must not be the phone number itself, in any common spelling', () => {
  for (const phone of ['13800138000', '+8613800138000', '0086 138-0013-8000', '１３８００１３８０００']) {
    assertRejected(validate('telecom', telecom({ msisdnHash: phone })), 'PII_IN_FIELD', 'msisdnHash', phone);
  }
});

void test('a hex digest msisdnHash is never refused, even when it holds an ID-shaped digit run', () => {
  // 1.1% of random SHA-256 hex digests contain such a run; a carrier hashing with SHA-256 must not lose them.
  const idShaped = `${'11010519491231002'}9${'ab'.repeat(23)}`;
  assert.equal(validate('telecom', telecom({ msisdnHash: idShaped })), VALID);
  for (let i = 0; i < 2_000; i++) {
    const digest = createHash('sha256').update(String(i)).digest('hex');
    assert.equal(validate('telecom', telecom({ msisdnHash: digest })), VALID);
  }
  // Too short for a digest, or not all hex: the full guard still applies.
  assertRejected(
    validate('telecom', telecom({ msisdnHash: 'ab13800138000' })),
    'PII_IN_FIELD',
    'msisdnHash',
    '13800138000',
  );
});

void test('msisdnHash: anything but exactly 64 lower-case hex digits is PII_IN_FIELD', () => {
  const digest = createHash('sha256').update('x').digest('hex');
  // A raw mobile number followed by hex letters passed the old "hex digest" test (issue 18).
  const rawThenHex = `13800138000${'abcdef'.repeat(4)}`;
  for (const bad of [
    rawThenHex,
    digest.toUpperCase(),
    digest.slice(1),
    `${digest}0`,
    `${digest.slice(0, 63)}g`,
  ]) {
    assertRejected(validate('telecom', telecom({ msisdnHash: bad })), 'PII_IN_FIELD', 'msisdnHash', bad);
  }
  assert.equal(validate('telecom', telecom({ msisdnHash: digest })), VALID);
});

void test('PII in a field is reported before other failures of the record', () => {
  const record = telecom({ eventId: 'bad', msisdnHash: '13800138000', tenureDays: -5 });
  assertRejected(validate('telecom', record), 'PII_IN_FIELD', 'msisdnHash', '13800138000');
});

void test('observedAt: exactly the allowed skew ahead passes, one millisecond more is OBSERVED_AT_IN_FUTURE', () => {
  assertValid(validate('location', location({ observedAt: NOW + SKEW })), 'skew exactly 5 min');
  const ahead = NOW + SKEW + 1;
  assertRejected(
    validate('location', location({ observedAt: ahead })),
    'OBSERVED_AT_IN_FUTURE',
    'observedAt',
    ahead,
  );
  const strict = validateSignal('location', location({ observedAt: NOW + 1 }), NOW, { maxFutureSkewMs: 0 });
  assertRejected(strict, 'OBSERVED_AT_IN_FUTURE', 'observedAt', NOW + 1);
});

void test('observedAt at or below 0, before 2000-01-01 or fractional is OBSERVED_AT_INVALID', () => {
  assertValid(validate('location', location({ observedAt: MIN_TIMESTAMP_MS })), '2000-01-01T00:00:00Z');
  for (const bad of [0, -1, -1_700_000_000_000, MIN_TIMESTAMP_MS - 1, 1_700_000_000_000.5]) {
    assertRejected(
      validate('location', location({ observedAt: bad })),
      'OBSERVED_AT_INVALID',
      'observedAt',
      bad,
    );
  }
});

void test('optional telecom timestamps: invalid or in the future is TIMESTAMP_INVALID, null passes', () => {
  for (const field of ['simSwappedAt', 'portedAt', 'deviceChangedAt'] as const) {
    assertValid(validate('telecom', telecom({ [field]: NOW + SKEW })), `${field} at skew`);
    for (const bad of [0, -86_400_000, MIN_TIMESTAMP_MS - 1, NOW + SKEW + 1, 1_700_000_000_000.25]) {
      assertRejected(validate('telecom', telecom({ [field]: bad })), 'TIMESTAMP_INVALID', field, bad);
    }
  }
});

void test('latitude within -90..90 inclusive, else LATITUDE_OUT_OF_RANGE', () => {
  for (const ok of [90, -90, 0]) assertValid(validate('location', location({ latitude: ok })), String(ok));
  for (const bad of [90.000001, -90.000001, 123.456]) {
    assertRejected(
      validate('location', location({ latitude: bad })),
      'LATITUDE_OUT_OF_RANGE',
      'latitude',
      bad,
    );
  }
});

void test('longitude within -180..180 inclusive, else LONGITUDE_OUT_OF_RANGE', () => {
  for (const ok of [180, -180]) assertValid(validate('location', location({ longitude: ok })), String(ok));
  for (const bad of [180.000001, -180.000001, 361.5]) {
    assertRejected(
      validate('location', location({ longitude: bad })),
      'LONGITUDE_OUT_OF_RANGE',
      'longitude',
      bad,
    );
  }
});

void test('accuracyMeters must be greater than 0, else ACCURACY_NOT_POSITIVE', () => {
  assertValid(validate('location', location({ accuracyMeters: Number.MIN_VALUE })), 'tiny accuracy');
  for (const bad of [0, -0, -12.5]) {
    assertRejected(
      validate('location', location({ accuracyMeters: bad })),
      'ACCURACY_NOT_POSITIVE',
      'accuracyMeters',
      bad,
    );
  }
});

void test('scores within 0..1 inclusive, else SCORE_OUT_OF_RANGE', () => {
  for (const field of ['matchScore', 'livenessScore', 'qualityScore'] as const) {
    for (const ok of [0, 1]) assertValid(validate('biometric', biometric({ [field]: ok })), `${field}=${ok}`);
    for (const bad of [-0.0001, 1.0001, 42]) {
      assertRejected(validate('biometric', biometric({ [field]: bad })), 'SCORE_OUT_OF_RANGE', field, bad);
    }
  }
  for (const bad of [-0.25, 1.75]) {
    assertRejected(
      validate('registry', registry({ nameMatch: bad })),
      'SCORE_OUT_OF_RANGE',
      'nameMatch',
      bad,
    );
  }
  assertValid(validate('registry', registry({ nameMatch: 0 })), 'nameMatch 0');
});

void test('tenureDays below 0 is TENURE_NEGATIVE', () => {
  for (const bad of [-1, -3650]) {
    assertRejected(validate('telecom', telecom({ tenureDays: bad })), 'TENURE_NEGATIVE', 'tenureDays', bad);
  }
});

void test('NaN or Infinity in any number is NUMBER_NOT_FINITE', () => {
  const cases: [string, (bad: number) => ValidationResult][] = [
    ['observedAt', (bad) => validate('location', location({ observedAt: bad }))],
    ['latitude', (bad) => validate('location', location({ latitude: bad }))],
    ['longitude', (bad) => validate('location', location({ longitude: bad }))],
    ['accuracyMeters', (bad) => validate('location', location({ accuracyMeters: bad }))],
    ['tenureDays', (bad) => validate('telecom', telecom({ tenureDays: bad }))],
    ['simSwappedAt', (bad) => validate('telecom', telecom({ simSwappedAt: bad }))],
    ['portedAt', (bad) => validate('telecom', telecom({ portedAt: bad }))],
    ['deviceChangedAt', (bad) => validate('telecom', telecom({ deviceChangedAt: bad }))],
    ['matchScore', (bad) => validate('biometric', biometric({ matchScore: bad }))],
    ['livenessScore', (bad) => validate('biometric', biometric({ livenessScore: bad }))],
    ['qualityScore', (bad) => validate('biometric', biometric({ qualityScore: bad }))],
    ['nameMatch', (bad) => validate('registry', registry({ nameMatch: bad }))],
  ];
  for (const [field, run] of cases) {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      assertRejected(run(bad), 'NUMBER_NOT_FINITE', field, bad);
    }
  }
});

void test('carrier, msisdnHash and registry must not be empty or blank (FIELD_EMPTY)', () => {
  for (const blank of ['', '   ']) {
    assertRejected(validate('telecom', telecom({ msisdnHash: blank })), 'FIELD_EMPTY', 'msisdnHash', blank);
    assertRejected(validate('telecom', telecom({ carrier: blank })), 'FIELD_EMPTY', 'carrier', blank);
    assertRejected(validate('registry', registry({ registry: blank })), 'FIELD_EMPTY', 'registry', blank);
  }
});

void test('validateRecordKey: the Kafka key must be the subjectId, else KEY_MISMATCH', () => {
  assert.equal(validateRecordKey(SUBJECT, SUBJECT), VALID);
  assertRejected(validateRecordKey(null, SUBJECT), 'KEY_MISMATCH', 'key', null);
  assertRejected(
    validateRecordKey(SUBJECT.toUpperCase(), SUBJECT),
    'KEY_MISMATCH',
    'key',
    SUBJECT.toUpperCase(),
  );
  assertRejected(validateRecordKey('', SUBJECT), 'KEY_MISMATCH', 'key', '');
});

void test('failures are frozen, use reasons of the closed list, and do not depend on the value', () => {
  const first = validate('location', location({ latitude: 91 }));
  const second = validate('location', location({ latitude: -1234.5 }));
  assert.equal(first, second, 'the same rule returns the same constant whatever the value');
  assert.ok(Object.isFrozen(first));
  assert.ok(!first.ok && DLQ_REASONS.includes(first.reason));
  assert.ok(DLQ_REASONS.includes('PII_IN_FIELD'));
});
