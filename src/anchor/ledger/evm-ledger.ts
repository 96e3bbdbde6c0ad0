/**
 * The EVM ledger: batch roots anchored in the DmidAnchor contract (dmid-anchor.sol) over JSON-RPC, with
 * ethers. `append` sends `anchor(root, size)` and waits for the transaction to be mined; `find` reads
 * `batches(root)` and the `BatchAnchored` event (for the transaction hash and block of the receipt).
 *
 * The chain id is fixed from configuration and checked against the node at open, so a receipt can never
 * name a chain other than the one written to. Node failures (unreachable, timeouts) are
 * DMID_LEDGER_UNAVAILABLE and retried by the writer; a revert, a wrong chain, a missing contract or a
 * signer that is not the contract's writer are DMID_LEDGER_REJECTED.
 */
import {
  Contract,
  ContractFactory,
  JsonRpcProvider,
  Network,
  Wallet,
  isError,
  type EventLog,
  type TransactionReceipt,
} from 'ethers';
import { DmidError } from '../../errors.js';
import { DMID_ANCHOR_ABI, DMID_ANCHOR_BYTECODE } from './dmid-anchor-artifact.js';
import { HEX_32, type EvmLedgerRef, type Ledger, type LedgerBatch } from './ledger.js';

export interface EvmConnectionOptions {
  readonly rpcUrl: string;
  readonly chainId: number;
}

export interface EvmLedgerOptions extends EvmConnectionOptions {
  /** The DmidAnchor contract's address. */
  readonly contract: string;
  /** The writer's private key (hex). Without one the ledger is read-only (receipt checks). */
  readonly keyHex?: string;
}

export interface EvmLedger extends Ledger {
  readonly kind: 'evm';
  /** The entry of `root` with the batch size the contract recorded, or null. */
  lookup(root: string): Promise<(EvmLedgerRef & { readonly size: number }) | null>;
}

/** Turns an ethers failure into the error dmid reports: retriable when the node may come back. */
function ledgerFailure(action: string, error: unknown): DmidError {
  if (error instanceof DmidError) return error;
  const retriable =
    isError(error, 'NETWORK_ERROR') ||
    isError(error, 'TIMEOUT') ||
    isError(error, 'SERVER_ERROR') ||
    (error instanceof Error && /ECONNREFUSED|ECONNRESET|fetch failed/.test(error.message));
  const code = retriable ? 'DMID_LEDGER_UNAVAILABLE' : 'DMID_LEDGER_REJECTED';
  const kind = isError(error, 'CALL_EXCEPTION') ? 'reverted' : 'failed';
  return new DmidError(code, `EVM ledger: ${action} ${kind}`, { cause: error });
}

async function evm<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw ledgerFailure(action, error);
  }
}

/** A provider pinned to the configured chain (no network detection), checked against the node. */
export async function connectEvm(options: EvmConnectionOptions): Promise<JsonRpcProvider> {
  const provider = new JsonRpcProvider(options.rpcUrl, Network.from(options.chainId), {
    staticNetwork: true,
  });
  const reported = await evm('eth_chainId', () => provider.send('eth_chainId', []) as Promise<string>);
  if (Number(BigInt(reported)) !== options.chainId) {
    provider.destroy();
    throw new DmidError(
      'DMID_LEDGER_REJECTED',
      `EVM ledger: the node is on chain ${BigInt(reported)}, not ${options.chainId}`,
    );
  }
  return provider;
}

/** Deploys the DmidAnchor contract with `keyHex` as its writer; returns its address. */
export async function deployDmidAnchor(options: EvmConnectionOptions & { keyHex: string }): Promise<string> {
  const provider = await connectEvm(options);
  try {
    const wallet = new Wallet(options.keyHex, provider);
    const factory = new ContractFactory(DMID_ANCHOR_ABI, DMID_ANCHOR_BYTECODE, wallet);
    const contract = await evm('deploy', async () => (await factory.deploy()).waitForDeployment());
    return await contract.getAddress();
  } finally {
    provider.destroy();
  }
}

interface Chain {
  readonly chainId: number;
  readonly address: string;
  readonly contract: Contract;
}

