/**
 * Checks on what the worker hands the state store, shared by both adapters so that a bad call fails the
 * same way in the embedded mode as in production. Ingest has validated every record already; anything
 * caught here is a bug upstream, hence TypeErrors (never retried), with values left out of the messages.
 */
import { isWellFormedSubjectId } from '../privacy/pseudonymize.js';
import { isUuid } from '../privacy/uuid.js';
import type { CachedScore, SubjectSignals } from './state-store.js';

/** Throws a TypeError unless `subjectId` is a well-formed pseudonym (32 characters of `[a-z2-7]`). */
export function assertSubjectId(subjectId: string): void {
  if (!isWellFormedSubjectId(subjectId)) {
    throw new TypeError('state store: a subject id is not a well-formed pseudonym (value withheld)');
  }
}

/**
 * Throws a TypeError unless every signal belongs to the subject, has a UUID event id (the contract's; the
 * Lua script finds window entries by a `["<eventId>",` prefix, which a quote in an id would break) and a
 * whole-millisecond `observedAt` (the script reads it as a Lua number, exact for safe integers).
 */
export function assertSubjectSignals(subject: SubjectSignals): void {
  assertSubjectId(subject.subjectId);
  for (const { signal } of subject.signals) {
    if (signal.subjectId !== subject.subjectId) {
      throw new TypeError('state store: a signal was grouped under another subject');
    }
    if (typeof signal.eventId !== 'string' || !isUuid(signal.eventId)) {
      throw new TypeError('state store: a signal has an event id that is not a UUID');
    }
    if (!Number.isSafeInteger(signal.observedAt) || signal.observedAt < 0) {
      throw new TypeError('state store: a signal has an observedAt that is not whole milliseconds');
    }
  }
}

/** Throws a TypeError for a version that is not a positive integer. */
export function assertVersion(version: number): void {
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new TypeError('state store: a version must be a positive integer');
  }
}

/** Throws a TypeError unless `cached` is a score of a well-formed subject with a positive version. */
export function assertCachedScore(cached: CachedScore): void {
  assertSubjectId(cached.score.subjectId);
  assertVersion(cached.version);
}
