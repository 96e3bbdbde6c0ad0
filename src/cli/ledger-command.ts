/** `dmid ledger verify [FILE]` and `dmid ledger deploy`. */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { walkChain } from '../anchor/ledger/file-chain.js';
import { deployDmidAnchor } from '../anchor/ledger/evm-ledger.js';
import { loadConfig } from '../config.js';
import { DmidError } from '../errors.js';
import { usage, type CliIo } from './io.js';

export const LEDGER_HELP = `Usage: dmid ledger verify [FILE]
       dmid ledger deploy

verify   Walks the hash chain of a ledger file (default DMID_LEDGER_FILE): every block's hash, its
         link to the previous block, its height, no root twice. Prints the number of blocks and the
         tip, or the first block that breaks the chain (exit 1).
deploy   Deploys the DmidAnchor contract with the signer of DMID_EVM_KEY(_FILE) on the node of
         DMID_EVM_RPC_URL (chain DMID_EVM_CHAIN_ID) and prints its address, for DMID_EVM_CONTRACT.`;

async function verify(file: string, io: CliIo): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new DmidError('DMID_INPUT_INVALID', `cannot read the ledger file ${file}`, { cause });
  }
  const walk = walkChain(text);
  if (walk.break !== null) {
    io.stdout.write(`BROKEN at line ${walk.break.line}: ${walk.break.message}\n`);
    io.stdout.write(`${walk.blocks.length} good block(s) before it\n`);
    return 1;
  }
  const tip = walk.blocks.at(-1);
  const anchors = walk.blocks.reduce((sum, b) => sum + b.count, 0);
  io.stdout.write(
    `OK: ${walk.blocks.length} block(s), ${anchors} anchor(s), tip ${tip === undefined ? '(empty)' : tip.hash}\n`,
  );
  return 0;
}

async function deploy(io: CliIo): Promise<number> {
  const config = loadConfig(io.env);
  const { rpcUrl, chainId, keyHex } = config.ledger.evm;
  if (rpcUrl === null || chainId === null || keyHex === null) {
    throw usage('ledger deploy needs DMID_EVM_RPC_URL, DMID_EVM_CHAIN_ID and DMID_EVM_KEY(_FILE)');
  }
  const address = await deployDmidAnchor({ rpcUrl, chainId, keyHex });
  io.stdout.write(`${address}\n`);
  return 0;
}

export async function ledgerCommand(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: {} });
  const [action, file, ...rest] = positionals;
  if (rest.length > 0) throw usage('too many arguments');
  if (action === 'verify') return verify(file ?? loadConfig(io.env).ledger.file, io);
  if (action === 'deploy' && file === undefined) return deploy(io);
  throw usage('expected `dmid ledger verify [FILE]` or `dmid ledger deploy`');
}
