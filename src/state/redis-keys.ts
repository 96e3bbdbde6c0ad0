/**
 * The one module that builds dmid's Redis keys. Every key of a subject carries the subject id as a hash tag
 * (`{…}`), so all keys of one subject live in one Redis Cluster slot and the Lua script that touches them
 * together runs unchanged on a cluster.
 *
 *   <prefix>{<subjectId>}:state   hash: the evidence windows, `ver`, `emitted`, `last`
 *   <prefix>{<subjectId>}:seen    sorted set: the dedupe memory (event ids scored by insertion number)
 *   <prefix>{<subjectId>}:score   string: the cached score, `<version>:<base64 Avro record>` (cached-score.ts)
 *   <prefix>{<subjectId>}:parties hash: relying parties with a relationship, clientId -> JSON (src/access/)
 *   <prefix>{<subjectId>}:alerted string: what the alert consumer last saw of the subject (src/alerts/)
 *   <prefix>rp:subscriptions      hash: webhook subscriptions, clientId -> JSON (src/access/)
 *   <prefix>{alerts}:due          sorted set: alert deliveries by due time, ms (src/alerts/)
 *   <prefix>{alerts}:deliveries   hash: deliveryId -> JSON of a pending delivery
 *   <prefix>{alerts}:parked       hash: deliveryId -> JSON of a delivery that ran out of attempts
 *   <prefix>{epoch}               hash: the store's epoch: `id`, `decision`, `decidedAt` (store-epoch.ts)
 *   <prefix>{epoch}:log           list: every epoch decision ever recorded, JSON, newest first
 *
 * Subject ids are pseudonyms; this module refuses anything else, so a raw identifier that slipped past
 * validation can never become part of a key.
 *
 * The ledger writer's keys (src/anchor/redis-receipt-store.ts) name no subject at all:
 *   <prefix>anchor:{<anchorId>}  hash: `proof` (JSON: leaf, index, root, audit path), `sent` (receipt out)
 *   <prefix>batch:{<root>}       string: JSON of where the batch root sits on the ledger
 */
import { hash } from 'node:crypto';
import { assertSubjectId } from './subject-input.js';

/** The prefix of every key when none is configured. */
export const DEFAULT_KEY_PREFIX = 'dmid:';

/** The keys of one subject. */
export interface SubjectKeys {
  readonly state: string;
  readonly seen: string;
  readonly score: string;
}

/** Checks a key prefix: non-empty, no braces (they would change the hash tag), no whitespace. */
export function assertKeyPrefix(prefix: string): void {
  if (prefix === '' || /[{}\s]/.test(prefix)) {
    throw new TypeError('state store: keyPrefix must be non-empty, without braces or whitespace');
  }
}

/** Builds the keys of subjects under one prefix (default {@link DEFAULT_KEY_PREFIX}). */
export function createKeyBuilder(prefix: string = DEFAULT_KEY_PREFIX): (subjectId: string) => SubjectKeys {
  assertKeyPrefix(prefix);
  return (subjectId) => {
    assertSubjectId(subjectId);
    const base = `${prefix}{${subjectId}}:`;
    return { state: `${base}state`, seen: `${base}seen`, score: `${base}score` };
  };
}

/** The relying-party keys of one subject (src/access/, src/alerts/); same hash tag as its state. */
export interface PartyKeys {
  readonly parties: string;
  readonly alerted: string;
  /** The subject's access log (src/audit/redis-access-audit.ts). */
  readonly audit: string;
}

export function createPartyKeyBuilder(prefix: string = DEFAULT_KEY_PREFIX): (subjectId: string) => PartyKeys {
  assertKeyPrefix(prefix);
  return (subjectId) => {
    assertSubjectId(subjectId);
    const base = `${prefix}{${subjectId}}:`;
    return { parties: `${base}parties`, alerted: `${base}alerted`, audit: `${base}audit` };
  };
}

/** Keys that belong to no subject: webhook subscriptions and the alert delivery queue. */
export function globalPartyKeys(prefix: string = DEFAULT_KEY_PREFIX): {
  readonly subscriptions: string;
  readonly due: string;
  readonly deliveries: string;
  readonly parked: string;
} {
  assertKeyPrefix(prefix);
  return {
    subscriptions: `${prefix}rp:subscriptions`,
    due: `${prefix}{alerts}:due`,
    deliveries: `${prefix}{alerts}:deliveries`,
    parked: `${prefix}{alerts}:parked`,
  };
}

/**
 * The key of a client's grant to a record's receipt (src/access/). The receipt route knows only the client
 * and the record, so the key has no subject hash tag; ids are opaque, so they are hashed into the key.
 */
export function receiptGrantKey(prefix: string, clientId: string, recordId: string): string {
  assertKeyPrefix(prefix);
  return `${prefix}receipt-grant:${hash('sha256', `${clientId}\n${recordId}`, 'hex').slice(0, 32)}`;
}

/** The keys of the ledger writer: per anchor (a UUID) and per batch (a hex Merkle root). */
export interface AnchorKeys {
  anchor(anchorId: string): string;
  batch(root: string): string;
}

const ANCHOR_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ROOT = /^[0-9a-f]{64}$/;

export function createAnchorKeyBuilder(prefix: string = DEFAULT_KEY_PREFIX): AnchorKeys {
  assertKeyPrefix(prefix);
  return {
    anchor(anchorId) {
      if (!ANCHOR_ID.test(anchorId))
        throw new TypeError('anchor keys: an anchor id must be a lower-case UUID');
      return `${prefix}anchor:{${anchorId}}`;
    },
    batch(root) {
      if (!ROOT.test(root)) throw new TypeError('anchor keys: a batch root must be 64 lower-case hex digits');
      return `${prefix}batch:{${root}}`;
    },
  };
}

/** The keys of the store-wide epoch (store-epoch.ts); one hash tag, so one slot in Redis Cluster. */
export function epochKeys(prefix: string = DEFAULT_KEY_PREFIX): {
  readonly epoch: string;
  readonly log: string;
} {
  assertKeyPrefix(prefix);
  return { epoch: `${prefix}{epoch}`, log: `${prefix}{epoch}:log` };
}

/** Whether `key` is a subject's state, dedupe or score key under `prefix` (what a rebuild empties). */
export function isSubjectStateKey(prefix: string, key: string): boolean {
  return (
    key.startsWith(`${prefix}{`) && /\}:(state|seen|score)$/.test(key) && !key.startsWith(`${prefix}{epoch}`)
  );
}
