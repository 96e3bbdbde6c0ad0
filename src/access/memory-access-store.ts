/** The in-memory twin of the Redis access store (embedded mode, unit tests). */
import { assertSubjectId } from '../state/subject-input.js';
import type { AccessStore, Relationship, Subscription } from './access-store.js';

export function createMemoryAccessStore(): AccessStore {
  const relationships = new Map<string, Map<string, Relationship>>();
  const subscriptions = new Map<string, Subscription>();
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
