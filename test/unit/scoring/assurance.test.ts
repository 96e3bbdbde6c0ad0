import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Reason } from '../../../src/codec/types.js';
import { ASSURANCE_RULES, assuranceOf, assuranceRuleTable } from '../../../src/scoring/assurance.js';
import type { ReasonCode } from '../../../src/scoring/reasons.js';
import { REASONS } from '../../../src/scoring/reasons.js';
import {
  biometric,
  goodArrivals,
  homeFixes,
  hoursAgo,
  location,
  registry,
  scoreOf,
  SHANGHAI,
  T0,
  telecom,
} from '../../support/evidence-factory.js';

function reasons(...codes: ReasonCode[]): Reason[] {
  return codes.map((code) => ({
    code,
    dimension: REASONS[code].dimension,
    impact: REASONS[code].severity === 'positive' ? 0.1 : -0.1,
    logOdds: 0,
  }));
}

void test('HIGH: registry verified, fresh strong biometric, confidence ≥ 0.9, nothing against', () => {
  const result = scoreOf(goodArrivals());
  assert.equal(result.assuranceLevel, 'HIGH');
  assert.equal(result.assuranceRule, 'high-verified-fresh-biometric');
});

void test('HIGH needs the strong biometric to be at most 72 h old', () => {
  const verified = reasons('REG_VERIFIED', 'BIO_STRONG_MATCH');
  assert.equal(assuranceOf(0.95, verified, hoursAgo(72), T0).level, 'HIGH');
  assert.equal(assuranceOf(0.95, verified, hoursAgo(73), T0).level, 'SUBSTANTIAL');
  assert.equal(assuranceOf(0.95, verified, null, T0).level, 'SUBSTANTIAL');
});

void test('a caution reason (far from home) keeps HIGH out: SUBSTANTIAL', () => {
  const result = scoreOf(
    goodArrivals({ location: [...homeFixes(6, 5), location({ ...SHANGHAI, observedAt: hoursAgo(1) })] }),
  );
  assert.equal(result.assuranceLevel, 'SUBSTANTIAL');
  assert.equal(result.assuranceRule, 'substantial-verified-bound');
});

void test('SUBSTANTIAL: a kiosk check with registry and biometric only', () => {
  const result = scoreOf({ biometric: [biometric()], registry: [registry()] });
  assert.equal(result.assuranceLevel, 'SUBSTANTIAL');
});

void test('SUBSTANTIAL needs a second binding besides the registry: registry alone is LOW', () => {
  const verified = reasons('REG_VERIFIED');
  assert.equal(assuranceOf(0.8, verified, null, T0).level, 'LOW');
  assert.equal(assuranceOf(0.8, reasons('REG_VERIFIED', 'TEL_KYC_MATCH'), null, T0).level, 'SUBSTANTIAL');
});

void test('a risk reason (registry name mismatch) allows at most LOW', () => {
  const result = scoreOf(goodArrivals({ registry: [registry({ nameMatch: 0.5 })] }));
  assert.equal(result.assuranceLevel, 'LOW');
  assert.equal(result.assuranceRule, 'low-confidence');
  const swapped = scoreOf(goodArrivals({ telecom: [telecom({ simSwappedAt: hoursAgo(2) })] }));
  assert.equal(swapped.assuranceLevel, 'LOW');
});

void test('NONE below 0.4, and under a cap', () => {
  assert.equal(scoreOf({}).assuranceRule, 'none-otherwise');
  assert.equal(
    assuranceOf(0.99, reasons('REG_VERIFIED', 'BIO_STRONG_MATCH', 'REG_SUSPENDED'), T0, T0).level,
    'NONE',
  );
  assert.equal(assuranceOf(0.99, reasons('BIO_PRESENTATION_ATTACK'), T0, T0).name, 'presentation-attack-cap');
});

void test('codes from a newer scorer that this version does not know are ignored', () => {
  const unknown: Reason = { code: 'TEL_SOMETHING_NEW', dimension: 'TELECOM', impact: -0.2, logOdds: 0 };
  assert.equal(
    assuranceOf(0.95, [...reasons('REG_VERIFIED', 'BIO_STRONG_MATCH'), unknown], T0, T0).level,
    'HIGH',
  );
});

void test('the assurance table lists every rule in the order tried', () => {
  const table = assuranceRuleTable();
  for (const rule of Object.values(ASSURANCE_RULES)) assert.ok(table.includes(`\`${rule.name}\``));
});
