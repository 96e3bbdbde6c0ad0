import assert from 'node:assert/strict';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { test } from 'node:test';

import { detectRawIdentifier, type RawIdentifierKind } from '../../../src/privacy/pii-guard.js';
import { isWellFormedSubjectId, pseudonymize } from '../../../src/privacy/pseudonymize.js';
import { cpuMs } from '../../support/cpu-time.js';

/** Made-up numbers in real formats; `110101199003074514` has a valid check digit, the 5 variant does not. */
const POSITIVES: readonly [string, RawIdentifierKind][] = [
  ['110101199003074514', 'PRC_RESIDENT_ID'],
  ['110101199003074515', 'PRC_RESIDENT_ID'],
  ['11010519491231002X', 'PRC_RESIDENT_ID'],
  ['11010519491231002x', 'PRC_RESIDENT_ID'],
  ['110105 19491231 002X', 'PRC_RESIDENT_ID'],
  ['110101-19900307-4514', 'PRC_RESIDENT_ID'],
  ['110101.19900307.4514', 'PRC_RESIDENT_ID'],
  ['110101\u201419900307\u20144514', 'PRC_RESIDENT_ID'],
  ['１１０１０１１９９００３０７４５１４', 'PRC_RESIDENT_ID'],
  ['110101900307451', 'PRC_RESIDENT_ID'],
  ['cn-110101199003074514', 'PRC_RESIDENT_ID'],
  ['id110101199003074514', 'PRC_RESIDENT_ID'],
  ['subject:11010519491231002X;v=2', 'PRC_RESIDENT_ID'],
  ['abc110101900307451def', 'PRC_RESIDENT_ID'],
  ['13800138000', 'MOBILE_NUMBER'],
  ['19912345678', 'MOBILE_NUMBER'],
  ['138 0013 8000', 'MOBILE_NUMBER'],
  ['138-0013-8000', 'MOBILE_NUMBER'],
  ['+86 138 0013 8000', 'MOBILE_NUMBER'],
  ['+8613800138000', 'MOBILE_NUMBER'],
  ['8613800138000', 'MOBILE_NUMBER'],
  ['0086-13800138000', 'MOBILE_NUMBER'],
  ['(+86) 138-0013-8000', 'MOBILE_NUMBER'],
  ['013800138000', 'MOBILE_NUMBER'],
  ['１３８００１３８０００', 'MOBILE_NUMBER'],
  ['tel:13800138000', 'MOBILE_NUMBER'],
  ['msisdn13800138000hash', 'MOBILE_NUMBER'],
  // A suffix joined by a separator must not hide the number.
  ['carrier-13800138000-2', 'MOBILE_NUMBER'],
  ['13800138000 7', 'MOBILE_NUMBER'],
  // Any value made only of 11 digits, Chinese format or not.
  ['23456789012', 'MOBILE_NUMBER'],
  ['020 1234 5678', 'MOBILE_NUMBER'],
  ['alice@example.com', 'EMAIL'],
  ['a.b+c@mail.example.cn', 'EMAIL'],
  ['contact: bob_smith@example.org;', 'EMAIL'],
  ['ALICE@EXAMPLE.COM', 'EMAIL'],
  ['alice＠example.com', 'EMAIL'],
  ['张三@例子.中国', 'EMAIL'],
  ['x@y.io', 'EMAIL'],
];

const NEGATIVES: readonly string[] = [
  '',
  'kiosk-007',
  'hospital-kiosk-0042',
  'social-insurance',
  'civil',
  '46000',
  'CMCC',
  '2024-01-01T00:00:00Z',
  '1712345678901',
  '1234567890',
  '123456789012',
  '12345678901234567',
  '1234567890123456789',
  '12345678901x',
  '550e8400-e29b-41d4-a716-446655440000',
  '@handle',
  'a@b',
  'user@localhost',
  'name@host.x',
  'abcdefghijklmnopqrstuvwxyz234567',
  '22222222222222222222222222222222',
  'ab23456723456cd',
  'ab234567234567234cd',
  'ab234567234567234567cd',
  'ab23456723456723x',
  'provider 张三',
  '\ud800\udfff\ud800',
];

