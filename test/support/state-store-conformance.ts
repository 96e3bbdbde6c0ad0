/**
 * The one conformance suite of the state store: every case runs against the in-memory twin
 * (test/unit/state/memory-store.test.ts) and against real Redis (test/integration/state/redis-store.test.ts),
 * so the embedded mode and production cannot drift apart. The reference for windows is window.ts, which
 * apply-signals.lua ports.
 *
 * A store factory takes the test's options and returns the store with a way to let time pass, rather than
 * only a store: cases need small bounds (a dedupe memory of 4, a 1-second score TTL), and expiry is tested
 * on the twin's injected clock and on Redis' real one alike.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { describe, test } from 'node:test';
import {
  SIGNAL_KINDS,
  type IdentityScore,
  type SignalByKind,
  type SignalKind,
} from '../../src/codec/types.js';
import { compareEvents } from '../../src/features/event-window.js';
import { WINDOW_SIZES, type SubjectEvidence } from '../../src/state/evidence.js';
import type {
  ApplyResult,
  KindedSignal,
  StateStore,
  StateStoreOptions,
} from '../../src/state/state-store.js';
import { windowOf } from '../../src/state/window.js';
import {
  newSubjectId,
  randomKind,
  seededRandom,
  seededUuid,
  shuffled,
  signalOf,
  subjectBatch,
} from './state-signals.js';

export interface StoreUnderTest {
  readonly store: StateStore;
  /** Lets `ms` of store time pass: the twin's clock jumps ahead, Redis is waited for. */
  readonly advance: (ms: number) => Promise<void>;
}

/** Builds a fresh, isolated store for one test and registers its cleanup on `t`. */
export type MakeStore = (t: TestContext, options?: StateStoreOptions) => Promise<StoreUnderTest>;

function referenceWindow<K extends SignalKind>(signals: readonly KindedSignal[], kind: K): SignalByKind[K][] {
  // The cast holds because the factories pair each signal with its own kind.
  const own = signals.filter((s) => s.kind === kind).map((s) => s.signal as SignalByKind[K]);
  return windowOf(own.sort(compareEvents), WINDOW_SIZES[kind]);
}

/** The evidence the window rule gives for these signals, whatever order they came in. */
export function referenceEvidence(signals: readonly KindedSignal[]): SubjectEvidence {
  return {
    telecom: referenceWindow(signals, 'telecom'),
    location: referenceWindow(signals, 'location'),
    biometric: referenceWindow(signals, 'biometric'),
    registry: referenceWindow(signals, 'registry'),
  };
}

function scoreOf(subjectId: string, version: number): IdentityScore {
  return {
    scoreId: `00000000-0000-4000-8000-${String(version).padStart(12, '0')}`,
    subjectId,
    computedAt: 1_736_942_400_000 + version,
    confidence: 0.8125,
    assuranceLevel: 'SUBSTANTIAL',
    dimensions: [
      { dimension: 'TELECOM', score: 0.9, present: true, evidenceAt: 1_736_942_000_000, weight: 0.25 },
    ],
    reasons: [{ code: 'TEL_TENURE_LONG', dimension: 'TELECOM', impact: 0.05, logOdds: 0 }],
    modelVersion: 'rules-1',
    triggerEventId: '5d0c4c0e-3f9a-4c1e-9b7a-2f1e8d6c5b4a',
  };
}

async function applyOne(store: StateStore, subjectId: string, signals: readonly KindedSignal[]) {
  const [result] = await store.applySignals([subjectBatch(subjectId, signals)]);
  assert.ok(result !== undefined, 'one result per subject');
  return result;
}

function ids(signals: readonly { readonly eventId: string }[]): string[] {
  return signals.map((s) => s.eventId);
}

const TIMEOUT = { timeout: 60_000 };

