import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';

import { isDmidError } from '../../../src/errors.js';
import {
  base32Encode,
  isWellFormedSubjectId,
  normaliseNationalId,
  pseudonymize,
} from '../../../src/privacy/pseudonymize.js';

/** The 32 bytes 0x00..0x1f. */
const SEQUENTIAL_KEY = Uint8Array.from({ length: 32 }, (_, i) => i);
/** SHA-256 of the ASCII text `dmid test key`. */
const HASHED_KEY = Buffer.from('c6ededb6be3a0b2b451e98fa9f59063d7c80c6e3e8a318544ff28bea8ea49e8a', 'hex');

/**
 * Known answers computed independently with CPython 3.11:
 * `base64.b32encode(hmac.new(key, nid.encode(), hashlib.sha256).digest()).decode().lower()[:32]`.
 * `11010519491231002X` is the example of GB 11643-1999; the others are made up (no real person).
 */
const KNOWN_ANSWERS = [
  { key: SEQUENTIAL_KEY, nid: '11010519491231002X', subjectId: 'uztvkrj3cbw45igpujsccsxft7y6rmdh' },
  { key: SEQUENTIAL_KEY, nid: '110101199003074514', subjectId: 'z44p2ts2qeu4a3u2j3z5wn2ukppxhqmq' },
  { key: SEQUENTIAL_KEY, nid: '110101490307451', subjectId: 'xe53byx6yamvjegrzp4ipzge2vn5qhni' },
  { key: HASHED_KEY, nid: '11010519491231002X', subjectId: 'lj4pivrde3cj2q2hnpqorrcyxlm7gqxl' },
  { key: HASHED_KEY, nid: '110101199003074514', subjectId: 'quwpu73qc4ntlu2dp7yuaymm5qbdcbpz' },
  { key: HASHED_KEY, nid: '110101490307451', subjectId: 'yuik7pzftm7wqs5ki3whyj7bpt2bfw6n' },
] as const;

function assertInputInvalid(fn: () => unknown, field: string, secret: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isDmidError(error, 'DMID_INPUT_INVALID'));
    assert.equal(error.field, field);
    assert.equal(error.canRetry, false);
    if (secret.length > 0) assert.ok(!error.message.includes(secret), 'message must not echo the input');
    return true;
  });
}

void test('base32Encode matches the RFC 4648 section 10 vectors, lower-case and unpadded', () => {
  const vectors: readonly [string, string][] = [
    ['', ''],
    ['f', 'my'],
    ['fo', 'mzxq'],
    ['foo', 'mzxw6'],
    ['foob', 'mzxw6yq'],
    ['fooba', 'mzxw6ytb'],
    ['foobar', 'mzxw6ytboi'],
  ];
  for (const [input, expected] of vectors) {
    assert.equal(base32Encode(Buffer.from(input, 'ascii')), expected, input);
  }
});

void test('base32Encode agrees with every bit of a byte (all ones, all zeros)', () => {
  assert.equal(base32Encode(new Uint8Array(5).fill(0xff)), '77777777');
  assert.equal(base32Encode(new Uint8Array(5)), 'aaaaaaaa');
});

void test('pseudonymize reproduces the known answers computed with Python', () => {
  for (const { key, nid, subjectId } of KNOWN_ANSWERS) {
    assert.equal(pseudonymize(key, nid), subjectId, nid);
  }
});

void test('pseudonymize: x and X, full-width digits and separators give the same subject', () => {
  const expected = 'uztvkrj3cbw45igpujsccsxft7y6rmdh';
  for (const raw of [
    '11010519491231002x',
    ' 110105 19491231 002X ',
    '110105-19491231-002X',
    '110.105.194.912.310.02x',
    '１１０１０５１９４９１２３１００２Ｘ',
    '110105\u201019491231\u3000002x',
  ]) {
    assert.equal(pseudonymize(SEQUENTIAL_KEY, raw), expected, raw);
  }
});

void test('normaliseNationalId strips separators, maps full-width and upper-cases', () => {
  assert.equal(normaliseNationalId('１１０１０５ 19491231-002x'), '11010519491231002X');
  assert.equal(normaliseNationalId('ab.c-d e'), 'ABCDE');
  assert.equal(normaliseNationalId('\t123\n'), '123');
});

