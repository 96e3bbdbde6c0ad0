/**
 * Where relationships (consent or enrolment of a subject with a relying party, expiring) and webhook
 * subscriptions live. Two adapters with the same semantics: Redis (redis-access-store.ts) and the in-memory
 * twin of the embedded mode (memory-access-store.ts).
 */

export const RELATIONSHIP_KINDS = ['CONSENT', 'ENROLMENT'] as const;
export type RelationshipKind = (typeof RELATIONSHIP_KINDS)[number];

export interface Relationship {
  readonly kind: RelationshipKind;
  /** Epoch ms; the relationship is live strictly before it. */
  readonly expiresAt: number;
}

export interface Subscription {
  /** Where alerts are POSTed. */
  readonly url: string;
  /** Hex HMAC key the deliveries are signed with; shown to the client once, when it is created. */
  readonly secret: string;
}

export interface AccessStore {
  /** Registers (or replaces) the relationship of `clientId` with `subjectId`. */
  putRelationship(subjectId: string, clientId: string, relationship: Relationship): Promise<void>;
  /** Ends it; true when there was one. */
  removeRelationship(subjectId: string, clientId: string): Promise<boolean>;
  /** The relationship when it is live at `nowMs`, else null. */
  liveRelationship(subjectId: string, clientId: string, nowMs: number): Promise<Relationship | null>;
  /** Client ids with a live relationship to the subject at `nowMs`. */
  liveParties(subjectId: string, nowMs: number): Promise<string[]>;
  putSubscription(clientId: string, subscription: Subscription): Promise<void>;
  removeSubscription(clientId: string): Promise<boolean>;
  subscription(clientId: string): Promise<Subscription | null>;
  close(): Promise<void>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a stored relationship; anything else than what dmid writes is an Error (foreign data). */
export function parseRelationship(text: string): Relationship {
  const value: unknown = JSON.parse(text);
  if (
    isRecord(value) &&
    (value.kind === 'CONSENT' || value.kind === 'ENROLMENT') &&
    typeof value.expiresAt === 'number'
  ) {
    return { kind: value.kind, expiresAt: value.expiresAt };
  }
  throw new Error('access store: a stored relationship does not have the stored shape');
}

export function parseSubscription(text: string): Subscription {
  const value: unknown = JSON.parse(text);
  if (isRecord(value) && typeof value.url === 'string' && typeof value.secret === 'string') {
    return { url: value.url, secret: value.secret };
  }
  throw new Error('access store: a stored subscription does not have the stored shape');
}
