/**
 * A ledger: where batch roots are anchored for good. Two adapters: the hash-chained file of the embedded
 * mode (file-ledger.ts) and an EVM chain contract (evm-ledger.ts). The ledger writer sees only this.
 *
 * A root is a batch's identity: the same anchors in the same order give the same root, so `append` of a
 * root already on the ledger returns the existing entry instead of anchoring the batch twice.
 */

/** Where a batch root sits in the hash-chained file ledger. */
export interface FileLedgerRef {
  readonly kind: 'file';
  /** Block number, from 0. */
  readonly height: number;
  /** The block's hash (lower-case hex SHA-256, see file-chain.ts). */
  readonly blockHash: string;
  /** When the block was written, epoch ms. */
  readonly appendedAt: number;
}

/** Where a batch root sits on an EVM chain. */
export interface EvmLedgerRef {
  readonly kind: 'evm';
  readonly chainId: number;
  /** The anchoring contract's address (0x-prefixed, checksummed). */
  readonly contract: string;
  /** The batch's number in the contract, from 0. */
  readonly height: number;
  /** The transaction that anchored the root (0x-prefixed hex). */
  readonly txHash: string;
  readonly blockNumber: number;
}

export type LedgerRef = FileLedgerRef | EvmLedgerRef;

export interface LedgerBatch {
  /** The batch's Merkle root, lower-case hex. */
  readonly root: string;
  /** Anchors in the batch (leaves of the tree). */
  readonly size: number;
}

export interface Ledger {
  readonly kind: LedgerRef['kind'];
  /** The entry of `root`, or null when the root is not on the ledger. */
  find(root: string): Promise<LedgerRef | null>;
  /** Anchors a batch root (durably: fsync, or a mined transaction); the existing entry if already there. */
  append(batch: LedgerBatch): Promise<LedgerRef>;
  close(): Promise<void>;
}

export const HEX_32 = /^[0-9a-f]{64}$/;
