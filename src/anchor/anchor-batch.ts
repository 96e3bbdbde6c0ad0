/**
 * Anchoring one batch of anchor events, safe to repeat after a crash at any point:
 *
 *  1. Reconcile: an anchor with a stored proof whose root is on the ledger is done already (a redelivery
 *     after a crash, or the worker producing the same anchor twice). Its receipt is produced again only
 *     if it was never sent. A stored proof whose root never reached the ledger is stale: the anchor is
 *     batched again.
 *  2. The rest become a new batch: Merkle tree over their leaves, in arrival order. The root is the batch
 *     id: it is looked up on the ledger first, so the same batch is never appended twice.
 *  3. Write-ahead: proofs are saved, then the root is appended (durably), then the batch's ledger entry
 *     is saved, the receipts produced, and the anchors marked sent. The caller commits offsets after.
 *
 * A crash between append and commit redelivers the anchors; step 1 finds their proofs, asks the ledger,
 * finds the root, and produces each missing receipt once: no anchor is lost and no batch is appended
 * twice. Only a crash after receipts were acknowledged and before they were marked sent repeats them,
 * byte for byte (a receipt is deterministic: consumers keep one per anchor id).
 */
import type { AnchorEvent } from '../codec/types.js';
import type { Ledger, LedgerRef } from './ledger/ledger.js';
import { buildMerkleTree } from './merkle-tree.js';
import { leafHashOf, leafOf, recordIdOf, type Receipt } from './receipt.js';
import { receiptOf, type AnchorRecord, type ReceiptStore, type StoredProof } from './receipt-store.js';

export interface AnchorBatchDeps {
  readonly ledger: Ledger;
  readonly store: ReceiptStore;
  /** Produces the receipts (acknowledged when it resolves). */
  readonly sendReceipts: (receipts: readonly Receipt[]) => Promise<void>;
  /** Called right after a root is on the ledger, before anything else is recorded (crash tests). */
  readonly onAppended?: (ref: LedgerRef) => Promise<void>;
}

export interface AnchorBatchResult {
  /** Anchors put in a new batch. */
  readonly batched: number;
  /** The new batch's ledger entry, when one was appended by this call. */
  readonly appended: LedgerRef | null;
  readonly receipts: number;
}

/** First occurrence of each anchor id, in order. */
function unique(anchors: readonly AnchorEvent[]): AnchorEvent[] {
  const byId = new Map<string, AnchorEvent>();
  for (const anchor of anchors) if (!byId.has(anchor.anchorId)) byId.set(anchor.anchorId, anchor);
  return [...byId.values()];
}

/** Ledger entries of the roots of stored proofs: from the store, else from the ledger (then stored). */
async function entriesOf(
  deps: AnchorBatchDeps,
  records: readonly (AnchorRecord | null)[],
): Promise<Map<string, LedgerRef>> {
  const roots = [...new Set(records.flatMap((r) => (r === null ? [] : [r.proof.root])))];
  const stored = await deps.store.readBatches(roots);
  const entries = new Map<string, LedgerRef>();
  for (const [i, root] of roots.entries()) {
    const ref = stored[i] ?? (await deps.ledger.find(root));
    if (ref === null) continue;
    if (stored[i] === null) await deps.store.saveBatch(root, ref);
    entries.set(root, ref);
  }
  return entries;
}

function proofsOf(anchors: readonly AnchorEvent[]): { root: string; proofs: StoredProof[] } {
  const leaves = anchors.map((a) => ({ ...leafOf(a), recordId: recordIdOf(a) }));
  const hashes = leaves.map((leaf) => leafHashOf(leaf));
  const tree = buildMerkleTree(hashes);
  const root = tree.root.toString('hex');
  const proofs = leaves.map((leaf, i) => ({
    leaf,
    leafHash: (hashes[i] ?? Buffer.alloc(0)).toString('hex'),
    leafIndex: i,
    root,
    size: tree.size,
    proof: tree.proof(i).map((p) => p.toString('hex')),
  }));
  return { root, proofs };
}

export async function anchorBatch(
  deps: AnchorBatchDeps,
  anchors: readonly AnchorEvent[],
): Promise<AnchorBatchResult> {
  const list = unique(anchors);
  const records = await deps.store.readAnchors(list.map((a) => a.anchorId));
  const entries = await entriesOf(deps, records);
  const receipts: Receipt[] = [];
  const fresh: AnchorEvent[] = [];
  list.forEach((anchor, i) => {
    const record = records[i] ?? null;
    const ref = record === null ? undefined : entries.get(record.proof.root);
    if (record === null || ref === undefined) fresh.push(anchor);
    else if (!record.sent) receipts.push(receiptOf(record.proof, ref));
  });
  let appended: LedgerRef | null = null;
  if (fresh.length > 0) {
    const { root, proofs } = proofsOf(fresh);
    await deps.store.saveProofs(proofs);
    let ref = await deps.ledger.find(root);
    if (ref === null) {
      ref = await deps.ledger.append({ root, size: proofs.length });
      appended = ref;
      await deps.onAppended?.(ref);
    }
    await deps.store.saveBatch(root, ref);
    for (const proof of proofs) receipts.push(receiptOf(proof, ref));
  }
  if (receipts.length > 0) {
    await deps.sendReceipts(receipts);
    await deps.store.markSent(receipts.map((r) => r.anchor.anchorId));
  }
  return { batched: fresh.length, appended, receipts: receipts.length };
}
