/**
 * The in-memory twin: the shared conformance suite on an injected clock, plus what only the twin has
 * (its own expiry sweep and closing).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isDmidError } from '../../../src/errors.js';
import { createMemoryStore } from '../../../src/state/memory-store.js';
import { stateStoreConformance } from '../../support/state-store-conformance.js';
import { newSubjectId, signalOf, subjectBatch } from '../../support/state-signals.js';

stateStoreConformance('in-memory twin', (_t, options = {}) => {
  let nowMs = Date.UTC(2025, 0, 15);
  const store = createMemoryStore({ ...options, now: () => nowMs });
  return Promise.resolve({
    store,
    advance: (ms: number) => {
      nowMs += ms;
      return Promise.resolve();
    },
  });
});

void describe('in-memory twin only', () => {
  void test('state expires stateTtlSeconds after the last applied event', async () => {
    let nowMs = 0;
    const store = createMemoryStore({ stateTtlSeconds: 10, now: () => nowMs });
    const subjectId = newSubjectId();
    const signal = signalOf('telecom', { subjectId });
    await store.applySignals([subjectBatch(subjectId, [signal])]);
    nowMs = 9_000;
    // A duplicate does not extend the life of the state, as in Redis (TTLs move only when one applies).
    await store.applySignals([subjectBatch(subjectId, [signal])]);
    assert.equal((await store.readState(subjectId)).version, 1);
    nowMs = 10_000;
    assert.equal((await store.readState(subjectId)).version, 0);
    // Gone with its dedupe memory: the same event counts again, as it would on Redis.
    const [again] = await store.applySignals([subjectBatch(subjectId, [signal])]);
    assert.equal(again?.version, 1);
  });

  void test('rejects unknown and invalid options', () => {
    assert.throws(() => createMemoryStore({ dedupSize: 3 } as never), /unknown option dedupSize/);
    assert.throws(() => createMemoryStore({ dedupeSize: 0 }), RangeError);
    assert.throws(() => createMemoryStore({ scoreTtlSeconds: 1.5 }), RangeError);
  });

  void test('after close every call rejects with a retriable error', async () => {
    const store = createMemoryStore();
    await store.close();
    await assert.rejects(
      store.ping(),
      (error: unknown) => isDmidError(error, 'DMID_REDIS_UNAVAILABLE') && error.canRetry,
    );
    await assert.rejects(store.applySignals([]), (error: unknown) =>
      isDmidError(error, 'DMID_REDIS_UNAVAILABLE'),
    );
  });
});
