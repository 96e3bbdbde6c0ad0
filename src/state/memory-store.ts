/**
 * The in-memory twin of the Redis state store, for the embedded mode (`npm start` with nothing
 * configured). Same semantics as redis-store.ts and apply-signals.lua, checked by the one conformance
 * suite both run: the window rule is the shared window.ts, the dedupe memory keeps the same number of
 * newest ids, versions and `emitted` move the same way, and state and scores expire after the same TTLs,
 * measured on an injectable clock.
 *
 * Memory is bounded per subject exactly as in Redis (windows of WINDOW_SIZES, dedupeSize ids). Expired
 * subjects are dropped as batches come: both maps are kept in the order entries were last written, and
 * with one TTL per map that is also the order they expire in, so a sweep only looks at the oldest end.
 *
 * Where the twin is stricter than Redis: the signals it returns are frozen copies shared between calls
 * (Redis parses fresh objects each time), so a caller that mutates evidence, a bug either way, fails here.
 */
import { randomBytes } from 'node:crypto';
import type {
  BiometricSignal,
  LocationSignal,
  RegistrySignal,
  Signal,
  SignalKind,
  TelecomSignal,
} from '../codec/types.js';
import { DmidError } from '../errors.js';
import { parseCachedScore, serializeCachedScore, winner } from './cached-score.js';
import { WINDOW_SIZES, type SubjectEvidence } from './evidence.js';
import type {
  ApplyResult,
  CachedScore,
  StateStore,
  StateStoreOptions,
  SubjectSignals,
  SubjectStateView,
} from './state-store.js';
import { resolveStoreOptions, type ResolvedStoreOptions } from './store-options.js';
import { assertCachedScore, assertSubjectId, assertSubjectSignals, assertVersion } from './subject-input.js';
import { insertIntoWindow } from './window.js';

export interface MemoryStoreOptions extends StateStoreOptions {
  /** The clock TTLs are measured on, epoch milliseconds. Default `Date.now`. */
  readonly now?: () => number;
}

interface SubjectState {
  readonly windows: Record<SignalKind, Signal[]>;
  /** Remembered event ids, oldest first (a Set keeps insertion order). */
  readonly seen: Set<string>;
  version: number;
  emitted: number;
  last: string | null;
  /** Created by the first apply (the same rule as apply-signals.lua). */
  salt: string | null;
  /** Epoch ms at which the state is gone. */
  expiresAt: number;
}

interface StoredScore {
  readonly value: string;
  readonly expiresAt: number;
}

type StateView = SubjectStateView;

function emptyState(): SubjectState {
  const windows = { telecom: [], location: [], biometric: [], registry: [] };
  return { windows, seen: new Set(), version: 0, emitted: 0, last: null, salt: null, expiresAt: 0 };
}

/** A snapshot: later batches change the twin's arrays in place, and a result must not change with them. */
function evidenceOf(windows: Record<SignalKind, Signal[]>): SubjectEvidence {
  // The casts hold because a window only ever receives signals of its own kind (applyOne).
  return {
    telecom: [...windows.telecom] as TelecomSignal[],
    location: [...windows.location] as LocationSignal[],
    biometric: [...windows.biometric] as BiometricSignal[],
    registry: [...windows.registry] as RegistrySignal[],
  };
}

function viewOf(subjectId: string, state: SubjectState): StateView {
  return {
    subjectId,
    evidence: evidenceOf(state.windows),
    version: state.version,
    emittedVersion: state.emitted,
    lastEventId: state.last,
    salt: state.salt,
  };
}

/** Drops expired entries from the oldest end of a map kept in write order. */
function sweep(map: Map<string, { readonly expiresAt: number }>, nowMs: number): void {
  for (const [key, entry] of map) {
    if (entry.expiresAt > nowMs) return;
    map.delete(key);
  }
}

/** Moves `key` to the newest end of a map kept in write order. */
function rewrite<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
}

/** Applies one event to `state` as apply-signals.lua does; true when it was applied (not a duplicate). */
function applyOne(
  state: SubjectState,
  kind: SignalKind,
  signal: Signal,
  options: ResolvedStoreOptions,
): boolean {
  if (state.seen.has(signal.eventId)) return false;
  const outcome = insertIntoWindow(state.windows[kind], Object.freeze({ ...signal }), WINDOW_SIZES[kind]);
  if (outcome === 'duplicate') return false;
  state.seen.add(signal.eventId);
  if (state.seen.size > options.dedupeSize) {
    const oldest = state.seen.values().next();
    if (oldest.done !== true) state.seen.delete(oldest.value);
  }
  state.version += 1;
  state.last = signal.eventId;
  return true;
}

