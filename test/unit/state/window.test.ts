/** The window rule (window.ts), the reference both state store adapters are held to. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SignalHeader } from '../../../src/codec/types.js';
import { compareEvents } from '../../../src/features/event-window.js';
import { insertIntoWindow, windowOf } from '../../../src/state/window.js';
import { seededRandom, seededUuid, shuffled } from '../../support/state-signals.js';

function ev(observedAt: number, eventId: string): SignalHeader {
  return { eventId, subjectId: 's', providerId: 'p', observedAt };
}

const ids = (w: readonly SignalHeader[]) => w.map((e) => e.eventId);

void describe('insertIntoWindow', () => {
  void test('appends in order, puts a late event in its place, and ties go to the smaller id', () => {
    const w: SignalHeader[] = [];
    assert.equal(insertIntoWindow(w, ev(10, 'b'), 4), 'kept');
    assert.equal(insertIntoWindow(w, ev(30, 'c'), 4), 'kept');
    assert.equal(insertIntoWindow(w, ev(20, 'd'), 4), 'kept');
    assert.equal(insertIntoWindow(w, ev(10, 'a'), 4), 'kept');
    assert.deepEqual(ids(w), ['a', 'b', 'd', 'c']);
  });

  void test('orders ids by code unit: upper case before lower case, as the Lua byte order does', () => {
    const w = windowOf([ev(5, 'a0'), ev(5, 'A0'), ev(5, '90')], 8);
    assert.deepEqual(ids(w), ['90', 'A0', 'a0']);
  });

  void test('a full window drops its oldest; an event older than all of it is not kept', () => {
    const w = windowOf([ev(1, 'a'), ev(2, 'b'), ev(3, 'c')], 3);
    assert.equal(insertIntoWindow(w, ev(0, 'z'), 3), 'too-old');
    assert.deepEqual(ids(w), ['a', 'b', 'c']);
    assert.equal(insertIntoWindow(w, ev(2, 'bb'), 3), 'kept');
    assert.deepEqual(ids(w), ['b', 'bb', 'c']);
  });

  void test('an id already in the window is a duplicate, whatever its time', () => {
    const w = windowOf([ev(1, 'a'), ev(2, 'b')], 3);
    assert.equal(insertIntoWindow(w, ev(99, 'a'), 3), 'duplicate');
    assert.deepEqual(ids(w), ['a', 'b']);
  });

  void test('property: any arrival order keeps the newest `size` events, in event-time order', () => {
    for (let seed = 1; seed <= 300; seed += 1) {
      const random = seededRandom(seed);
      const events = Array.from({ length: 1 + Math.floor(random() * 50) }, () =>
        ev(Math.floor(random() * 20), seededUuid(random)),
      );
      const size = 1 + Math.floor(random() * 12);
      const expected = [...events].sort(compareEvents).slice(-size);
      assert.deepEqual(windowOf(shuffled(events, random), size), expected, `seed ${seed}`);
    }
  });
});
