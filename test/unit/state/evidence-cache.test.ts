/** The store's copies of evidence (evidence-cache.ts): bounded in number and age, never changed in place. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LocationSignal, TelecomSignal } from '../../../src/codec/types.js';
import { EMPTY_EVIDENCE, WINDOW_SIZES } from '../../../src/state/evidence.js';
import {
  createEvidenceCache,
  heldStateArg,
  withApplied,
  type EvidenceCopy,
} from '../../../src/state/evidence-cache.js';
import { windowOf } from '../../../src/state/window.js';
import { newSubjectId, signalOf } from '../../support/state-signals.js';

const SALT = 'cd'.repeat(32);

function copyAt(version: number, salt = SALT): EvidenceCopy {
  return { salt, version, evidence: EMPTY_EVIDENCE };
}

void describe('evidence cache', () => {
  void test('keeps at most maxSubjects, dropping the least recently used', (t) => {
    const cache = createEvidenceCache({ maxSubjects: 2, maxAgeMs: 60_000 });
    t.after(() => cache.close());
    cache.remember('a', copyAt(1));
    cache.remember('b', copyAt(1));
    assert.ok(cache.get('a'), 'a used: b is now the least recent');
    cache.remember('c', copyAt(1));
    assert.equal(cache.size, 2);
    assert.equal(cache.get('b'), undefined);
    assert.ok(cache.get('a'));
    assert.ok(cache.get('c'));
  });

  void test('a copy unused for maxAgeMs is gone, on lookup and by the sweep', (t) => {
    let now = 0;
    const cache = createEvidenceCache({ maxSubjects: 10, maxAgeMs: 1_000, now: () => now });
    t.after(() => cache.close());
    cache.remember('a', copyAt(1));
    cache.remember('b', copyAt(1));
    now = 600;
    assert.ok(cache.get('a'), 'used at 600');
    now = 1_000;
    assert.equal(cache.get('b'), undefined, 'b was last used at 0');
    now = 1_500;
    cache.remember('c', copyAt(1));
    assert.equal(cache.size, 2);
    now = 1_601;
    assert.equal(cache.get('a'), undefined, 'a was last used at 600');
  });

  void test('a newer copy of the same state is not replaced by an older one; another salt replaces it', (t) => {
    const cache = createEvidenceCache({ maxSubjects: 10, maxAgeMs: 60_000 });
    t.after(() => cache.close());
    cache.remember('a', copyAt(5));
    cache.remember('a', copyAt(4));
    assert.equal(cache.get('a')?.version, 5);
    cache.remember('a', copyAt(1, 'ef'.repeat(32)));
    assert.equal(cache.get('a')?.version, 1, 'a new state (after an erasure or expiry)');
    cache.forget('a');
    assert.equal(cache.get('a'), undefined);
  });

  void test('bad bounds are refused', () => {
    assert.throws(() => createEvidenceCache({ maxSubjects: 0, maxAgeMs: 1 }), RangeError);
    assert.throws(() => createEvidenceCache({ maxSubjects: 1, maxAgeMs: 0 }), RangeError);
  });

  void test('the state argument names salt and version, or nothing', () => {
    assert.equal(heldStateArg(undefined), '');
    assert.equal(heldStateArg(copyAt(7)), `${SALT}:7`);
  });
});

void describe('withApplied', () => {
  const subjectId = newSubjectId();

  void test('inserts only the applied events, by the window rule, into new arrays', () => {
    const held = Array.from({ length: WINDOW_SIZES.location }, (_, i) =>
      signalOf('location', { subjectId, at: 1_000 + i }),
    );
    const evidence = { ...EMPTY_EVIDENCE, location: held.map((s) => s.signal as LocationSignal) };
    const late = signalOf('location', { subjectId, at: 1_010 });
    const tooOld = signalOf('location', { subjectId, at: 1 });
    const notApplied = signalOf('location', { subjectId, at: 2_000 });
    const newer = signalOf('telecom', { subjectId, at: 5 });
    const result = withApplied(evidence, [late, tooOld, notApplied, newer], '1101');
    const expected = windowOf(
      [...held, late, tooOld].map((s) => s.signal),
      WINDOW_SIZES.location,
    );
    assert.deepEqual(result.location, expected);
    assert.deepEqual(result.telecom, [newer.signal]);
    assert.equal(result.biometric, evidence.biometric, 'an untouched window is the same array');
    assert.equal(evidence.location.length, WINDOW_SIZES.location, 'the copy given is not changed');
    assert.equal(evidence.location.at(-1), held.at(-1)?.signal);
  });

  void test('nothing applied: the same evidence object', () => {
    const evidence = {
      ...EMPTY_EVIDENCE,
      telecom: [signalOf('telecom', { subjectId }).signal as TelecomSignal],
    };
    assert.equal(withApplied(evidence, [signalOf('telecom', { subjectId })], '0'), evidence);
  });
});
