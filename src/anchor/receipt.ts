/**
 * Receipts: the document that proves one anchored record, checkable by anyone with SHA-256 (format in
 * docs/receipt.md). A receipt carries the anchor's leaf fields, the leaf's index and hash, the audit path
 * and the batch root, and where the root sits on the ledger. Checking it:
 *   1. leaf hash = SHA-256(0x00 || leaf bytes), leaf bytes as in {@link leafBytes};
 *   2. the audit path leads from the leaf hash to the root (merkle-tree.ts, RFC 9162 2.1.3.2);
 *   3. the root is on the ledger at the place named (file-chain.ts or the EVM contract);
 *   4. optionally, the record itself hashes to `recordHash` (commitment.ts).
 */
import { z } from 'zod';
import type { AnchorEvent } from '../codec/types.js';
import { DmidError } from '../errors.js';
import type { LedgerRef } from './ledger/ledger.js';
import { leafHash, verifyInclusion } from './merkle-tree.js';

export const RECEIPT_FORMAT = 'dmid-receipt/1';
/** First line of every leaf's bytes: names the leaf layout, so a later layout cannot be confused with it. */
export const LEAF_TAG = 'dmid-anchor-leaf/1';

/** What a leaf commits to. */
export interface AnchorLeaf {
  /** The anchor's UUID. */
  readonly anchorId: string;
  /** What `recordHash` is the hash of: `SCORE` or `DECISION` (the AnchorEvent's `anchoredRecord`). */
  readonly recordType: string;
  /** Lower-case hex SHA-256 of the record's canonical bytes. */
  readonly recordHash: string;
  /** Lower-case hex HMAC-SHA-256 of the subject id under the subject's salt. */
  readonly subjectCommitment: string;
  /** When the record was computed, epoch ms. */
  readonly computedAt: number;
}

export interface Receipt {
  readonly format: typeof RECEIPT_FORMAT;
  readonly anchor: AnchorLeaf & {
    /** The record's own id (scoreId, or decisionId for a decision). Not part of the leaf. */
    readonly recordId: string;
  };
  /** Lower-case hex SHA-256(0x00 || leaf bytes). */
  readonly leafHash: string;
  readonly leafIndex: number;
  readonly batch: { readonly root: string; readonly size: number };
  /** Audit path, leaf to root, lower-case hex. */
  readonly proof: readonly string[];
  readonly ledger: LedgerRef;
}

export const hex32 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex characters');
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
export const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const leafSchema = z.strictObject({
  anchorId: uuid,
  recordType: z.string().regex(/^[A-Z_]{1,32}$/),
  recordHash: hex32,
  subjectCommitment: hex32,
  computedAt: count,
  recordId: z.string().regex(/^[0-9A-Za-z-]{1,64}$/),
});

export const ledgerSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('file'), height: count, blockHash: hex32, appendedAt: count }),
  z.strictObject({
    kind: z.literal('evm'),
    chainId: count,
    contract: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
    height: count,
    txHash: z.string().regex(/^0x[0-9a-f]{64}$/),
    blockNumber: count,
  }),
]);

const receiptSchema = z.strictObject({
  format: z.literal(RECEIPT_FORMAT),
  anchor: leafSchema,
  leafHash: hex32,
  leafIndex: count,
  batch: z.strictObject({ root: hex32, size: count.min(1) }),
  proof: z.array(hex32).max(64),
  ledger: ledgerSchema,
});

/** Checks that `value` (parsed JSON) is a receipt of this format; DMID_RECEIPT_INVALID says what is wrong. */
export function parseReceipt(value: unknown): Receipt {
  const parsed = receiptSchema.safeParse(value);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    throw new DmidError('DMID_RECEIPT_INVALID', `not a ${RECEIPT_FORMAT} receipt (check: ${where})`);
  }
  return parsed.data;
}

/** The leaf of an anchor event. An anchor without `anchoredRecord` (schema v1) anchors a score. */
export function leafOf(anchor: AnchorEvent): AnchorLeaf {
  return {
    anchorId: anchor.anchorId,
    recordType: anchor.anchoredRecord ?? 'SCORE',
    recordHash: anchor.recordHash,
    subjectCommitment: anchor.subjectCommitment,
    computedAt: anchor.computedAt,
  };
}

/** The record id a receipt names: the decision's id for a decision anchor, else the score's. */
export function recordIdOf(anchor: AnchorEvent): string {
  return anchor.anchoredRecord === 'DECISION' && anchor.decisionId ? anchor.decisionId : anchor.scoreId;
}

/**
 * The leaf bytes: UTF-8 of six lines joined by `\n` (no trailing newline):
 * `dmid-anchor-leaf/1`, anchorId, recordType, recordHash, subjectCommitment, computedAt (decimal).
 * Every field has a fixed alphabet without `\n`, so the joining is unambiguous.
 */
export function leafBytes(leaf: AnchorLeaf): Buffer {
  const fields = [LEAF_TAG, leaf.anchorId, leaf.recordType, leaf.recordHash, leaf.subjectCommitment];
  return Buffer.from([...fields, String(leaf.computedAt)].join('\n'), 'utf8');
}

export function leafHashOf(leaf: AnchorLeaf): Buffer {
  return leafHash(leafBytes(leaf));
}

/** One problem found in a receipt (a stable code and a line for people). */
export interface ReceiptProblem {
  readonly code: 'LEAF_MISMATCH' | 'PROOF_INVALID' | 'RECORD_MISMATCH' | 'ROOT_NOT_ON_LEDGER';
  readonly message: string;
}

/** Steps 1 and 2: the leaf hash recomputes and the proof leads to the root. Empty when both hold. */
export function checkReceiptProof(receipt: Receipt): ReceiptProblem[] {
  const problems: ReceiptProblem[] = [];
  const leaf = leafHashOf(receipt.anchor);
  if (leaf.toString('hex') !== receipt.leafHash) {
    problems.push({ code: 'LEAF_MISMATCH', message: 'the leaf hash does not match the anchor fields' });
  }
  const ok = verifyInclusion(
    leaf,
    receipt.leafIndex,
    receipt.batch.size,
    receipt.proof.map((p) => Buffer.from(p, 'hex')),
    Buffer.from(receipt.batch.root, 'hex'),
  );
  if (!ok) problems.push({ code: 'PROOF_INVALID', message: 'the proof does not lead to the batch root' });
  return problems;
}
