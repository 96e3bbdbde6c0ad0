/**
 * The stored form of a cached score, JSON `{ "version": n, "score": IdentityScore }`, shared by both
 * adapters: the in-memory twin keeps the same string Redis would, so a score read back from either is a
 * fresh copy with exactly the same content.
 */
import type { IdentityScore } from '../codec/types.js';
import type { CachedScore } from './state-store.js';

/**
 * What saving `mine` came to, given the score cached after the save (see StateStore.saveScores): the
 * cached one when it is of the same version (another batch may have been first), null when it is newer.
 */
export function winner(mine: CachedScore, cachedAfter: CachedScore | null): CachedScore | null {
  if (cachedAfter === null) throw new Error('state store: no score cached after saving one');
  if (cachedAfter.version > mine.version) return null;
  if (cachedAfter.version < mine.version) throw new Error('state store: an older score survived a save');
  return cachedAfter;
}

/** The stored form; save-score.lua relies on it starting with `{"version":<n>,`. */
export function serializeCachedScore(cached: CachedScore): string {
  return JSON.stringify({ version: cached.version, score: cached.score });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A shallow check of the fields the pipeline reads. The score was written by dmid from a typed value, so a
 * deep schema check would only re-prove that; the check catches a key overwritten by something else.
 */
function isIdentityScore(value: unknown): value is IdentityScore {
  return (
    isRecord(value) &&
    typeof value.scoreId === 'string' &&
    typeof value.subjectId === 'string' &&
    typeof value.computedAt === 'number' &&
    typeof value.confidence === 'number' &&
    typeof value.assuranceLevel === 'string' &&
    Array.isArray(value.dimensions) &&
    Array.isArray(value.reasons) &&
    typeof value.modelVersion === 'string' &&
    typeof value.triggerEventId === 'string'
  );
}

/**
 * Parses a stored score of `subjectId`; null stays null. Anything else than what
 * {@link serializeCachedScore} writes for that subject throws an Error: it is a bug or foreign data, not
 * something to retry. The message leaves the content out.
 */
export function parseCachedScore(subjectId: string, stored: unknown): CachedScore | null {
  if (stored === null) return null;
  if (typeof stored !== 'string') throw new Error('state store: a cached score is not a string');
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    // Without the cause: V8's message quotes the text, which is a subject's score.
    throw new Error('state store: a cached score is not JSON');
  }
  if (
    !isRecord(value) ||
    typeof value.version !== 'number' ||
    !Number.isSafeInteger(value.version) ||
    value.version < 1 ||
    !isIdentityScore(value.score) ||
    value.score.subjectId !== subjectId
  ) {
    throw new Error('state store: a cached score does not have the stored shape');
  }
  return { version: value.version, score: value.score };
}
