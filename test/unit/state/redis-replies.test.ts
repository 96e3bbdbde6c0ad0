/** Reply parsing (redis-replies.ts): a reply that is not what apply-signals.lua returns is a bug. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LocationSignal } from '../../../src/codec/types.js';
import { isDmidError } from '../../../src/errors.js';
import { parseApplyReply, pushEventArgs } from '../../../src/state/redis-replies.js';
import { newSubjectId, signalOf, subjectBatch } from '../../support/state-signals.js';

const SALT = 'ab'.repeat(32);

void describe('apply-signals replies', () => {
  const subjectId = newSubjectId();
  const a = signalOf('location', { subjectId, at: 1 });
  const b = signalOf('location', { subjectId, at: 2 });
  const subject = subjectBatch(subjectId, [a, b, a]);
  const window = [a, b]
    .map((s) => {
      const args: string[] = [];
      pushEventArgs(args, s.kind, s.signal);
      return args[3];
    })
    .join('\n');

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
      0,
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

  void test('windows left out: the applied events go into the copy the call named, a new object', () => {
    const c = signalOf('location', { subjectId, at: 3 });
    const copy = {
      salt: SALT,
      version: 2,
      evidence: {
        telecom: [],
        location: [a.signal, c.signal] as LocationSignal[],
        biometric: [],
        registry: [],
      },
    };
    // b applied (between a and c in time), a a duplicate.
    const reply = [null, null, null, null, 3, 2, b.signal.eventId, null, '10', SALT, 1];
    const result = parseApplyReply(subjectBatch(subjectId, [b, a]), reply, copy);
    assert.deepEqual(result.evidence.location, [a.signal, b.signal, c.signal]);
    assert.deepEqual(result.appliedEventIds, [b.signal.eventId]);
    assert.equal(result.version, 3);
    assert.deepEqual(copy.evidence.location, [a.signal, c.signal], 'the copy itself is left as it was');
    assert.equal(result.evidence.telecom, copy.evidence.telecom, 'untouched windows are shared');
  });

  void test('any other shape throws a plain Error (a bug, never retried)', () => {
    const good: unknown[] = [null, window, null, null, 2, 1, b.signal.eventId, null, '110', SALT, 0];
    const variants: unknown[] = [
      null,
      'OK',
      good.slice(0, 10),
      // Windows left out, but the caller named no copy.
      good.with(10, 1),
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