/** Event-time order, duplicates, late and too-old events, window bounds. */
function windowCases(makeStore: MakeStore): void {
  void test(
    'new events are applied and each window is in event-time order whatever the arrival order',
    TIMEOUT,
    async (t) => {
      const { store } = await makeStore(t);
      const subjectId = newSubjectId();
      // Two share a time: the tie goes to the smaller event id.
      const signals = [50, 10, 30, 30, 20].map((at) => signalOf('location', { subjectId, at }));
      signals.push(signalOf('telecom', { subjectId, at: 5 }));
      const first = await applyOne(store, subjectId, signals.slice(0, 3));
      const result = await applyOne(store, subjectId, signals.slice(3));
      assert.deepEqual(first.appliedEventIds, ids(signals.slice(0, 3).map((s) => s.signal)));
      assert.deepEqual(result.appliedEventIds, ids(signals.slice(3).map((s) => s.signal)));
      const expected = signals
        .filter((s) => s.kind === 'location')
        .map((s) => s.signal)
        .sort(compareEvents);
      assert.deepEqual(result.evidence.location, expected);
      assert.deepEqual(result.evidence, referenceEvidence(signals));
      assert.equal(result.version, 6);
      assert.equal(result.lastEventId, signals[5]?.signal.eventId);
      const state = await store.readState(subjectId);
      assert.deepEqual(state, {
        subjectId,
        evidence: result.evidence,
        version: 6,
        emittedVersion: 0,
        lastEventId: result.lastEventId,
        salt: result.salt,
      });
    },
  );

  void test('a duplicate event id, in the same batch or a later one, changes nothing', TIMEOUT, async (t) => {
    const { store } = await makeStore(t);
    const subjectId = newSubjectId();
    const a = signalOf('biometric', { subjectId, at: 100 });
    const b = signalOf('biometric', { subjectId, at: 50 });
    const first = await applyOne(store, subjectId, [a, b, a]);
    assert.deepEqual(first.appliedEventIds, [a.signal.eventId, b.signal.eventId]);
    assert.equal(first.version, 2);
    assert.equal(first.lastEventId, b.signal.eventId);
    const again = await applyOne(store, subjectId, [b, a]);
    assert.deepEqual(again.appliedEventIds, []);
    assert.deepEqual({ ...again, appliedEventIds: first.appliedEventIds }, first);
    // The same id under another kind is still the same event.
    const sameIdOtherKind = signalOf('registry', { subjectId, at: 200, eventId: a.signal.eventId });
    assert.deepEqual((await applyOne(store, subjectId, [sameIdOtherKind])).appliedEventIds, []);
  });

  void test('a late event lands in its place and never displaces newer evidence', TIMEOUT, async (t) => {
    const { store } = await makeStore(t);
    const subjectId = newSubjectId();
    const size = WINDOW_SIZES.registry;
    const full = Array.from({ length: size }, (_, i) =>
      signalOf('registry', { subjectId, at: 1000 + i * 10 }),
    );
    await applyOne(store, subjectId, full);
    const late = signalOf('registry', { subjectId, at: 1015 });
    const result = await applyOne(store, subjectId, [late]);
    assert.deepEqual(result.appliedEventIds, [late.signal.eventId]);
    const window = result.evidence.registry;
    assert.equal(window.length, size);
    assert.deepEqual(window[window.length - 1], full[size - 1]?.signal, 'the newest stays the newest');
    assert.deepEqual(window[1], late.signal, 'in its place in time');
    assert.deepEqual(
      ids(window),
      ids([...full.slice(1).map((s) => s.signal), late.signal].sort(compareEvents)),
    );
    assert.equal(result.lastEventId, late.signal.eventId);
  });

  void test(
    'an event older than a full window is counted and remembered as seen, but not kept',
    TIMEOUT,
    async (t) => {
      const { store } = await makeStore(t);
      const subjectId = newSubjectId();
      const full = Array.from({ length: WINDOW_SIZES.telecom }, (_, i) =>
        signalOf('telecom', { subjectId, at: 500 + i }),
      );
      const before = await applyOne(store, subjectId, full);
      const ancient = signalOf('telecom', { subjectId, at: 1 });
      const result = await applyOne(store, subjectId, [ancient]);
      assert.deepEqual(result.appliedEventIds, [ancient.signal.eventId]);
      assert.equal(result.version, before.version + 1);
      assert.deepEqual(result.evidence, before.evidence);
      const again = await applyOne(store, subjectId, [ancient]);
      assert.deepEqual(again.appliedEventIds, []);
      assert.equal(again.version, result.version);
    },
  );

  void test('windows never grow beyond their sizes and keep the newest events', TIMEOUT, async (t) => {
    const { store } = await makeStore(t);
    const subjectId = newSubjectId();
    const signals = SIGNAL_KINDS.flatMap((kind) =>
      Array.from({ length: WINDOW_SIZES[kind] + 7 }, (_, i) =>
        signalOf(kind, { subjectId, at: (i * 7919) % 1000 }),
      ),
    );
    const result = await applyOne(store, subjectId, signals);
    for (const kind of SIGNAL_KINDS) assert.equal(result.evidence[kind].length, WINDOW_SIZES[kind], kind);
    assert.deepEqual(result.evidence, referenceEvidence(signals));
    assert.equal(result.version, signals.length);
  });
}

