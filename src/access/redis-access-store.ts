/**
 * The access store on Redis. A subject's relationships are one hash under the subject's hash tag
 * (`<prefix>{<subjectId>}:parties`, field = client id), expiring with the last of them; subscriptions are
 * one hash of the whole deployment. Keys come from src/state/redis-keys.ts.
 */
import { hash } from 'node:crypto';
import type { RedisClient } from '../state/redis-cluster.js';
import { createPartyKeyBuilder, globalPartyKeys, receiptGrantKey } from '../state/redis-keys.js';
import { redisFailure } from '../state/redis-scripts.js';
import {
  parseReceiptGrant,
  parseRelationship,
  parseSubscription,
  receiptGrantText,
  type AccessStore,
} from './access-store.js';

export interface RedisAccessStoreOptions {
  /** A client that stays the caller's (close() leaves it open). */
  readonly redis: RedisClient;
  /** Prefix of every key. Default `dmid:`. */
  readonly keyPrefix?: string;
}

async function command<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw redisFailure(operation, error);
  }
}

export function createRedisAccessStore(options: RedisAccessStoreOptions): AccessStore {
  const { redis } = options;
  const keysOf = createPartyKeyBuilder(options.keyPrefix);
  const global = globalPartyKeys(options.keyPrefix);
  const prefix = options.keyPrefix ?? 'dmid:';
  // Token and record ids are opaque, but a key holds only fixed-alphabet text: hashed.
  const hashed = (text: string): string => hash('sha256', text, 'hex').slice(0, 32);
  const grantKey = (clientId: string, recordId: string): string =>
    receiptGrantKey(prefix, clientId, recordId);
  return {
    async putRelationship(subjectId, clientId, relationship) {
      const key = keysOf(subjectId).parties;
      const value = JSON.stringify({
        kind: relationship.kind,
        expiresAt: relationship.expiresAt,
        purpose: relationship.purpose,
        tokenId: relationship.tokenId,
      });
      // The hash lives as long as its longest relationship: NX sets a first expiry, GT only extends it.
      await command('putRelationship', () =>
        redis
          .multi()
          .hset(key, clientId, value)
          .pexpireat(key, relationship.expiresAt, 'NX')
          .pexpireat(key, relationship.expiresAt, 'GT')
          .exec(),
      );
    },
    async removeRelationship(subjectId, clientId) {
      const key = keysOf(subjectId).parties;
      return (await command('removeRelationship', () => redis.hdel(key, clientId))) > 0;
    },
    async liveRelationship(subjectId, clientId, nowMs) {
      const key = keysOf(subjectId).parties;
      const text = await command('liveRelationship', () => redis.hget(key, clientId));
      if (text === null) return null;
      const relationship = parseRelationship(text);
      return relationship.expiresAt > nowMs ? relationship : null;
    },
    async liveParties(subjectId, nowMs) {
      const key = keysOf(subjectId).parties;
      const all = await command('liveParties', () => redis.hgetall(key));
      return Object.entries(all)
        .filter(([, text]) => parseRelationship(text).expiresAt > nowMs)
        .map(([clientId]) => clientId)
        .sort();
    },
    async revokeConsent(tokenId, untilMs) {
      const key = `${prefix}consent-revoked:${hashed(tokenId)}`;
      await command('revokeConsent', () => redis.set(key, '1', 'PXAT', Math.max(untilMs, Date.now() + 1000)));
    },
    async isConsentRevoked(tokenId) {
      const key = `${prefix}consent-revoked:${hashed(tokenId)}`;
      return (await command('isConsentRevoked', () => redis.exists(key))) === 1;
    },
    async grantReceipt(clientId, grant, untilMs) {
      await command('grantReceipt', () =>
        redis.set(grantKey(clientId, grant.recordId), receiptGrantText(grant), 'PXAT', untilMs),
      );
    },
    async receiptGrant(clientId, recordId) {
      const text = await command('receiptGrant', () => redis.get(grantKey(clientId, recordId)));
      return text === null ? null : parseReceiptGrant(text);
    },
    async putSubscription(clientId, subscription) {
      const value = JSON.stringify({ url: subscription.url, secret: subscription.secret });
      await command('putSubscription', () => redis.hset(global.subscriptions, clientId, value));
    },
    async removeSubscription(clientId) {
      return (await command('removeSubscription', () => redis.hdel(global.subscriptions, clientId))) > 0;
    },
    async subscription(clientId) {
      const text = await command('subscription', () => redis.hget(global.subscriptions, clientId));
      return text === null ? null : parseSubscription(text);
    },
    close: () => Promise.resolve(),
  };
}