void test('normaliseNationalId refuses empty input and characters outside 0-9A-Z, without echoing them', () => {
  assertInputInvalid(() => normaliseNationalId(''), 'nationalId', '');
  assertInputInvalid(() => normaliseNationalId(' - . '), 'nationalId', '');
  assertInputInvalid(() => normaliseNationalId('110105/19491231002X'), 'nationalId', '110105');
  assertInputInvalid(() => normaliseNationalId('11010519491231002_'), 'nationalId', '11010519491231002');
  // Upper-casing would turn these into ASCII letters, so they must be refused before it.
  assertInputInvalid(() => normaliseNationalId('11010519491231002ß'), 'nationalId', '11010519491231002');
  assertInputInvalid(() => normaliseNationalId('1101051949123100ı'), 'nationalId', '1101051949123100');
  assertInputInvalid(() => normaliseNationalId('一二三'), 'nationalId', '一二三');
});

void test('pseudonymize refuses a key shorter than 32 bytes and accepts exactly 32', () => {
  assertInputInvalid(
    () => pseudonymize(new Uint8Array(31), '110101199003074514'),
    'key',
    '110101199003074514',
  );
  assertInputInvalid(
    () => pseudonymize(new Uint8Array(0), '110101199003074514'),
    'key',
    '110101199003074514',
  );
  assert.ok(isWellFormedSubjectId(pseudonymize(new Uint8Array(32), '110101199003074514')));
  assert.ok(isWellFormedSubjectId(pseudonymize(new Uint8Array(64), '110101199003074514')));
});

void test('pseudonymize refuses a bad national ID with field nationalId', () => {
  assertInputInvalid(() => pseudonymize(SEQUENTIAL_KEY, '  '), 'nationalId', '');
});

void test('isWellFormedSubjectId accepts exactly 32 characters of [a-z2-7]', () => {
  assert.ok(isWellFormedSubjectId('abcdefghijklmnopqrstuvwxyz234567'));
  assert.ok(isWellFormedSubjectId('22222222222222222222222222222222'));
  for (const bad of [
    '',
    'abcdefghijklmnopqrstuvwxyz23456',
    'abcdefghijklmnopqrstuvwxyz2345677',
    'Abcdefghijklmnopqrstuvwxyz234567',
    'abcdefghijklmnopqrstuvwxyz234561',
    'abcdefghijklmnopqrstuvwxyz234568',
    'abcdefghijklmnopqrstuvwxyz23456=',
    'abcdefghijklmnopqrstuvwxyz23456 ',
    'ａbcdefghijklmnopqrstuvwxyz234567',
  ]) {
    assert.equal(isWellFormedSubjectId(bad), false, bad);
  }
});

void test('pseudonymize always yields a well-formed subject id', () => {
  for (let i = 0; i < 1000; i++) {
    const nid = String(100000000000000000n + BigInt(i) * 7919n);
    assert.ok(isWellFormedSubjectId(pseudonymize(SEQUENTIAL_KEY, nid)));
  }
});

const PYTHON_REFERENCE = `
import base64, hashlib, hmac, json, re, sys, unicodedata
cases = json.load(sys.stdin)
out = []
for case in cases:
    nid = re.sub(r'[-\\s\\u2010-\\u2015\\u2212.]', '', unicodedata.normalize('NFKC', case['raw']))
    assert re.fullmatch(r'[0-9A-Za-z]+', nid, re.ASCII)
    mac = hmac.new(bytes.fromhex(case['key']), nid.upper().encode('ascii'), hashlib.sha256).digest()
    out.append(base64.b32encode(mac).decode('ascii').lower()[:32])
print(json.dumps(out))
`;

// Python 3 is part of every supported machine (Debian); a missing one fails here rather than skipping.
const PYTHON = spawnSync('python3', ['--version']).status === 0 ? 'python3' : '/usr/bin/python3';

void test('pseudonymize agrees with the documented Python recipe on random keys and inputs', () => {
  const cases = Array.from({ length: 200 }, (_, i) => ({
    key: randomBytes(32 + (i % 3) * 16).toString('hex'),
    raw: `${randomBytes(8).readBigUInt64BE() % 10n ** 17n}`.padStart(17, '0') + (i % 2 === 0 ? 'x' : '7'),
  }));
  const run = spawnSync(PYTHON, ['-c', PYTHON_REFERENCE], {
    input: JSON.stringify(cases),
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, `python3 failed: ${run.stderr}`);
  const expected: unknown = JSON.parse(run.stdout);
  const actual = cases.map((c) => pseudonymize(Buffer.from(c.key, 'hex'), c.raw));
  assert.deepEqual(actual, expected);
});