/** The bound of the dedupe memory. */
function dedupeCases(makeStore: MakeStore): void {
  void test(
    'the dedupe memory keeps exactly the newest dedupeSize ids (the documented bound)',
    TIMEOUT,
    async (t) => {
      const dedupeSize = 4;
      const { store } = await makeStore(t, { dedupeSize });
      const subjectId = newSubjectId();
      const full = Array.from({ length: WINDOW_SIZES.telecom }, (_, i) =>
        signalOf('telecom', { subjectId, at: 500 + i }),
      );
      await applyOne(store, subjectId, full);
      // Older than the full window: remembered only by the dedupe memory, not by a window.
      const old = signalOf('telecom', { subjectId, at: 1 });
      await applyOne(store, subjectId, [old]);
      const newer = Array.from({ length: dedupeSize }, (_, i) =>
        signalOf('location', { subjectId, at: 2000 + i }),
      );
      await applyOne(store, subjectId, newer.slice(0, dedupeSize - 1));
      assert.deepEqual((await applyOne(store, subjectId, [old])).appliedEventIds, [], 'still remembered');
      const last = await applyOne(store, subjectId, newer.slice(dedupeSize - 1));
      // dedupeSize newer ids applied since: the old id is forgotten and a redelivery counts again. Its
      // window is unchanged (it is still too old), only the version moves.
      const redelivered = await applyOne(store, subjectId, [old]);
      assert.deepEqual(redelivered.appliedEventIds, [old.signal.eventId]);
      assert.equal(redelivered.version, last.version + 1);
      assert.deepEqual(redelivered.evidence, last.evidence);
    },
  );

  void test(
    'an id the dedupe memory forgot is still a duplicate while its event is in a window',
    TIMEOUT,
    async (t) => {
      const { store } = await makeStore(t, { dedupeSize: 2 });
      const subjectId = newSubjectId();
      const kept = signalOf('registry', { subjectId, at: 9000 });
      await applyOne(store, subjectId, [kept]);
      const others = [1, 2, 3].map((at) => signalOf('telecom', { subjectId, at }));
      const before = await applyOne(store, subjectId, others);
      const again = await applyOne(store, subjectId, [kept]);
      assert.deepEqual(again.appliedEventIds, []);
      assert.deepEqual({ ...again, appliedEventIds: before.appliedEventIds }, before);
    },
  );
}

