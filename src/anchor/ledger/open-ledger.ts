/** The ledger the configuration asks for (DMID_LEDGER): the file ledger, or the EVM contract. */
import type { Config } from '../../config.js';
import { DmidError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { openEvmLedger } from './evm-ledger.js';
import { openFileLedger } from './file-ledger.js';
import type { Ledger } from './ledger.js';

/** The EVM settings, all four required when DMID_LEDGER=evm. */
export function evmSettings(config: Config): {
  rpcUrl: string;
  chainId: number;
  contract: string;
  keyHex: string;
} {
  const { rpcUrl, chainId, contract, keyHex } = config.ledger.evm;
  if (rpcUrl === null || chainId === null || contract === null || keyHex === null) {
    throw new DmidError(
      'DMID_CONFIG_INVALID',
      'DMID_LEDGER=evm needs DMID_EVM_RPC_URL, DMID_EVM_CHAIN_ID, DMID_EVM_CONTRACT and DMID_EVM_KEY(_FILE)',
    );
  }
  return { rpcUrl, chainId, contract, keyHex };
}

export async function openConfiguredLedger(config: Config, logger: Logger): Promise<Ledger> {
  if (config.ledger.kind === 'evm') return openEvmLedger(evmSettings(config));
  return openFileLedger({
    path: config.ledger.file,
    onTornTail: (bytes) => logger.warn({ bytes }, 'ledger file: cut off a torn last line'),
  });
}
