/**
 * Deterministic ids: the same name always gives the same UUID, so a score produced again after a crash is
 * the same record, and consumers drop it as a duplicate by id.
 *
 * Score and anchor ids are keyed with the subject's incarnation: the random per-subject salt that the
 * state store draws with a subject's first event and deletes with its state (src/state/state-store.ts).
 * Two things follow:
 *  - an id is never reused after a loss of state: a subject whose state was lost (a wiped or restarted
 *    store, an erasure) starts again at version 1 with a new salt, so its version 1 gets a new score id,
 *    never the id of the version 1 consumers already hold (they would drop the new score as a duplicate);
 *  - nobody without the salt can compute a subject's score or anchor ids from its subject id and a
 *    version, so ids do not let an outsider probe or enumerate a subject's scores.
 * Receipts stay verifiable with SHA-256 alone: a receipt's leaf carries the anchor id as a value
 * (src/anchor/receipt.ts); nobody needs to derive it again.
 */
import { createHmac, hash } from 'node:crypto';

/**
 * An RFC 9562 version 8 (custom) UUID whose 122 free bits are the start of SHA-256(name). Version 8 says
 * "not random, not time-based" to anyone who looks.
 */
export function deterministicUuid(name: string): string {
  // The one-shot hash straight to hex (about a third cheaper than createHash(), and no Buffer to slice).
  return uuidFromHex(hash('sha256', name, 'hex'));
}

/**
 * A version 8 UUID from the start of HMAC-SHA-256(key = the salt's bytes, `name`): deterministic for whoever
 * holds the salt, unpredictable for anyone else.
 */
export function keyedUuid(saltHex: string, name: string): string {
  if (!SALT.test(saltHex)) throw new TypeError('ids: a salt must be 64 lower-case hex digits');
  return uuidFromHex(createHmac('sha256', Buffer.from(saltHex, 'hex')).update(name, 'utf8').digest('hex'));
}

const SALT = /^[0-9a-f]{64}$/;

/** Hex digit 12 becomes the version nibble; digit 16 holds the variant bits. */
function uuidFromHex(hex: string): string {
  const variant = VARIANT_DIGITS[parseInt(hex.charAt(16), 16) & 0x3] ?? '8';
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The hex digit of 10xx (RFC 9562's variant) with the low two bits of the hash's digit. */
const VARIANT_DIGITS = ['8', '9', 'a', 'b'] as const;

/** The id of the score of `subjectId` at state `version` of the incarnation whose salt is `saltHex`. */
export function scoreIdFor(subjectId: string, saltHex: string, version: number): string {
  return keyedUuid(saltHex, `score:${subjectId}:${version}`);
}

/** The id of the anchor of score `scoreId`, of the subject incarnation whose salt is `saltHex`. */
export function anchorIdFor(scoreId: string, saltHex: string): string {
  return keyedUuid(saltHex, `anchor:${scoreId}`);
}
