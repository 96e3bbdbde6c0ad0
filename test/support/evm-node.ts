/**
 * A local EVM node for tests: `hardhat node` (the Hardhat network, from node_modules, offline) on a free
 * port, stopped after the test. Its first default account, whose key is public, is the writer.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer } from 'node:net';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { deployDmidAnchor } from '../../src/anchor/ledger/evm-ledger.js';
import { tempDir } from './anchors.js';
import { waitFor } from './pipeline.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** Hardhat's first default account: a well-known development key, never used on a real chain. */
export const HARDHAT_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
export const HARDHAT_CHAIN_ID = 31337;

export interface EvmNode {
  readonly rpcUrl: string;
  readonly chainId: number;
  /** A freshly deployed DmidAnchor contract. */
  readonly contract: string;
  readonly keyHex: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function answers(rpcUrl: string): Promise<boolean> {
  try {
    const response = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    });
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Hardhat's built-in network, offline, chain id 31337, instant mining. Nothing is compiled by Hardhat
 * (the contract is compiled with solc-js), so its config holds only the network.
 */
const HARDHAT_CONFIG = `module.exports = { networks: { hardhat: { chainId: ${HARDHAT_CHAIN_ID}, mining: { auto: true } } } };\n`;

export async function startEvmNode(t: TestContext): Promise<EvmNode> {
  const port = await freePort();
  const config = join(await tempDir(t), 'hardhat.config.cjs');
  await writeFile(config, HARDHAT_CONFIG);
  const bin = `${REPO}node_modules/hardhat/internal/cli/bootstrap.js`;
  const child = spawn(
    process.execPath,
    [bin, '--config', config, 'node', '--hostname', '127.0.0.1', '--port', String(port)],
    {
      cwd: REPO,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true' },
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  t.after(async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  });
  const rpcUrl = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`hardhat node exited: ${stderr.slice(-500)}`);
      return answers(rpcUrl);
    },
    'the hardhat node to answer',
    60_000,
  );
  const contract = await deployDmidAnchor({ rpcUrl, chainId: HARDHAT_CHAIN_ID, keyHex: HARDHAT_KEY });
  return { rpcUrl, chainId: HARDHAT_CHAIN_ID, contract, keyHex: HARDHAT_KEY };
}
