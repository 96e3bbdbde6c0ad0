/** `dmid receipt verify RECEIPT.json [--record FILE] [--ledger FILE | --rpc URL [--contract ADDR]]`. */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { framedRecordHash } from '../anchor/commitment.js';
import { parseReceipt, type Receipt } from '../anchor/receipt.js';
import { sha256Hex, verifyReceipt, type LedgerSource } from '../anchor/verify-receipt.js';
import { createCodec } from '../codec/codec.js';
import { DmidError } from '../errors.js';
import { usage, type CliIo } from './io.js';

export const RECEIPT_HELP = `Usage: dmid receipt verify RECEIPT.json [--record FILE] [--ledger FILE | --rpc URL [--contract ADDR]]

Checks a receipt (docs/receipt.md) offline: the leaf hash recomputes from the anchor fields, the
proof leads to the batch root, and, with --ledger or --rpc, the root is on the ledger where the
receipt says (a ledger file is walked whole: a broken chain fails the check). With --record, the
record must hash to the anchor's recordHash: a score as produced on identity.scores, either as
Avro single-object bytes or as its JSON (\`dmid consume\` output); any other record type by its
raw bytes. Prints one line per check; exit 0 when all pass, 1 when one fails.

Options:
  --record FILE     the anchored record
  --ledger FILE     the file ledger (a copy is enough)
  --rpc URL         JSON-RPC URL of a node of the receipt's EVM chain
  --contract ADDR   the anchoring contract (default: the one the receipt names)`;

async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new DmidError('DMID_INPUT_INVALID', `cannot read the ${what} ${path}`, { cause });
  }
}

function parseJson(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new DmidError('DMID_INPUT_INVALID', `the ${what} is not JSON`, { cause });
  }
}

/** The record's hash by the rule of its type (commitment.ts for scores). */
function recordHashOf(bytes: Buffer, receipt: Receipt): string {
  if (bytes[0] === 0xc3 && bytes[1] === 0x01) return framedRecordHash(bytes);
  if (receipt.anchor.recordType === 'SCORE') {
    return framedRecordHash(createCodec().encodeJson('score', parseJson(bytes, 'record')));
  }
  return sha256Hex(bytes);
}

function ledgerOf(values: { ledger?: string; rpc?: string; contract?: string }): LedgerSource | undefined {
  if (values.ledger !== undefined && values.rpc !== undefined)
    throw usage('give --ledger or --rpc, not both');
  if (values.ledger !== undefined) return { kind: 'file', path: values.ledger };
  if (values.rpc !== undefined) return { kind: 'evm', rpcUrl: values.rpc, contract: values.contract };
  if (values.contract !== undefined) throw usage('--contract goes with --rpc');
  return undefined;
}

export async function receiptCommand(args: string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      record: { type: 'string' },
      ledger: { type: 'string' },
      rpc: { type: 'string' },
      contract: { type: 'string' },
    },
  });
  const [action, file, ...rest] = positionals;
  if (action !== 'verify' || file === undefined || rest.length > 0) {
    throw usage('expected `dmid receipt verify RECEIPT.json [options]`');
  }
  const receipt = parseReceipt(parseJson(await readInput(file, 'receipt'), 'receipt'));
  const recordHash =
    values.record === undefined ? undefined : recordHashOf(await readInput(values.record, 'record'), receipt);
  const check = await verifyReceipt(receipt, { recordHash, ledger: ledgerOf(values) });
  const line = (text: string): boolean => io.stdout.write(`${text}\n`);
  line(`anchor ${receipt.anchor.anchorId}, batch root ${receipt.batch.root}, leaf ${receipt.leafIndex}`);
  for (const problem of check.problems) line(`FAIL ${problem.code}: ${problem.message}`);
  if (!check.recordChecked) line('record: not checked (no --record)');
  if (!check.ledgerChecked) line('ledger: not checked (no --ledger or --rpc)');
  if (check.problems.length > 0) return 1;
  line(`OK: leaf and proof${check.recordChecked ? ', record' : ''}${check.ledgerChecked ? ', ledger' : ''}`);
  return 0;
}
