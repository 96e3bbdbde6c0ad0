/** The in-memory twin of the Redis access store (embedded mode, unit tests). */
import { assertSubjectId } from '../state/subject-input.js';
import type { AccessStore, ReceiptGrant, Relationship, Subscription } from './access-store.js';

/** Most revocations and receipt grants held (the embedded mode runs for days in bounded memory). */
const MAX_ENTRIES = 200_000;

export function createMemoryAccessStore(): AccessStore {
  const relationships = new Map<string, Map<string, Relationship>>();
  const subscriptions = new Map<string, Subscription>();
  // Bounded like the other in-memory twins: the oldest entries go first.
  const revoked = new Map<string, number>();
  const grants = new Map<string, { value: ReceiptGrant; until: number }>();
  const setBounded = <T>(map: Map<string, T>, key: string, value: T): void => {
    map.delete(key);
    map.set(key, value);
    for (const oldest of map.keys()) {
      if (map.size <= MAX_ENTRIES) break;
      map.delete(oldest);
    }
  };
  const partiesOf = (subjectId: string): Map<string, Relationship> => {
    assertSubjectId(subjectId);
    let parties = relationships.get(subjectId);
    if (parties === undefined) {
      parties = new Map();
      relationships.set(subjectId, parties);
    }
    return parties;
  };
  return {
    putRelationship(subjectId, clientId, relationship) {
      partiesOf(subjectId).set(clientId, { ...relationship });
      return Promise.resolve();
    },
    removeRelationship(subjectId, clientId) {
      return Promise.resolve(partiesOf(subjectId).delete(clientId));
    },
    liveRelationship(subjectId, clientId, nowMs) {
      const found = partiesOf(subjectId).get(clientId);
      return Promise.resolve(found !== undefined && found.expiresAt > nowMs ? { ...found } : null);
    },
    liveParties(subjectId, nowMs) {
      const parties = partiesOf(subjectId);
      for (const [clientId, r] of parties) if (r.expiresAt <= nowMs) parties.delete(clientId);
      return Promise.resolve([...parties.keys()].sort());
    },
    revokeConsent(tokenId, untilMs) {
      setBounded(revoked, tokenId, untilMs);
      return Promise.resolve();
    },
    isConsentRevoked(tokenId) {
      return Promise.resolve((revoked.get(tokenId) ?? 0) > Date.now());
    },
    grantReceipt(clientId, grant, untilMs) {
      setBounded(grants, `${clientId}\n${grant.recordId}`, { value: { ...grant }, until: untilMs });
      return Promise.resolve();
    },
    receiptGrant(clientId, recordId) {
      const found = grants.get(`${clientId}\n${recordId}`);
      return Promise.resolve(found !== undefined && found.until > Date.now() ? { ...found.value } : null);
    },
    putSubscription(clientId, subscription) {
      subscriptions.set(clientId, { ...subscription });
      return Promise.resolve();
    },
    removeSubscription(clientId) {
      return Promise.resolve(subscriptions.delete(clientId));
    },
    subscription(clientId) {
      const found = subscriptions.get(clientId);
      return Promise.resolve(found === undefined ? null : { ...found });
    },
    close: () => Promise.resolve(),
  };
}
