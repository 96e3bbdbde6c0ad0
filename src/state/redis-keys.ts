/**
 * The one module that builds dmid's Redis keys. Every key of a subject carries the subject id as a hash tag
 * (`{…}`), so all keys of one subject live in one Redis Cluster slot and the Lua script that touches them
 * together runs unchanged on a cluster.
 *
 *   <prefix>{<subjectId>}:state   hash: the evidence windows, `ver`, `emitted`, `last`
 *   <prefix>{<subjectId>}:seen    sorted set: the dedupe memory (event ids scored by insertion number)
 *   <prefix>{<subjectId>}:score   string: the cached score, JSON `{ "version", "score" }`
 *
 * Subject ids are pseudonyms; this module refuses anything else, so a raw identifier that slipped past
 * validation can never become part of a key.
 */
import { assertSubjectId } from './subject-input.js';

/** The prefix of every key when none is configured. */
export const DEFAULT_KEY_PREFIX = 'dmid:';

/** The keys of one subject. */
export interface SubjectKeys {
  readonly state: string;
  readonly seen: string;
  readonly score: string;
}

/** Checks a key prefix: non-empty, no braces (they would change the hash tag), no whitespace. */
export function assertKeyPrefix(prefix: string): void {
  if (prefix === '' || /[{}\s]/.test(prefix)) {
    throw new TypeError('state store: keyPrefix must be non-empty, without braces or whitespace');
  }
}

/** Builds the keys of subjects under one prefix (default {@link DEFAULT_KEY_PREFIX}). */
export function createKeyBuilder(prefix: string = DEFAULT_KEY_PREFIX): (subjectId: string) => SubjectKeys {
  assertKeyPrefix(prefix);
  return (subjectId) => {
    assertSubjectId(subjectId);
    const base = `${prefix}{${subjectId}}:`;
    return { state: `${base}state`, seen: `${base}seen`, score: `${base}score` };
  };
}
