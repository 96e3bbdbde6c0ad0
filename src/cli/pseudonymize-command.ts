/**
 * `dmid pseudonymize [FILE]`: national IDs in (one per line), subject ids out (one per line, same order).
 * For providers. The key comes from DMID_PSEUDONYM_KEY_FILE or DMID_PSEUDONYM_KEY (hex), never from a flag:
 * flags end up in shell history and process listings.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { DmidError } from '../errors.js';
import { pseudonymize } from '../privacy/pseudonymize.js';
import { readLines, usage, writeLine, type CliIo } from './io.js';

export const PSEUDONYMIZE_HELP = `Usage: dmid pseudonymize [FILE]

Reads national ID numbers, one per line, from FILE or standard input, and writes the subject id of
each (lower-case base32 of HMAC-SHA-256(key, normalised ID), first 32 characters), one per line.
Blank lines are kept blank. The key is read from DMID_PSEUDONYM_KEY_FILE (a file holding the key as
hex) or DMID_PSEUDONYM_KEY; at least 32 bytes.`;

export async function pseudonymizeCommand(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: {} });
  if (positionals.length > 1) throw usage('pseudonymize takes at most one FILE');
  const config = loadConfig(io.env);
  if (config.pseudonymKeyHex === null) {
    throw new DmidError('DMID_USAGE', 'no key: set DMID_PSEUDONYM_KEY_FILE (or DMID_PSEUDONYM_KEY)');
  }
  const key = Buffer.from(config.pseudonymKeyHex, 'hex');
  let lineNumber = 0;
  for await (const line of readLines(io, positionals[0])) {
    lineNumber += 1;
    if (line.trim() === '') {
      await writeLine(io.stdout, '');
      continue;
    }
    try {
      await writeLine(io.stdout, pseudonymize(key, line));
    } catch (error) {
      if (error instanceof DmidError) {
        throw new DmidError(error.code, `line ${lineNumber}: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }
  return 0;
}
