/**
 * The access log a person can ask for (PIPL art. 45, GDPR art. 15): every score read, decision,
 * relationship change and receipt read about a subject, with the party, the purpose and the outcome.
 * `dmid subject access-log SUBJECT_ID` prints it.
 *
 * Each subject's records form a hash chain: record n carries the hash of record n-1, and its own hash is
 * SHA-256 over `dmid-audit/1`, the previous hash and the record's canonical JSON. An edited, removed or
 * inserted record breaks the chain at that point ({@link verifyAuditChain}).
 *
 * Two adapters: Redis (redis-access-audit.ts) and the in-memory twin here (embedded mode, unit tests).
 */
import { hash } from 'node:crypto';
import type { AccessStore, ReceiptGrant } from '../access/access-store.js';
import { canonicalJson } from '../policy/canonical-json.js';

export const ACCESS_ACTIONS = [
  'SCORE_READ',
  'DECISION',
  'RELATIONSHIP_CREATED',
  'RELATIONSHIP_ENDED',
  'CONSENT_REVOKED',
  'RECEIPT_READ',
  /** An operator opened the subject in the console (src/console/subject-access.ts). */
  'CONSOLE_VIEW',
] as const;
export type AccessAction = (typeof ACCESS_ACTIONS)[number];

/** What happened, as the API saw it. */
export interface AccessEvent {
  readonly subjectId: string;
  /** Client id of the party, or null (the person revoking their own consent). */
  readonly party: string | null;
  readonly purpose: string | null;
  readonly action: AccessAction;
  /** `SERVED`, `REFUSED`, a decision outcome (`ALLOW`, ...), `CREATED`, `REVOKED`. */
  readonly outcome: string;
  /** The record concerned (decision id, score id, consent token id), when there is one. */
  readonly ref: string | null;
  readonly at: number;
}

export interface AuditRecord extends AccessEvent {
  /** Position in the subject's chain, from 0. */
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** The hash of a record, over everything but the hash itself. */
export function auditRecordHash(record: Omit<AuditRecord, 'hash'>): string {
  const body = canonicalJson({
    action: record.action,
    at: record.at,
    outcome: record.outcome,
    party: record.party,
    purpose: record.purpose,
    ref: record.ref,
    seq: record.seq,
    subjectId: record.subjectId,
  });
  return hash('sha256', `dmid-audit/1\n${record.prevHash}\n${body}`, 'hex');
}

/** The record that follows `previous` (null: the first of the chain). */
export function chainRecord(event: AccessEvent, previous: AuditRecord | null): AuditRecord {
  const unhashed = {
    ...event,
    seq: previous === null ? 0 : previous.seq + 1,
    prevHash: previous === null ? GENESIS_HASH : previous.hash,
  };
  return { ...unhashed, hash: auditRecordHash(unhashed) };
}

export type ChainCheck = { readonly ok: true } | { readonly ok: false; readonly brokenAt: number };

/** Checks a subject's chain from its first record: sequence, links and hashes. */
export function verifyAuditChain(records: readonly AuditRecord[]): ChainCheck {
  let prevHash = GENESIS_HASH;
  for (const [i, record] of records.entries()) {
    if (record.seq !== i || record.prevHash !== prevHash || auditRecordHash(record) !== record.hash) {
      return { ok: false, brokenAt: i };
    }
    prevHash = record.hash;
  }
  return { ok: true };
}

/**
 * With a record served to a party: the party (the event's `party`) may fetch the receipt of the record
 * (the event's `ref`) until `receiptGrantUntil`. Written with the record, in the same Redis round trip.
 */
export interface RecordOptions {
  readonly receiptGrantUntil?: number;
}

/** The grant a record carries, or null (an error when asked of an event with no party or no ref). */
export function grantOf(event: AccessEvent, options: RecordOptions | undefined): ReceiptGrant | null {
  if (options?.receiptGrantUntil === undefined) return null;
  if (event.party === null || event.ref === null) {
    throw new TypeError('audit: a receipt grant needs the event to name a party and a record');
  }
  return { recordId: event.ref, subjectId: event.subjectId, purpose: event.purpose };
}

export interface AccessAudit {
  /** Appends to the subject's chain (and writes the receipt grant, if asked); resolves once stored. */
  record(event: AccessEvent, options?: RecordOptions): Promise<void>;
  /** The subject's chain, oldest first. */
  read(subjectId: string): Promise<AuditRecord[]>;
}

/** Parses a stored record; anything else than what dmid writes is an Error (foreign data). */
export function parseAuditRecord(text: string): AuditRecord {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null) throw new Error('audit: not a stored record');
  const v = value as Record<string, unknown>;
  const textOrNull = (x: unknown): boolean => x === null || typeof x === 'string';
  const valid =
    typeof v.subjectId === 'string' &&
    textOrNull(v.party) &&
    textOrNull(v.purpose) &&
    textOrNull(v.ref) &&
    ACCESS_ACTIONS.some((a) => a === v.action) &&
    typeof v.outcome === 'string' &&
    typeof v.at === 'number' &&
    typeof v.seq === 'number' &&
    typeof v.prevHash === 'string' &&
    typeof v.hash === 'string';
  if (!valid) throw new Error('audit: a stored record does not have the stored shape');
  return value as AuditRecord;
}

/** Most subjects the in-memory twin keeps chains for (the oldest go first). */
const MAX_SUBJECTS = 100_000;

/** `grants`: where receipt grants go (the in-memory access store); without it, asking for one throws. */
export function createMemoryAccessAudit(grants?: Pick<AccessStore, 'grantReceipt'>): AccessAudit {
  const chains = new Map<string, AuditRecord[]>();
  return {
    async record(event, options) {
      const grant = grantOf(event, options);
      if (grant !== null) {
        if (grants === undefined) throw new TypeError('audit: this access log writes no receipt grants');
        await grants.grantReceipt(event.party ?? '', grant, options?.receiptGrantUntil ?? 0);
      }
      const chain = chains.get(event.subjectId) ?? [];
      chain.push(chainRecord(event, chain.at(-1) ?? null));
      chains.delete(event.subjectId);
      chains.set(event.subjectId, chain);
      for (const oldest of chains.keys()) {
        if (chains.size <= MAX_SUBJECTS) break;
        chains.delete(oldest);
      }
    },
    read: (subjectId) => Promise.resolve([...(chains.get(subjectId) ?? [])]),
  };
}
