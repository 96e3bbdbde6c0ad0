/** Window entries (window-entry.ts): what the Redis adapter stores per signal must come back unchanged. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCodec } from '../../../src/codec/codec.js';
import { SIGNAL_KINDS } from '../../../src/codec/types.js';
import { decodeEntry, encodeEntry } from '../../../src/state/window-entry.js';
import { newSubjectId, signalOf } from '../../support/state-signals.js';

function roundTrip(entry: string, kind: (typeof SIGNAL_KINDS)[number], subjectId: string) {
  const values: unknown = JSON.parse(entry);
  assert.ok(Array.isArray(values));
  return decodeEntry(kind, subjectId, values);
}

void describe('window entries', () => {
  void test('every kind round-trips exactly, doubles and nulls included', () => {
    const subjectId = newSubjectId();
    for (const kind of SIGNAL_KINDS) {
      const { signal } = signalOf(kind, { subjectId, at: 123 });
      const entry = encodeEntry(kind, signal);
      assert.ok(
        entry.startsWith(`["${signal.eventId}",${signal.observedAt},`),
        'the prefix the Lua script reads',
      );
      assert.deepEqual(roundTrip(entry, kind, subjectId), signal, kind);
    }
  });

  void test('a signal as the codec decodes it equals its entry read back (evidence copies hold the former)', () => {
    const codec = createCodec();
    const subjectId = newSubjectId();
    for (const kind of SIGNAL_KINDS) {
      const decoded = codec.decode(kind, codec.encode(kind, signalOf(kind, { subjectId, at: 7 }).signal));
      const stored = roundTrip(encodeEntry(kind, decoded), kind, subjectId);
      assert.deepEqual(stored, decoded, kind);
      assert.deepEqual(Object.keys(stored), Object.keys(decoded), `${kind}: same fields, same order`);
    }
  });

  void test('timestamps, odd strings and extreme numbers survive; an entry never contains a raw newline', () => {
    const subjectId = newSubjectId();
    const { signal } = signalOf('telecom', { subjectId });
    const odd = {
      ...signal,
      providerId: 'line\nbreak "quoted" \\ 北京 \u2028',
      tenureDays: 0,
      simSwappedAt: 1_736_942_400_123,
      portedAt: null,
      deviceChangedAt: Number.MAX_SAFE_INTEGER,
    };
    const entry = encodeEntry('telecom', odd);
    assert.ok(!entry.includes('\n'));
    assert.deepEqual(roundTrip(entry, 'telecom', subjectId), odd);
    const fix = {
      ...signalOf('location', { subjectId }).signal,
      latitude: 5e-324,
      longitude: -179.99999999999997,
      accuracyMeters: 1e-7,
    };
    assert.deepEqual(roundTrip(encodeEntry('location', fix), 'location', subjectId), fix);
  });

  void test('an entry of the wrong shape throws, naming the kind and no value', () => {
    const subjectId = newSubjectId();
    const bad: unknown[][] = [
      ['id', 1, 'p', 'not-a-number', 2, 3, 'GNSS'],
      ['id', 1, 'p', 1, 2],
    ];
    for (const entry of bad) {
      assert.throws(
        () => decodeEntry('location', subjectId, entry),
        (error: unknown) => {
          assert.ok(error instanceof Error);
          assert.match(error.message, /stored location signal is malformed/);
          assert.ok(!error.message.includes('not-a-number'));
          return true;
        },
      );
    }
  });
});