/** Versions, emitted marks, cached scores and the crash protocol. */
function versionCases(makeStore: MakeStore): void {
  void test('emitted only rises, and marking an unknown subject creates nothing', TIMEOUT, async (t) => {
    const { store } = await makeStore(t);
    const subjectId = newSubjectId();
    await applyOne(
      store,
      subjectId,
      [1, 2, 3, 4, 5].map((at) => signalOf('location', { subjectId, at })),
    );
    await store.markEmitted([{ subjectId, version: 3 }]);
    assert.equal((await store.readState(subjectId)).emittedVersion, 3);
    await store.markEmitted([
      { subjectId, version: 2 },
      { subjectId, version: 1 },
    ]);
    assert.equal((await store.readState(subjectId)).emittedVersion, 3);
    await store.markEmitted([{ subjectId, version: 5 }]);
    const state = await store.readState(subjectId);
    assert.deepEqual([state.version, state.emittedVersion], [5, 5]);
    const unknown = newSubjectId();
    await store.markEmitted([{ subjectId: unknown, version: 7 }]);
    assert.deepEqual(await store.readState(unknown), {
      subjectId: unknown,
      evidence: { telecom: [], location: [], biometric: [], registry: [] },
      version: 0,
      emittedVersion: 0,
      lastEventId: null,
      salt: null,
    });
    await store.markEmitted([]);
  });

  void test(
    'saveScores and readScore round trip; a score expires after scoreTtlSeconds',
    TIMEOUT,
    async (t) => {
      const { store, advance } = await makeStore(t, { scoreTtlSeconds: 1 });
      const [a, b] = [newSubjectId(), newSubjectId()];
      assert.equal(await store.readScore(a), null);
      await store.saveScores([
        { version: 1, score: scoreOf(a, 1) },
        { version: 2, score: scoreOf(b, 2) },
      ]);
      assert.deepEqual(await store.readScore(a), { version: 1, score: scoreOf(a, 1) });
      await store.saveScores([{ version: 3, score: scoreOf(a, 3) }]);
      assert.deepEqual(await store.readScore(a), { version: 3, score: scoreOf(a, 3) });
      await advance(1_100);
      assert.equal(await store.readScore(a), null);
      assert.equal(await store.readScore(b), null);
      await store.saveScores([]);
    },
  );

  void test(
    'saveScores: the first score of a version wins and an older version never replaces a newer one',
    TIMEOUT,
    async (t) => {
      const { store } = await makeStore(t);
      const a = newSubjectId();
      const first = { version: 2, score: scoreOf(a, 2) };
      const rival = {
        version: 2,
        score: { ...scoreOf(a, 2), confidence: 0.5, computedAt: 1_736_942_400_999 },
      };
      assert.deepEqual(await store.saveScores([first]), [first], 'saved: produce its own');
      assert.deepEqual(await store.saveScores([rival]), [first], 'same version: produce the one cached');
      assert.deepEqual(
        await store.saveScores([{ version: 1, score: scoreOf(a, 1) }]),
        [null],
        'older: superseded',
      );
      assert.deepEqual(await store.readScore(a), first);
      const newer = { version: 3, score: scoreOf(a, 3) };
      assert.deepEqual(await store.saveScores([newer]), [newer]);
      assert.deepEqual(await store.readScore(a), newer);
    },
  );

  void test(
    'crash before markEmitted: a redelivery reports the version unemitted, with its cached score',
    TIMEOUT,
    async (t) => {
      const { store } = await makeStore(t);
      const subjectId = newSubjectId();
      const batch = [signalOf('telecom', { subjectId, at: 1 }), signalOf('biometric', { subjectId, at: 2 })];
      const first = await applyOne(store, subjectId, batch);
      assert.deepEqual([first.version, first.emittedVersion, first.cached], [2, 0, null]);
      const cached = { version: first.version, score: scoreOf(subjectId, first.version) };
      await store.saveScores([cached]);
      // The worker dies here: no markEmitted, no offset commit. The batch comes again.
      const redelivered = await applyOne(store, subjectId, batch);
      assert.deepEqual(redelivered.appliedEventIds, []);
      assert.equal(redelivered.version, first.version);
      assert.ok(redelivered.emittedVersion < redelivered.version, 'still to be emitted');
      assert.deepEqual(redelivered.cached, cached, 'the score of exactly this version, to produce again');
      assert.deepEqual(redelivered.evidence, first.evidence);
      await store.markEmitted([{ subjectId, version: redelivered.version }]);
      const afterCommit = await applyOne(store, subjectId, batch);
      assert.equal(afterCommit.emittedVersion, afterCommit.version, 'nothing left to emit');
      const next = await applyOne(store, subjectId, [signalOf('location', { subjectId, at: 3 })]);
      assert.equal(next.version, first.version + 1);
      assert.equal(next.cached, null, 'a cached score of an older version is not handed back');
    },
  );

  void test(
    "a cached score that outlived its state is never handed back as the new state's",
    TIMEOUT,
    async (t) => {
      const { store, advance } = await makeStore(t, { stateTtlSeconds: 1, scoreTtlSeconds: 60 });
      const subjectId = newSubjectId();
      const first = await applyOne(store, subjectId, [signalOf('registry', { subjectId, at: 1 })]);
      const stale = { version: first.version, score: scoreOf(subjectId, first.version) };
      await store.saveScores([stale]);
      await advance(1_100);
      // The state expired; the score of its version 1 is still cached. A new state starts at version 1.
      const fresh = await applyOne(store, subjectId, [signalOf('location', { subjectId, at: 2 })]);
      assert.equal(fresh.version, first.version);
      assert.notEqual(fresh.salt, first.salt, 'a new state');
      assert.equal(fresh.cached, null, "the old state's score is not the new state's");
      assert.deepEqual(await store.readScore(subjectId), stale, 'the old score is still cached');
    },
  );
}

