/**
 * Checking a receipt end to end, as `dmid receipt verify` does on any machine: the record (when given)
 * hashes to the anchor's recordHash, the leaf hash recomputes, the proof leads to the root, and the root
 * is on the ledger at the place the receipt names, with the batch size it states. Needs only the receipt,
 * the ledger (the file, or read access to the chain) and optionally the record.
 */
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { walkChain } from './ledger/file-chain.js';
import { openEvmLedger } from './ledger/evm-ledger.js';
import { checkReceiptProof, type Receipt, type ReceiptProblem } from './receipt.js';

export type LedgerSource =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'evm'; readonly rpcUrl: string; readonly contract?: string };

/** Where the root was found, or the problem. */
async function checkFileLedger(receipt: Receipt, path: string): Promise<ReceiptProblem[]> {
  const notOnLedger = (message: string): ReceiptProblem[] => [{ code: 'ROOT_NOT_ON_LEDGER', message }];
  if (receipt.ledger.kind !== 'file')
    return notOnLedger('the receipt names an EVM ledger, not a ledger file');
  const walk = walkChain(await readFile(path, 'utf8'));
  if (walk.break !== null) {
    return notOnLedger(`the ledger file is broken at line ${walk.break.line}: ${walk.break.message}`);
  }
  const block = walk.blocks[receipt.ledger.height];
  if (block === undefined) return notOnLedger(`the ledger file has no block ${receipt.ledger.height}`);
  if (block.root !== receipt.batch.root) return notOnLedger(`block ${block.height} holds another root`);
  if (block.hash !== receipt.ledger.blockHash) return notOnLedger(`block ${block.height} has another hash`);
  if (block.count !== receipt.batch.size) return notOnLedger(`block ${block.height} has another batch size`);
  return [];
}

async function checkEvmLedger(
  receipt: Receipt,
  source: Extract<LedgerSource, { kind: 'evm' }>,
): Promise<ReceiptProblem[]> {
  const notOnLedger = (message: string): ReceiptProblem[] => [{ code: 'ROOT_NOT_ON_LEDGER', message }];
  if (receipt.ledger.kind !== 'evm') return notOnLedger('the receipt names a ledger file, not an EVM chain');
  const contract = source.contract ?? receipt.ledger.contract;
  if (contract.toLowerCase() !== receipt.ledger.contract.toLowerCase()) {
    return notOnLedger('the receipt names another contract');
  }
  const ledger = await openEvmLedger({ rpcUrl: source.rpcUrl, chainId: receipt.ledger.chainId, contract });
  try {
    const found = await ledger.lookup(receipt.batch.root);
    if (found === null) return notOnLedger('the contract has no such root');
    if (found.height !== receipt.ledger.height)
      return notOnLedger('the contract holds the root at another height');
    if (found.size !== receipt.batch.size) return notOnLedger('the contract holds another batch size');
    if (found.txHash !== receipt.ledger.txHash)
      return notOnLedger('the root was anchored by another transaction');
    return [];
  } finally {
    await ledger.close();
  }
}

export interface ReceiptCheckOptions {
  /** SHA-256 of the record's canonical bytes, when the record is given. */
  readonly recordHash?: string;
  /** Where to look the root up; without it the ledger step is skipped (reported as not checked). */
  readonly ledger?: LedgerSource;
}

export interface ReceiptCheck {
  readonly problems: readonly ReceiptProblem[];
  readonly ledgerChecked: boolean;
  readonly recordChecked: boolean;
}

export async function verifyReceipt(receipt: Receipt, options: ReceiptCheckOptions): Promise<ReceiptCheck> {
  const problems = [...checkReceiptProof(receipt)];
  if (options.recordHash !== undefined && options.recordHash !== receipt.anchor.recordHash) {
    problems.push({
      code: 'RECORD_MISMATCH',
      message: "the record does not hash to the anchor's recordHash",
    });
  }
  if (options.ledger?.kind === 'file')
    problems.push(...(await checkFileLedger(receipt, options.ledger.path)));
  if (options.ledger?.kind === 'evm') problems.push(...(await checkEvmLedger(receipt, options.ledger)));
  return {
    problems,
    ledgerChecked: options.ledger !== undefined,
    recordChecked: options.recordHash !== undefined,
  };
}

/** SHA-256 hex of bytes (a record's canonical bytes). */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
