/**
 * The state store: per subject, the evidence windows (evidence.ts), a dedupe memory of event ids, a state
 * version, and the latest score. Two adapters implement it with the same semantics: Redis (redis-store.ts,
 * Lua scripts over up to 32 subjects per call, pipelined) and the in-memory twin (memory-store.ts) of the
 * embedded mode.
 *
 * How a batch goes through it, and why it is safe to crash anywhere (at-least-once in, identical
 * duplicates at worst out):
 *  1. `applySignals`: new events go into their windows in event-time order; an event id seen before
 *     changes nothing. Each applied event raises `version` by one. Returns, per subject, the evidence and
 *     whether the current version still has to be emitted (`version > emittedVersion`), together with
 *     the cached score if one was already computed for exactly this version (a crash after step 2).
 *  2. The worker scores the subjects whose version is not emitted yet, reusing a cached score of the same
 *     version instead of computing a new one, and `saveScores` caches the new ones (with TTL), first
 *     writer wins per version: two batches that score one subject at once produce one record.
 *  3. The worker produces the scores and anchors to Kafka.
 *  4. `markEmitted` records the version as emitted. Then offsets are committed.
 * A crash before 4 redelivers the batch: step 1 changes nothing but reports the version as not emitted,
 * and the cached score of that version is produced again byte for byte (same scoreId), which consumers
 * drop as a duplicate. A crash after 4 redelivers a batch that produces nothing.
 */
import type { IdentityScore, Signal, SignalKind } from '../codec/types.js';
import type { SubjectEvidence } from './evidence.js';

/** Why a worker stopped: its store epoch is gone, another took its place, or a rebuild is running. */
export type EpochCause = 'missing' | 'changed' | 'rebuilding';

/** The verdict of the last store epoch check (src/state/store-epoch.ts). */
export type EpochStatus =
  { readonly changed: false } | { readonly changed: true; readonly cause: EpochCause };

/** One decoded, validated signal and the window it belongs to. */
export interface KindedSignal {
  readonly kind: SignalKind;
  readonly signal: Signal;
}

/** All the signals of one subject in one batch, in the order they were consumed. */
export interface SubjectSignals {
  readonly subjectId: string;
  readonly signals: readonly KindedSignal[];
}

/** A score as cached, with the state version it was computed from. */
export interface CachedScore {
  readonly version: number;
  readonly score: IdentityScore;
  /**
   * The score already encoded as a single-object record (what goes on identity.scores), when the caller
   * has it: saveScores then stores these bytes instead of encoding again. Scores read back do not carry it.
   */
  readonly record?: Buffer;
}

/** A subject's state as stored (readState). */
export interface SubjectStateView {
  readonly subjectId: string;
  /** Evidence (windows ordered by observedAt, oldest first). */
  readonly evidence: SubjectEvidence;
  /** The number of events ever applied to this subject. */
  readonly version: number;
  /** The newest version whose score was produced (0: none). */
  readonly emittedVersion: number;
  /** Id of the event that produced `version`, or null for an empty state. */
  readonly lastEventId: string | null;
  /**
   * The subject's random salt (hex, 32 bytes) for anchor commitments (src/anchor/commitment.ts), or null
   * when the subject has no state. Created with the state, kept only here, gone when the state expires:
   * from then on the subject's anchors cannot be linked to it.
   */
  readonly salt: string | null;
}

export interface ApplyResult {
  readonly subjectId: string;
  /** Evidence after this call (windows ordered by observedAt, oldest first). */
  readonly evidence: SubjectEvidence;
  /** Event ids of this call that were new, in the order given. Duplicates are left out. */
  readonly appliedEventIds: readonly string[];
  /** State version after this call: the number of events ever applied to this subject. */
  readonly version: number;
  /** The newest version whose score was produced (0: none). */
  readonly emittedVersion: number;
  /** Id of the event that produced `version` (the last one applied), or null for an empty state. */
  readonly lastEventId: string | null;
  /** The cached score when it is of exactly `version` (cached before a crash: produce it again), else null. */
  readonly cached: CachedScore | null;
  /** The subject's salt (see {@link SubjectStateView.salt}); created by the first apply. */
  readonly salt: string;
}

export interface StateStore {
  /**
   * Applies each subject's signals atomically (one subject = one atomic step). Result `i` is for input `i`.
   * Rejects with DMID_STATE_EPOCH_CHANGED when the store lost its epoch (see awaitDurable).
   */
  applySignals(batch: readonly SubjectSignals[]): Promise<ApplyResult[]>;
  /**
   * Caches scores with the version they were computed from (they expire after the configured TTL), each
   * unless a score of the same or a newer version of its subject is cached already. Returns, for each
   * input, the score to produce: its own when saved, the cached one of the same version when another
   * batch was first (both then produce the same record), or null when a newer version is cached (the
   * input is superseded and must not be produced).
   */
  saveScores(scores: readonly CachedScore[]): Promise<(CachedScore | null)[]>;
  /** Records versions as emitted; a lower version than the one recorded changes nothing. */
  markEmitted(entries: readonly { readonly subjectId: string; readonly version: number }[]): Promise<void>;
  /** The cached latest score of a subject, or null (unknown subject or expired). */
  readScore(subjectId: string): Promise<CachedScore | null>;
  /** The evidence and versions of a subject, without changing anything (tests, diagnostics). */
  readState(subjectId: string): Promise<SubjectStateView>;
  /**
   * Erases a subject: its state (with its salt), dedupe memory and cached score. From then on none of its
   * anchors can be linked to it by anyone (their subject commitments are HMACs under the deleted salt),
   * while every receipt still verifies. A later event starts a new state with a new salt. Returns whether
   * there was anything to erase.
   */
  eraseSubject(subjectId: string): Promise<boolean>;
  /**
   * Called once per unit right before its offsets are committed. Resolves when the unit's writes are as
   * durable as configured (Redis: `WAIT` for the configured replicas) and the store still carries the
   * epoch this worker started with (store-epoch.ts). Rejects with a retriable DmidError otherwise
   * (DMID_REDIS_UNAVAILABLE: too few replicas in time; DMID_STATE_EPOCH_CHANGED): the unit is then not
   * committed, and is retried.
   */
  awaitDurable(): Promise<void>;
  /** Whether the last check found the store's epoch missing or changed (for /readyz and the metric). */
  epochStatus(): EpochStatus;
  /** Resolves when the store answers; rejects with a retriable DmidError when it does not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Tunables shared by both adapters, so that they behave the same. */
export interface StateStoreOptions {
  /** How many recent event ids per subject are remembered for dedupe. Default 512. */
  readonly dedupeSize?: number;
  /** Seconds a subject's state lives after its last event. Default 180 days. */
  readonly stateTtlSeconds?: number;
  /** Seconds a cached score lives after it was written. Default 30 days. */
  readonly scoreTtlSeconds?: number;
}

export const DEFAULT_DEDUPE_SIZE = 512;
export const DEFAULT_STATE_TTL_SECONDS = 180 * 86_400;
export const DEFAULT_SCORE_TTL_SECONDS = 30 * 86_400;
