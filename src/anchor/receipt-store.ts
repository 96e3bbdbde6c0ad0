/**
 * Where the ledger writer keeps what receipts are made of: per anchor, its leaf and inclusion proof and
 * whether its receipt went out; per batch root, where the root sits on the ledger. Two adapters: Redis
 * (redis-receipt-store.ts) and this in-memory twin for the embedded mode.
 *
 * The writer's protocol (ledger-writer.ts): proofs are saved *before* the root is appended (a write-ahead
 * record: after a crash, an anchor that comes again is looked up here, and the ledger says whether its
 * batch made it), the batch entry after the append, `sent` after the receipts were produced.
 */
import type { LedgerRef } from './ledger/ledger.js';
import { RECEIPT_FORMAT, type AnchorLeaf, type Receipt } from './receipt.js';

/** An anchor's place in its batch. */
export interface StoredProof {
  readonly leaf: AnchorLeaf & { readonly recordId: string };
  readonly leafHash: string;
  readonly leafIndex: number;
  readonly root: string;
  readonly size: number;
  readonly proof: readonly string[];
}

export interface AnchorRecord {
  readonly proof: StoredProof;
  /** Its receipt was produced. */
  readonly sent: boolean;
}

export interface ReceiptStore {
  /** Result `i` is for `anchorIds[i]`: null for an anchor never batched. */
  readAnchors(anchorIds: readonly string[]): Promise<(AnchorRecord | null)[]>;
  /** Saves (or replaces) the proofs of a batch about to be appended; clears their `sent`. */
  saveProofs(proofs: readonly StoredProof[]): Promise<void>;
  markSent(anchorIds: readonly string[]): Promise<void>;
  /** Result `i` is for `roots[i]`: null when the batch is not known to be on the ledger. */
  readBatches(roots: readonly string[]): Promise<(LedgerRef | null)[]>;
  saveBatch(root: string, ref: LedgerRef): Promise<void>;
  /** The receipt of an anchor, or null when it is unknown or its batch is not on the ledger yet. */
  readReceipt(anchorId: string): Promise<Receipt | null>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Default life of receipts and proofs in the store, seconds (the receipt topic keeps them as well). */
export const DEFAULT_RECEIPT_TTL_SECONDS = 400 * 86_400;

export function receiptOf(proof: StoredProof, ledger: LedgerRef): Receipt {
  return {
    format: RECEIPT_FORMAT,
    anchor: proof.leaf,
    leafHash: proof.leafHash,
    leafIndex: proof.leafIndex,
    batch: { root: proof.root, size: proof.size },
    proof: proof.proof,
    ledger,
  };
}

export interface MemoryReceiptStoreOptions {
  /** Clock, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
  /** Life of entries, seconds. Default {@link DEFAULT_RECEIPT_TTL_SECONDS}. */
  readonly ttlSeconds?: number;
  /**
   * Most anchors (and batches) held; the oldest go first. Default {@link DEFAULT_MEMORY_RECEIPTS}: the
   * embedded mode runs for days, and its memory must stay bounded like its in-process log's.
   */
  readonly maxEntries?: number;
}

/** Default most anchors the in-memory store holds (about 1 KB each). */
export const DEFAULT_MEMORY_RECEIPTS = 200_000;

/** Sets `key`, then drops the oldest entries beyond `max` (a Map iterates in insertion order). */
function setBounded<T>(map: Map<string, T>, key: string, value: T, max: number): void {
  map.set(key, value);
  for (const oldest of map.keys()) {
    if (map.size <= max) break;
    map.delete(oldest);
  }
}

interface Expiring<T> {
  readonly value: T;
  readonly expiresAt: number;
}

export function createMemoryReceiptStore(options: MemoryReceiptStoreOptions = {}): ReceiptStore {
  const now = options.now ?? Date.now;
  const ttlMs = (options.ttlSeconds ?? DEFAULT_RECEIPT_TTL_SECONDS) * 1000;
  const max = options.maxEntries ?? DEFAULT_MEMORY_RECEIPTS;
  const anchors = new Map<string, Expiring<AnchorRecord>>();
  const batches = new Map<string, Expiring<LedgerRef>>();
  const live = <T>(map: Map<string, Expiring<T>>, key: string): T | null => {
    const entry = map.get(key);
    if (entry === undefined) return null;
    if (entry.expiresAt > now()) return entry.value;
    map.delete(key);
    return null;
  };
  return {
    readAnchors: (ids) => Promise.resolve(ids.map((id) => live(anchors, id))),
    saveProofs(proofs) {
      for (const proof of proofs) {
        setBounded(
          anchors,
          proof.leaf.anchorId,
          { value: { proof, sent: false }, expiresAt: now() + ttlMs },
          max,
        );
      }
      return Promise.resolve();
    },
    markSent(ids) {
      for (const id of ids) {
        const record = live(anchors, id);
        if (record !== null) anchors.set(id, { value: { ...record, sent: true }, expiresAt: now() + ttlMs });
      }
      return Promise.resolve();
    },
    readBatches: (roots) => Promise.resolve(roots.map((root) => live(batches, root))),
    saveBatch(root, ref) {
      setBounded(batches, root, { value: ref, expiresAt: now() + ttlMs }, max);
      return Promise.resolve();
    },
    readReceipt(anchorId) {
      const record = live(anchors, anchorId);
      const ledger = record === null ? null : live(batches, record.proof.root);
      return Promise.resolve(record === null || ledger === null ? null : receiptOf(record.proof, ledger));
    },
    ping: () => Promise.resolve(),
    close() {
      anchors.clear();
      batches.clear();
      return Promise.resolve();
    },
  };
}