/** Large batches, random interleavings, and input only a bug can send. */
function batchCases(makeStore: MakeStore): void {
  void test('500 subjects in one call: one result each, in input order', TIMEOUT, async (t) => {
    const { store } = await makeStore(t);
    const batch = Array.from({ length: 500 }, (_, i) => {
      const subjectId = newSubjectId();
      const count = 1 + (i % 3);
      return subjectBatch(
        subjectId,
        Array.from({ length: count }, (_, j) =>
          signalOf(SIGNAL_KINDS[(i + j) % 4] ?? 'telecom', { subjectId, at: j }),
        ),
      );
    });
    const results = await store.applySignals(batch);
    assert.equal(results.length, batch.length);
    results.forEach((result: ApplyResult, i) => {
      const input = batch[i];
      assert.ok(input !== undefined);
      assert.equal(result.subjectId, input.subjectId);
      assert.equal(result.version, input.signals.length);
      assert.deepEqual(result.evidence, referenceEvidence(input.signals));
    });
  });

  void test(
    'property: random interleavings and redeliveries give the state of the sorted events',
    TIMEOUT,
    async (t) => {
      const { store } = await makeStore(t);
      for (let seed = 1; seed <= 40; seed += 1) {
        const random = seededRandom(seed);
        const subjectId = newSubjectId();
        const events = Array.from({ length: 10 + Math.floor(random() * 60) }, () =>
          // A narrow time range, so ties are common.
          signalOf(randomKind(random), {
            subjectId,
            at: Math.floor(random() * 40),
            eventId: seededUuid(random),
          }),
        );
        const sorted = [...events].sort((x, y) => compareEvents(x.signal, y.signal));
        const redeliveries = events.filter(() => random() < 0.3);
        const arrivals = shuffled([...events, ...redeliveries], random);
        let result: ApplyResult | undefined;
        while (arrivals.length > 0) {
          result = await applyOne(store, subjectId, arrivals.splice(0, 1 + Math.floor(random() * 12)));
        }
        assert.ok(result !== undefined);
        assert.equal(result.version, events.length, `seed ${seed}`);
        assert.deepEqual(result.evidence, referenceEvidence(sorted), `seed ${seed}`);
        assert.deepEqual((await store.readState(subjectId)).evidence, result.evidence, `seed ${seed}`);
      }
    },
  );

  void test(
    'what only a bug upstream can send is refused with a TypeError, nothing written',
    TIMEOUT,
    async (t) => {
      const { store } = await makeStore(t);
      const subjectId = newSubjectId();
      const other = newSubjectId();
      const misfiled = subjectBatch(subjectId, [signalOf('telecom', { subjectId: other })]);
      await assert.rejects(store.applySignals([misfiled]), TypeError);
      await assert.rejects(store.applySignals([subjectBatch('13800138000', [])]), TypeError);
      await assert.rejects(store.markEmitted([{ subjectId, version: 0 }]), TypeError);
      await assert.rejects(store.readScore('someone@example.com'), (error: unknown) => {
        assert.ok(error instanceof TypeError);
        assert.ok(!error.message.includes('example.com'), 'the value stays out of the message');
        return true;
      });
      assert.equal((await store.readState(subjectId)).version, 0);
    },
  );

  void test(
    'each subject gets its own random salt with its first event, kept from then on',
    TIMEOUT,
    async (t) => {
      const { store } = await makeStore(t);
      const [a, b] = [newSubjectId(), newSubjectId()];
      assert.equal((await store.readState(a)).salt, null, 'no state, no salt');
      const first = await applyOne(store, a, [signalOf('telecom', { subjectId: a, at: 100 })]);
      assert.match(first.salt, /^[0-9a-f]{64}$/);
      const later = await applyOne(store, a, [signalOf('location', { subjectId: a, at: 200 })]);
      assert.equal(later.salt, first.salt, 'the salt never changes');
      assert.equal((await store.readState(a)).salt, first.salt);
      const other = await applyOne(store, b, [signalOf('telecom', { subjectId: b, at: 100 })]);
      assert.notEqual(other.salt, first.salt, 'salts are per subject');
    },
  );

  void test(
    'an empty batch or a subject without signals writes nothing; ping answers',
    TIMEOUT,
    async (t) => {
      const { store } = await makeStore(t);
      const subjectId = newSubjectId();
      assert.deepEqual(await store.applySignals([]), []);
      const [result] = await store.applySignals([subjectBatch(subjectId, [])]);
      assert.deepEqual(result?.appliedEventIds, []);
      assert.equal(result?.version, 0);
      assert.equal(result?.lastEventId, null);
      await store.ping();
    },
  );
}

/** Registers every case of the suite under `name`, each test on a store from `makeStore`. */
export function stateStoreConformance(name: string, makeStore: MakeStore): void {
  void describe(`state store conformance: ${name}`, () => {
    windowCases(makeStore);
    dedupeCases(makeStore);
    versionCases(makeStore);
    batchCases(makeStore);
  });
}
