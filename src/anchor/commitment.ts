/**
 * Hash commitments for the ledger: an AnchorEvent says "this exact score record existed" without saying
 * whose it is.
 *
 * - `recordHash` = SHA-256 of the score record's canonical bytes: the Avro binary body of the IdentityScore
 *   under the contract schema (schemas/identity-score.avsc), without the single-object header. Avro binary
 *   is deterministic for a given schema and value (fields in schema order, no padding, zig-zag varints), so
 *   anyone with the schema and the record can recompute it.
 * - `subjectCommitment` = HMAC-SHA-256 of the subject id under a random per-subject salt that only the
 *   state store holds. Without the salt, no list of candidate subject ids can be tested against it; after
 *   the salt is deleted, the subject's anchors cannot be linked to it by anyone (erasure).
 */
import { createHash, createHmac, hash } from 'node:crypto';
import type { Codec } from '../codec/codec.js';
import type { AnchorEvent, IdentityScore } from '../codec/types.js';
import { HEADER_LENGTH } from '../codec/single-object-framing.js';
import { anchorIdFor } from './ids.js';

/** The canonical bytes of a score record: its Avro body under the contract schema. */
export function canonicalScoreBytes(codec: Codec, score: IdentityScore): Buffer {
  return codec.encode('score', score).subarray(HEADER_LENGTH);
}

export function recordHash(codec: Codec, score: IdentityScore): string {
  return createHash('sha256').update(canonicalScoreBytes(codec, score)).digest('hex');
}

/** The record hash from a score already encoded as a single-object record (what goes on the topic). */
export function framedRecordHash(framedScore: Uint8Array): string {
  return hash('sha256', framedScore.subarray(HEADER_LENGTH), 'hex');
}

export function subjectCommitment(saltHex: string, subjectId: string): string {
  return createHmac('sha256', Buffer.from(saltHex, 'hex')).update(subjectId, 'utf8').digest('hex');
}

/**
 * The anchor of a score, given the score's encoded record (so the hash covers exactly the bytes produced,
 * and the score is not encoded twice). Its id is derived from the score id under the subject's salt
 * (ids.ts), so a re-emitted score re-emits the same anchor, and no outsider can compute it.
 */
export function anchorFor(score: IdentityScore, framedScore: Uint8Array, saltHex: string): AnchorEvent {
  return {
    anchorId: anchorIdFor(score.scoreId, saltHex),
    scoreId: score.scoreId,
    recordHash: framedRecordHash(framedScore),
    subjectCommitment: subjectCommitment(saltHex, score.subjectId),
    computedAt: score.computedAt,
    modelVersion: score.modelVersion,
  };
}