/** Refuses an address without code, or a signer that is not the contract's writer. */
async function checkContract(
  provider: JsonRpcProvider,
  chain: Chain,
  wallet: Wallet | undefined,
): Promise<void> {
  const code = await evm('getCode', () => provider.getCode(chain.address));
  if (code === '0x') {
    throw new DmidError('DMID_LEDGER_REJECTED', 'EVM ledger: no contract at the configured address');
  }
  if (wallet === undefined) return;
  const writer = await evm(
    'writer()',
    () => chain.contract.getFunction('writer').staticCall() as Promise<string>,
  );
  if (writer.toLowerCase() !== wallet.address.toLowerCase()) {
    throw new DmidError('DMID_LEDGER_REJECTED', "EVM ledger: the signer is not the contract's writer");
  }
}

type Found = EvmLedgerRef & { readonly size: number };

/** The contract's entry of `root` and the transaction of its BatchAnchored event, or null. */
async function lookupRoot(chain: Chain, root: string): Promise<Found | null> {
  if (!HEX_32.test(root)) throw new RangeError('EVM ledger: a root is 64 lower-case hex digits');
  const [height, size, anchoredAt] = await evm('batches()', async () => {
    const reply = (await chain.contract.getFunction('batches').staticCall(`0x${root}`)) as unknown[];
    return reply.map((v) => BigInt(String(v)));
  });
  if (anchoredAt === undefined || anchoredAt === 0n) return null;
  // The root is an indexed topic: the node filters; a hosted node may cap the block range (see docs/ledger.md).
  const filter = chain.contract.filters.BatchAnchored?.(`0x${root}`) ?? 'BatchAnchored';
  const events = await evm('BatchAnchored logs', () => chain.contract.queryFilter(filter, 0, 'latest'));
  const event = events.find((e): e is EventLog => 'args' in e);
  if (event === undefined) {
    throw new DmidError('DMID_LEDGER_UNAVAILABLE', 'EVM ledger: no event for an anchored root');
  }
  const { chainId, address: contract } = chain;
  const { transactionHash: txHash, blockNumber } = event;
  return { kind: 'evm', chainId, contract, height: Number(height), txHash, blockNumber, size: Number(size) };
}

function refOf(found: Found): EvmLedgerRef {
  const { kind, chainId, contract, height, txHash, blockNumber } = found;
  return { kind, chainId, contract, height, txHash, blockNumber };
}

/** Sends `anchor(root, size)` and waits for it to be mined; the entry from the transaction's event. */
async function anchorRoot(chain: Chain, batch: LedgerBatch): Promise<EvmLedgerRef> {
  const mined = await evm('anchor()', async () => {
    const tx = (await chain.contract.getFunction('anchor').send(`0x${batch.root}`, batch.size)) as {
      wait(confirms: number): Promise<TransactionReceipt | null>;
    };
    return tx.wait(1);
  });
  const event = mined?.logs
    .map((log) => chain.contract.interface.parseLog(log))
    .find((parsed) => parsed?.name === 'BatchAnchored');
  if (mined !== null && mined !== undefined && event !== undefined && event !== null) {
    const height = Number(event.args.getValue('height'));
    const { chainId, address: contract } = chain;
    return { kind: 'evm', chainId, contract, height, txHash: mined.hash, blockNumber: mined.blockNumber };
  }
  // No event: the root was anchored meanwhile (by a retried transaction); the contract knows where.
  const found = await lookupRoot(chain, batch.root);
  if (found === null) {
    throw new DmidError('DMID_LEDGER_UNAVAILABLE', 'EVM ledger: root not found after mining');
  }
  return refOf(found);
}

export async function openEvmLedger(options: EvmLedgerOptions): Promise<EvmLedger> {
  const provider = await connectEvm(options);
  const wallet = options.keyHex === undefined ? undefined : new Wallet(options.keyHex, provider);
  const contract = new Contract(options.contract, DMID_ANCHOR_ABI, wallet ?? provider);
  const chain: Chain = { chainId: options.chainId, address: await contract.getAddress(), contract };
  try {
    await checkContract(provider, chain, wallet);
  } catch (error) {
    provider.destroy();
    throw error;
  }
  return {
    kind: 'evm',
    lookup: (root) => lookupRoot(chain, root),
    async find(root) {
      const found = await lookupRoot(chain, root);
      return found === null ? null : refOf(found);
    },
    async append(batch) {
      if (wallet === undefined) {
        throw new DmidError('DMID_LEDGER_REJECTED', 'EVM ledger: opened without a key');
      }
      const held = await lookupRoot(chain, batch.root);
      return held === null ? anchorRoot(chain, batch) : refOf(held);
    },
    close: () => {
      provider.destroy();
      return Promise.resolve();
    },
  };
}
