/**
 * The cross-dimension terms of the additive model (2.1) read the better of two pieces of evidence: each
 * bad fact alone leaves them at g = 1 (no contribution), both together take g down; and the capture
 * terms count less on a blurred capture. Checked on hand-built feature vectors through writeTermInputs,
 * the function training and serving share.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FEATURE_COUNT, FEATURE_NAMES, type FeatureName } from '../../../src/features/feature-vector.js';
import { TERM_COUNT, TERMS, writeTermInputs } from '../../../src/scoring/model/additive-terms.js';

const HOURS_PER_DAY = 24;

interface Person {
  tenureDays: number;
  match: number;
  quality: number;
  lastFixDaysAgo: number;
  nameMatch: number;
}

const STRONG: Person = { tenureDays: 3000, match: 0.95, quality: 0.9, lastFixDaysAgo: 0.1, nameMatch: 0.97 };

function vectorOf(p: Person): Float32Array {
  const v = new Float32Array(FEATURE_COUNT);
  const set = (name: FeatureName, value: number): void => {
    v[FEATURE_NAMES.indexOf(name)] = value;
  };
  for (const present of ['tel_present', 'loc_present', 'bio_present', 'reg_present'] as const)
    set(present, 1);
  set('tel_tenure_log1p_d', Math.log1p(p.tenureDays));
  set('tel_kyc_full', 1);
  set('loc_age_log1p_h', Math.log1p(p.lastFixDaysAgo * HOURS_PER_DAY));
  set('bio_match', p.match);
  set('bio_quality', p.quality);
  set('bio_liveness', 0.95);
  set('reg_record_found', 1);
  set('reg_name_match', p.nameMatch);
  set('reg_birth_date_match', 1);
  set('reg_document_valid', 1);
  set('reg_status_active', 1);
  return v;
}

function termsOf(p: Person): { g: Map<string, number>; mask: Map<string, number> } {
  const g = new Float32Array(TERM_COUNT);
  const mask = new Float32Array(TERM_COUNT);
  writeTermInputs(vectorOf(p), new Float32Array([1, 1, 1, 1]), 0, g, mask);
  return {
    g: new Map(TERMS.map((t, i) => [t.name, g[i] ?? Number.NaN])),
    mask: new Map(TERMS.map((t, i) => [t.name, mask[i] ?? Number.NaN])),
  };
}

const CROSS = [
  { term: 'new_line_weak_match', bad: { tenureDays: 5, match: 0.5 } },
  { term: 'new_line_dormant', bad: { tenureDays: 5, lastFixDaysAgo: 120 } },
  { term: 'unverified_young_line', bad: { tenureDays: 5, nameMatch: 0.3 } },
  { term: 'dormant_weak_match', bad: { lastFixDaysAgo: 120, match: 0.5 } },
] as const;

for (const { term, bad } of CROSS) {
  void test(`${term}: each bad fact alone reads fully good (g = 1: no contribution), both together badly (g ≤ 0.65)`, () => {
    assert.equal(termsOf(STRONG).g.get(term), 1, 'strong person');
    for (const [key, value] of Object.entries(bad)) {
      const alone = termsOf({ ...STRONG, [key]: value }).g.get(term) ?? 0;
      assert.equal(alone, 1, `${key} alone: g ${alone}`);
    }
    const both = termsOf({ ...STRONG, ...bad }).g.get(term) ?? 1;
    assert.ok(both <= 0.65, `both: g ${both}`);
    assert.ok((termsOf({ ...STRONG, ...bad }).mask.get(term) ?? 0) > 0, 'and the term counts');
  });
}

void test('a blurred capture weighs less: match, liveness, failures and the match cross terms', () => {
  const sharp = termsOf(STRONG).mask;
  const blurred = termsOf({ ...STRONG, quality: 0 }).mask;
  for (const term of [
    'bio_match',
    'bio_liveness',
    'bio_failures',
    'new_line_weak_match',
    'dormant_weak_match',
  ]) {
    assert.equal(sharp.get(term), 1, term);
    assert.ok(Math.abs((blurred.get(term) ?? 0) - 0.25) < 1e-6, `${term}: ${blurred.get(term)}`);
  }
});