/** Runs `body` now and returns its result as a promise: an exception becomes a rejection, as in Redis. */
function settle<T>(body: () => T): Promise<T> {
  try {
    return Promise.resolve(body());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** The twin's data and the operations on it, synchronous; `nowMs` is the store clock's reading. */
class MemoryData {
  /** Subjects' states, in the order they were last applied to (= the order they expire in). */
  private readonly states = new Map<string, SubjectState>();
  /** Cached scores, in the order they were written (= the order they expire in). */
  private readonly scores = new Map<string, StoredScore>();

  constructor(private readonly options: ResolvedStoreOptions) {}

  apply(batch: readonly SubjectSignals[], nowMs: number): ApplyResult[] {
    for (const subject of batch) assertSubjectSignals(subject);
    sweep(this.states, nowMs);
    sweep(this.scores, nowMs);
    return batch.map((subject) => this.applySubject(subject, nowMs));
  }

  /** save-score.lua's rule: a score of the same or a newer version already cached wins. */
  save(list: readonly CachedScore[], nowMs: number): (CachedScore | null)[] {
    for (const cached of list) assertCachedScore(cached);
    const expiresAt = nowMs + this.options.scoreTtlSeconds * 1000;
    return list.map((cached) => {
      const held = this.readCached(cached.score.subjectId, nowMs);
      if (held === null || held.version < cached.version) {
        rewrite(this.scores, cached.score.subjectId, { value: serializeCachedScore(cached), expiresAt });
      }
      return winner(cached, this.readCached(cached.score.subjectId, nowMs));
    });
  }

  mark(entries: readonly { readonly subjectId: string; readonly version: number }[], nowMs: number): void {
    for (const { subjectId, version } of entries) {
      assertSubjectId(subjectId);
      assertVersion(version);
      const state = this.liveState(subjectId, nowMs);
      if (state !== undefined && version > state.emitted) state.emitted = version;
    }
  }

  readScore(subjectId: string, nowMs: number): CachedScore | null {
    assertSubjectId(subjectId);
    return this.readCached(subjectId, nowMs);
  }

  readState(subjectId: string, nowMs: number): StateView {
    assertSubjectId(subjectId);
    return viewOf(subjectId, this.liveState(subjectId, nowMs) ?? emptyState());
  }

  clear(): void {
    this.states.clear();
    this.scores.clear();
  }

  private applySubject(subject: SubjectSignals, nowMs: number): ApplyResult {
    const state = this.liveState(subject.subjectId, nowMs) ?? emptyState();
    const salt = (state.salt ??= randomBytes(32).toString('hex'));
    const appliedEventIds: string[] = [];
    for (const { kind, signal } of subject.signals) {
      if (applyOne(state, kind, signal, this.options)) appliedEventIds.push(signal.eventId);
    }
    if (appliedEventIds.length > 0) {
      state.expiresAt = nowMs + this.options.stateTtlSeconds * 1000;
      rewrite(this.states, subject.subjectId, state);
    }
    // As apply-signals.lua: a version made by this call cannot have a cached score yet, so only a call
    // that applied nothing looks (a score that outlived an expired state never passes for the new one).
    const held = appliedEventIds.length === 0 ? this.readCached(subject.subjectId, nowMs) : null;
    const cached = held !== null && held.version === state.version ? held : null;
    return { ...viewOf(subject.subjectId, state), appliedEventIds, cached, salt };
  }

  /** Forgets a subject (state with salt, dedupe memory, cached score); whether anything was held. */
  erase(subjectId: string, nowMs: number): boolean {
    assertSubjectId(subjectId);
    const held = this.liveState(subjectId, nowMs) !== undefined || this.readCached(subjectId, nowMs) !== null;
    this.states.delete(subjectId);
    this.scores.delete(subjectId);
    return held;
  }

  private liveState(subjectId: string, nowMs: number): SubjectState | undefined {
    const state = this.states.get(subjectId);
    if (state === undefined || state.expiresAt > nowMs) return state;
    this.states.delete(subjectId);
    return undefined;
  }

  private readCached(subjectId: string, nowMs: number): CachedScore | null {
    const stored = this.scores.get(subjectId);
    if (stored === undefined) return null;
    if (stored.expiresAt > nowMs) return parseCachedScore(subjectId, stored.value);
    this.scores.delete(subjectId);
    return null;
  }
}

/** Creates the in-memory state store. */
export function createMemoryStore(options: MemoryStoreOptions = {}): StateStore {
  const { now = Date.now, ...tunables } = options;
  const data = new MemoryData(resolveStoreOptions(tunables));
  let closed = false;
  const open = (): number => {
    if (closed) throw new DmidError('DMID_REDIS_UNAVAILABLE', 'the in-memory state store is closed');
    return now();
  };
  return {
    applySignals: (batch) => settle(() => data.apply(batch, open())),
    saveScores: (list) => settle(() => data.save(list, open())),
    markEmitted: (entries) => settle(() => data.mark(entries, open())),
    readScore: (subjectId) => settle(() => data.readScore(subjectId, open())),
    readState: (subjectId) => settle(() => data.readState(subjectId, open())),
    eraseSubject: (subjectId) => settle(() => data.erase(subjectId, open())),
    // The twin lives and dies with its process: there is no replica to wait for and no epoch to lose.
    awaitDurable: () => settle(() => void open()),
    epochStatus: () => ({ changed: false }),
    ping: () => settle(() => void open()),
    close: () =>
      settle(() => {
        closed = true;
        data.clear();
      }),
  };
}