void test('detectRawIdentifier finds resident IDs, mobile numbers and e-mail addresses', () => {
  for (const [value, kind] of POSITIVES) assert.equal(detectRawIdentifier(value), kind, value);
});

void test('detectRawIdentifier passes values that hold no identifier', () => {
  for (const value of NEGATIVES) assert.equal(detectRawIdentifier(value), null, value);
});

void test('pseudonym-never-flagged: 10,000 real subject ids are not refused', () => {
  const key = randomBytes(32);
  for (let i = 0; i < 10_000; i++) {
    const nid = `${randomInt(110000, 660000)}19${randomInt(10, 100)}0${randomInt(1, 10)}1${randomInt(0, 10)}${randomInt(100, 1000)}${i % 11 === 0 ? 'X' : randomInt(0, 10)}`;
    const subjectId = pseudonymize(key, nid);
    assert.ok(isWellFormedSubjectId(subjectId));
    assert.equal(detectRawIdentifier(subjectId), null, subjectId);
  }
});

void test('pseudonym-never-flagged: digit-heavy strings over the base32 alphabet are not refused', () => {
  // Long runs of 2-7 are rare in real pseudonyms; force them to show the rule holds by construction.
  const digits = '234567';
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  for (let i = 0; i < 50_000; i++) {
    let value = '';
    for (let j = 0; j < 32; j++) {
      const pool = randomInt(0, 100) < 90 ? digits : letters;
      value += pool[randomInt(0, pool.length)] ?? '';
    }
    assert.equal(detectRawIdentifier(value), null, value);
  }
});

void test('detectRawIdentifier finds an identifier at any position inside a longer string', () => {
  for (const id of ['110101199003074514', '13800138000', 'alice@example.com']) {
    for (const [before, after] of [
      ['', ''],
      ['x-', ''],
      ['', '/y'],
      ['prefix:', ':suffix'],
      ['a'.repeat(300), 'b'.repeat(300)],
    ] as const) {
      assert.notEqual(
        detectRawIdentifier(`${before}${id}${after}`),
        null,
        `${before.length}:${id}:${after.length}`,
      );
    }
  }
});

void test('detectRawIdentifier stays linear on hostile input (1 MB in well under a second each)', () => {
  const hostile = [
    '1-'.repeat(500_000),
    '1'.repeat(1_000_000),
    '@a.'.repeat(333_333),
    'a@'.repeat(500_000),
    `${'a'.repeat(999_990)}@b.cc`,
    '12 '.repeat(333_333),
    '１-'.repeat(500_000),
  ];
  for (const value of hostile) {
    const started = cpuMs();
    detectRawIdentifier(value);
    const elapsedMs = cpuMs() - started;
    assert.ok(elapsedMs < 1000, `${value.slice(0, 6)}… took ${elapsedMs.toFixed(0)} ms of CPU`);
  }
});

void test('uuid-not-flagged: 100,000 random UUIDs, alone or inside provider ids, are not refused', () => {
  for (let i = 0; i < 100_000; i++) {
    const uuid = randomUUID();
    const value = i % 2 === 0 ? uuid : `kiosk-${uuid}/v2`;
    assert.equal(detectRawIdentifier(value), null, value);
  }
});

void test('a number next to a UUID is still found', () => {
  const uuid = '550e8400-e29b-41d4-a716-446655440000';
  assert.equal(detectRawIdentifier(`${uuid}-13800138000`), 'MOBILE_NUMBER');
  assert.equal(detectRawIdentifier(`13800138000 ${uuid}`), 'MOBILE_NUMBER');
  // Glued to more digits it is no UUID, so its digits count: 446655440000123 is a 15-digit run.
  assert.equal(detectRawIdentifier(`${uuid}123`), 'PRC_RESIDENT_ID');
  assert.notEqual(detectRawIdentifier('12345678-1234-1234-1234-13800138000'), null);
});
