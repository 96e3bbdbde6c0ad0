/** Reply parsing (redis-replies.ts): a reply that is not what apply-signals.lua returns is a bug. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isDmidError } from '../../../src/errors.js';
import { eventArgs, parseApplyReply } from '../../../src/state/redis-replies.js';
import { newSubjectId, signalOf, subjectBatch } from '../../support/state-signals.js';

const SALT = 'ab'.repeat(32);

void describe('apply-signals replies', () => {
  const subjectId = newSubjectId();
  const a = signalOf('location', { subjectId, at: 1 });
  const b = signalOf('location', { subjectId, at: 2 });
  const subject = subjectBatch(subjectId, [a, b, a]);
  const window = [a, b].map((s) => eventArgs(s.kind, s.signal)[3]).join('\n');

  void test('a well-formed reply becomes an ApplyResult', () => {
    const result = parseApplyReply(subject, [
      null,
      window,
      null,
      null,
      2,
      1,
      b.signal.eventId,
      null,
      '110',
      SALT,
    ]);
    assert.deepEqual(result, {
      subjectId,
      evidence: { telecom: [], location: [a.signal, b.signal], biometric: [], registry: [] },
      appliedEventIds: [a.signal.eventId, b.signal.eventId],
      version: 2,
      emittedVersion: 1,
      lastEventId: b.signal.eventId,
      cached: null,
      salt: SALT,
    });
  });

  void test('any other shape throws a plain Error (a bug, never retried)', () => {
    const good: unknown[] = [null, window, null, null, 2, 1, b.signal.eventId, null, '110', SALT];
    const variants: unknown[] = [
      null,
      'OK',
      good.slice(0, 9),
      good.with(9, 'not a salt'),
      good.with(8, '11'),
      good.with(8, '1x0'),
      good.with(4, -1),
      good.with(1, 'not json'),
      good.with(6, 7),
      good.with(7, '{"version":1}'),
    ];
    for (const reply of variants) {
      assert.throws(
        () => parseApplyReply(subject, reply),
        (error: unknown) => error instanceof Error && !isDmidError(error),
      );
    }
  });
});
