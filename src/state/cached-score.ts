/**
 * The stored form of a cached score, `<version>:<base64 of the score's Avro single-object record>`: the
 * very bytes produced to identity.scores (the contract schema; every number in it is a double, so a score
 * reads back unchanged). Shared by both adapters: the in-memory twin keeps the same string Redis would, so
 * a score read back from either is a fresh copy with exactly the same content.
 *
 * It replaced JSON `{"version":n,"score":{...}}`: less than half the bytes in Redis for every subject, and
 * the score is encoded once for the topic and here instead of stringified again (figures:
 * docs/benchmarks.md, "The state store's shape"). A value in the old form is still read (written before an
 * upgrade, until its TTL ends), and the Lua scripts read its version from its own prefix.
 */
import { createCodec, type Codec } from '../codec/codec.js';
import type { IdentityScore } from '../codec/types.js';
import { isDmidError } from '../errors.js';
import type { CachedScore } from './state-store.js';

let contractCodec: Codec | undefined;
/** The contract codec, made on first use. */
function codec(): Codec {
  contractCodec ??= createCodec();
  return contractCodec;
}

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

/**
 * The stored form; save-score.lua and apply-signals.lua read only the `<version>:` prefix. The score's
 * `record` is used when the caller encoded it already (the worker encodes once, for the topic and here).
 */
export function serializeCachedScore(cached: CachedScore): string {
  const bytes = cached.record ?? codec().encode('score', cached.score);
  return `${cached.version}:${bytes.toString('base64')}`;
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
 * {@link serializeCachedScore} (or the JSON form before it) writes for that subject throws an Error: it
 * is a bug or foreign data, not something to retry. The message leaves the content out.
 */
export function parseCachedScore(subjectId: string, stored: unknown): CachedScore | null {
  if (stored === null) return null;
  if (typeof stored !== 'string') throw new Error('state store: a cached score is not a string');
  const parsed = stored.startsWith('{') ? parseLegacyJson(stored) : parseRecordForm(stored);
  if (
    !Number.isSafeInteger(parsed.version) ||
    parsed.version < 1 ||
    !isIdentityScore(parsed.score) ||
    parsed.score.subjectId !== subjectId
  ) {
    throw new Error('state store: a cached score does not have the stored shape');
  }
  return { version: parsed.version, score: parsed.score };
}

function parseRecordForm(stored: string): { version: number; score: unknown } {
  const colon = stored.indexOf(':');
  if (colon < 1 || !/^\d+$/.test(stored.slice(0, colon))) {
    throw new Error('state store: a cached score does not have the stored shape');
  }
  try {
    return {
      version: Number(stored.slice(0, colon)),
      score: codec().decode('score', Buffer.from(stored.slice(colon + 1), 'base64')),
    };
  } catch (error) {
    // Without the cause: it may quote the bytes, which are a subject's score.
    // eslint-disable-next-line preserve-caught-error -- the cause would carry personal data
    if (isDmidError(error)) throw new Error('state store: a cached score is not a score record');
    throw error;
  }
}

function parseLegacyJson(stored: string): { version: number; score: unknown } {
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    // Without the cause: V8's message quotes the text, which is a subject's score.
    throw new Error('state store: a cached score is not JSON');
  }
  if (!isRecord(value) || typeof value.version !== 'number') {
    throw new Error('state store: a cached score does not have the stored shape');
  }
  return { version: value.version, score: value.score };
}
