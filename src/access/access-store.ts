/**
 * Where relationships (consent or enrolment of a subject with a relying party, expiring) and webhook
 * subscriptions live. Two adapters with the same semantics: Redis (redis-access-store.ts) and the in-memory
 * twin of the embedded mode (memory-access-store.ts).
 */

export const RELATIONSHIP_KINDS = ['CONSENT', 'ENROLMENT'] as const;
export type RelationshipKind = (typeof RELATIONSHIP_KINDS)[number];

/**
 * A relationship exists only from a proof (src/access/consent.ts): a consent token (`CONSENT`, with the
 * token's id so the person can revoke it) or a fresh live capture at one of the party's capture points
 * (`ENROLMENT`, in person).
 */
export interface Relationship {
  readonly kind: RelationshipKind;
  /** Epoch ms; the relationship is live strictly before it. */
  readonly expiresAt: number;
  /** What the person agreed to: a policy id of the party (null only for relationships stored before). */
  readonly purpose: string | null;
  /** The consent token's id (`CONSENT`), else null. */
  readonly tokenId: string | null;
}

export interface Subscription {
  /** Where alerts are POSTed. */
  readonly url: string;
  /** Hex HMAC key the deliveries are signed with; shown to the client once, when it is created. */
  readonly secret: string;
}

/** A party's right to the receipt of a record it received; names the subject for its access log. */
export interface ReceiptGrant {
  readonly recordId: string;
  readonly subjectId: string;
  readonly purpose: string | null;
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
  /** Marks a consent token revoked until `untilMs` (its expiry): it cannot make a relationship again. */
  revokeConsent(tokenId: string, untilMs: number): Promise<void>;
  isConsentRevoked(tokenId: string): Promise<boolean>;
  /**
   * Entitles a client to the receipts of records it received (decision and score ids) until `untilMs`:
   * a receipt is served only to a party that got the record it proves.
   */
  grantReceipt(clientId: string, grant: ReceiptGrant, untilMs: number): Promise<void>;
  /** The grant of `recordId` to `clientId`, or null. */
  receiptGrant(clientId: string, recordId: string): Promise<ReceiptGrant | null>;
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
    const text = (field: unknown): string | null => (typeof field === 'string' ? field : null);
    return {
      kind: value.kind,
      expiresAt: value.expiresAt,
      purpose: text(value.purpose),
      tokenId: text(value.tokenId),
    };
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

/** A grant as stored (the Redis store and the access log's grant-with-record write it). */
export function receiptGrantText(grant: ReceiptGrant): string {
  return JSON.stringify({ recordId: grant.recordId, subjectId: grant.subjectId, purpose: grant.purpose });
}

export function parseReceiptGrant(text: string): ReceiptGrant {
  const value: unknown = JSON.parse(text);
  if (
    isRecord(value) &&
    typeof value.recordId === 'string' &&
    typeof value.subjectId === 'string' &&
    (value.purpose === null || typeof value.purpose === 'string')
  ) {
    return { recordId: value.recordId, subjectId: value.subjectId, purpose: value.purpose };
  }
  throw new Error('access store: a stored receipt grant does not have the stored shape');
}
