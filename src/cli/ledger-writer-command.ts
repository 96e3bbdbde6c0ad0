/** `dmid ledger-writer`: anchors `identity.anchors` into the ledger until SIGTERM or SIGINT. */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { startLedgerService } from '../ledger-service.js';
import { createLogger } from '../logger.js';
import { usage, type CliIo } from './io.js';

export const LEDGER_WRITER_HELP = `Usage: dmid ledger-writer

Consumes identity.anchors in its own consumer group (DMID_LEDGER_GROUP_ID), cuts the anchors into
batches (DMID_LEDGER_BATCH_MS, DMID_LEDGER_BATCH_MAX_ANCHORS), appends each batch's Merkle root to the
ledger (DMID_LEDGER: file or evm), keeps each anchor's inclusion proof in Redis, produces one receipt
per anchor to identity.anchor-receipts, and only then commits its offsets. Serves the receipts on
GET /v1/anchors/:anchorId/receipt, plus /healthz, /readyz and /metrics, on DMID_API_PORT.
Needs DMID_KAFKA_BROKERS and DMID_REDIS_URL. One process per ledger file; any number on EVM.`;

export async function ledgerWriterCommand(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: {} });
  if (positionals.length > 0) throw usage('ledger-writer takes no arguments');
  const config = loadConfig(io.env);
  const logger = createLogger(config.logLevel);
  const service = await startLedgerService(config, logger);
  io.stderr.write(`dmid ledger-writer: ${config.ledger.kind} ledger, API on ${service.apiUrl}\n`);
  const stop = (): void => void service.stop();
  io.signal.addEventListener('abort', stop, { once: true });
  try {
    await service.running;
    await service.stop();
    return 0;
  } catch (error) {
    logger.error({ err: error }, 'ledger writer failed');
    await service.stop().catch(() => undefined);
    return 1;
  } finally {
    io.signal.removeEventListener('abort', stop);
  }
}
