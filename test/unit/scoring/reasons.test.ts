import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareReasons, REASON_CODES, REASONS, reasonCodeTable } from '../../../src/scoring/reasons.js';
import * as constants from '../../../src/scoring/rules-constants.js';
import { scoringConstantsTable } from '../../../src/scoring/scoring-tables.js';

const CONTRACT_NEGATIVE = [
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
];
const CONTRACT_POSITIVE = [
  'TEL_TENURE_LONG',
  'TEL_KYC_MATCH',
  'LOC_HOME_REGION',
  'BIO_STRONG_MATCH',
  'REG_VERIFIED',
];

/** Codes added since the contract's first list (added at the end, never renamed). */
const ADDED = ['TEL_DEVICE_CHANGE_RECENT'];

void test('REASON_CODES is the contract list in order, then the added codes, each once', () => {
  assert.deepEqual(
    REASON_CODES.slice(0, CONTRACT_NEGATIVE.length + CONTRACT_POSITIVE.length).sort(),
    [...CONTRACT_NEGATIVE, ...CONTRACT_POSITIVE].sort(),
  );
  assert.deepEqual(REASON_CODES.slice(CONTRACT_NEGATIVE.length + CONTRACT_POSITIVE.length), ADDED);
  assert.equal(new Set(REASON_CODES).size, REASON_CODES.length);
});

void test('each code belongs to the dimension its prefix names; positives are exactly the contract positives', () => {
  const prefix = { TELECOM: 'TEL_', LOCATION: 'LOC_', BIOMETRIC: 'BIO_', REGISTRY: 'REG_' };
  for (const code of REASON_CODES) assert.ok(code.startsWith(prefix[REASONS[code].dimension]), code);
  assert.deepEqual(
    REASON_CODES.filter((code) => REASONS[code].severity === 'positive'),
    CONTRACT_POSITIVE,
  );
});

void test('order: larger absolute impact first, ties by the list order, unknown codes last', () => {
  const sorted = [
    { code: 'REG_VERIFIED', dimension: 'REGISTRY' as const, impact: 0.1, logOdds: 0 },
    { code: 'ZZZ_NEW', dimension: 'REGISTRY' as const, impact: -0.1, logOdds: 0 },
    { code: 'TEL_VOIP_LINE', dimension: 'TELECOM' as const, impact: -0.1, logOdds: 0 },
    { code: 'BIO_MATCH_LOW', dimension: 'BIOMETRIC' as const, impact: -0.3, logOdds: 0 },
  ].sort(compareReasons);
  assert.deepEqual(
    sorted.map((reason) => reason.code),
    ['BIO_MATCH_LOW', 'TEL_VOIP_LINE', 'REG_VERIFIED', 'ZZZ_NEW'],
  );
});

void test('the reason-code table has one row per code', () => {
  assert.equal(reasonCodeTable().split('\n').length, REASON_CODES.length + 2);
});

void test('the constants table lists every exported scoring constant', () => {
  const table = scoringConstantsTable();
  const names = Object.keys(constants).filter((name) => name !== 'RULES_VERSION');
  for (const name of names) {
    const prefix = name.replace(/_(BONUS|PENALTY|DAYS|HOURS|KM|METERS|MIN|BELOW|THRESHOLD)$/, '');
    assert.ok(table.includes(name) || table.includes(prefix), name);
  }
  assert.ok(table.includes('rules-1.0.0'));
});
