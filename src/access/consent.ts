/**
 * Relationships only from proof. A party gets a relationship with a subject in one of two ways, never from
 * its own word:
 * - a consent token (consent-token.ts) signed by a configured enrolment authority, for this party, with a
 *   purpose the party may use, not expired and not revoked: a `CONSENT` relationship until the token's
 *   expiry, bound to its purpose and token id;
 * - in person: a fresh live biometric capture of the subject (matched, live, no presentation attack) at
 *   one of the party's capture points (`capturePoints` in the clients file), observed within the capture
 *   window: an `ENROLMENT` relationship for the configured hours, for the purpose the party names.
 * Anything else is refused, and the API answers it exactly like an unknown subject.
 */
import type { BiometricSignal } from '../codec/types.js';
import type { StateStore } from '../state/state-store.js';
import type { AccessStore, Relationship } from './access-store.js';
import type { Client } from './clients.js';
import type { ConsentClaims, ConsentVerifier } from './consent-token.js';

/** What a capture must show to count as the person being there: matched, live, not an attack. */
export const MIN_CAPTURE_MATCH = 0.8;
export const MIN_CAPTURE_LIVENESS = 0.8;

export interface ConsentDeps {
  readonly verifier: ConsentVerifier;
  readonly access: Pick<AccessStore, 'putRelationship' | 'isConsentRevoked' | 'removeRelationship'>;
  readonly store: Pick<StateStore, 'readState'>;
  readonly captureWindowMs: number;
  readonly inPersonRelationshipMs: number;
}

export type Proven =
  | { readonly ok: true; readonly subjectId: string; readonly relationship: Relationship }
  | { readonly ok: false };

const REFUSED: Proven = { ok: false };

/** The purpose of the console's support desk (docs/console.md): a subject opened one at a time. */
export const SUPPORT_PURPOSE = 'console.support';

/** Purposes a person may consent to for `client`: its policies, and the support desk's for its operators. */
export function mayHavePurpose(client: Client, purpose: string): boolean {
  return (
    client.policies.includes(purpose) ||
    (purpose === SUPPORT_PURPOSE && (client.operator ?? []).includes('support'))
  );
}

/** A `CONSENT` relationship from a token presented by `client`; stored when the proof holds. */
export async function relateByToken(
  deps: ConsentDeps,
  client: Client,
  token: string,
  nowMs: number,
): Promise<Proven> {
  const checked = deps.verifier.check(token, nowMs);
  if (!checked.ok) return REFUSED;
  const claims: ConsentClaims = checked.claims;
  if (claims.party !== client.id || !mayHavePurpose(client, claims.purpose)) return REFUSED;
  if (await deps.access.isConsentRevoked(claims.tid)) return REFUSED;
  const relationship: Relationship = {
    kind: 'CONSENT',
    expiresAt: claims.exp,
    purpose: claims.purpose,
    tokenId: claims.tid,
  };
  await deps.access.putRelationship(claims.sub, client.id, relationship);
  // A revocation that landed between the check and the write wins.
  if (await deps.access.isConsentRevoked(claims.tid)) {
    await deps.access.removeRelationship(claims.sub, client.id);
    return REFUSED;
  }
  return { ok: true, subjectId: claims.sub, relationship };
}

/** Whether `signal` is a fresh live capture at one of the client's capture points. */
export function isProvingCapture(
  signal: BiometricSignal,
  client: Client,
  nowMs: number,
  windowMs: number,
): boolean {
  return (
    client.capturePoints.includes(signal.providerId) &&
    signal.observedAt <= nowMs &&
    nowMs - signal.observedAt <= windowMs &&
    !signal.presentationAttack &&
    signal.matchScore >= MIN_CAPTURE_MATCH &&
    signal.livenessScore >= MIN_CAPTURE_LIVENESS
  );
}

/** An `ENROLMENT` relationship proven by a capture in person; stored when the proof holds. */
export async function relateInPerson(
  deps: ConsentDeps,
  client: Client,
  subjectId: string,
  purpose: string,
  nowMs: number,
): Promise<Proven> {
  // Checked before anything about the subject is read: a party without capture points learns nothing.
  if (client.capturePoints.length === 0 || !mayHavePurpose(client, purpose)) return REFUSED;
  const state = await deps.store.readState(subjectId);
  const proven = state.evidence.biometric.some((s) =>
    isProvingCapture(s, client, nowMs, deps.captureWindowMs),
  );
  if (!proven) return REFUSED;
  const relationship: Relationship = {
    kind: 'ENROLMENT',
    expiresAt: nowMs + deps.inPersonRelationshipMs,
    purpose,
    tokenId: null,
  };
  await deps.access.putRelationship(subjectId, client.id, relationship);
  return { ok: true, subjectId, relationship };
}
