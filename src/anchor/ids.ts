/**
 * Deterministic ids: the same name always gives the same UUID. A score's id comes from its subject and
 * state version, so a score produced again after a crash is the same record, and consumers drop it as a
 * duplicate by id.
 */
import { hash } from 'node:crypto';

/**
 * An RFC 9562 version 8 (custom) UUID whose 122 free bits are the start of SHA-256(name). Version 8 says
 * "not random, not time-based" to anyone who looks.
 */
export function deterministicUuid(name: string): string {
  // The one-shot hash: about a third cheaper than createHash(), and this runs twice per score.
  const bytes = hash('sha256', name, 'buffer');
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The id of the score of `subjectId` at state `version`. */
export function scoreIdFor(subjectId: string, version: number): string {
  return deterministicUuid(`score:${subjectId}:${version}`);
}
