/**
 * What a command reads and writes, passed in so that commands are tested without a child process.
 * Data goes to `stdout`, diagnostics to `stderr`.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { DmidError } from '../errors.js';
import type { Env } from '../config.js';

export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: Env;
  /** Aborted on SIGINT/SIGTERM: long-running commands stop cleanly. */
  readonly signal: AbortSignal;
}

/** Lines of FILE, or of stdin when FILE is undefined or `-`. */
export async function* readLines(io: CliIo, file: string | undefined): AsyncGenerator<string> {
  const input = file === undefined || file === '-' ? io.stdin : createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) yield line;
  } catch (cause) {
    throw new DmidError('DMID_INPUT_INVALID', `cannot read ${file ?? 'standard input'}`, { cause });
  } finally {
    lines.close();
  }
}

/** Writes one line and waits when the stream asks for it (a slow pipe must not grow memory). */
export async function writeLine(out: Writable, line: string): Promise<void> {
  if (out.write(`${line}\n`)) return;
  await new Promise<void>((resolve) => out.once('drain', resolve));
}

export function usage(message: string): DmidError {
  return new DmidError('DMID_USAGE', message);
}
