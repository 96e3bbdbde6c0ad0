/**
 * The embedded default ledger: an append-only, hash-chained file (block format in file-chain.ts). Each
 * append writes one line and fsyncs the file before it resolves, so an acknowledged root survives a
 * crash or power loss.
 *
 * Opening checks the whole chain and refuses a broken one (DMID_LEDGER_CORRUPT), except for a last line
 * without its newline: that is a write cut short by a crash, never acknowledged, and is cut off.
 * One process writes a ledger file: run one ledger writer against it (the EVM ledger takes many). A lock
 * file next to it (`<path>.lock`, holding the writer's pid) enforces that: two writers would each chain
 * onto their own tip and break the file. A lock left by a process that is gone is taken over.
 */
import { mkdir, open, readFile, rm, truncate, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DmidError } from '../../errors.js';
import { blockLine, nextBlock, walkChain, type Block } from './file-chain.js';
import { HEX_32, type FileLedgerRef, type Ledger, type LedgerBatch } from './ledger.js';

export interface FileLedgerOptions {
  /** The ledger file; created with its folder when missing. */
  readonly path: string;
  /** Clock of block times, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
  /** Told when a torn last line was cut off on open. */
  readonly onTornTail?: (bytes: number) => void;
}

export interface FileLedger extends Ledger {
  readonly kind: 'file';
  /** Blocks written so far. */
  height(): number;
}

function refOf(block: Block): FileLedgerRef {
  return { kind: 'file', height: block.height, blockHash: block.hash, appendedAt: block.time };
}

function unavailable(action: string, cause: unknown): DmidError {
  return new DmidError('DMID_LEDGER_UNAVAILABLE', `ledger file: cannot ${action}`, { cause });
}

/** Lock files held by this process (a pid in a lock file equal to ours is then a leftover of a past run). */
const held = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

function isErrorCode(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}

/** Takes `<path>.lock` for this process; returns its release. */
async function lockLedger(path: string): Promise<() => Promise<void>> {
  const lockPath = `${path}.lock`;
  if (held.has(lockPath)) throw unavailable('open it: this process has it open already', null);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      held.add(lockPath);
      return async () => {
        held.delete(lockPath);
        await rm(lockPath, { force: true });
      };
    } catch (error) {
      if (!isErrorCode(error, 'EEXIST')) throw unavailable('create its lock file', error);
    }
    const pid = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new DmidError('DMID_LEDGER_UNAVAILABLE', `ledger file: in use by process ${pid} (${lockPath})`);
    }
    await rm(lockPath, { force: true });
  }
  throw unavailable('take its lock file', null);
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return '';
    throw unavailable('read the file', error);
  }
}

/** Reads and checks the chain, cutting off a torn last line. */
async function loadBlocks(options: FileLedgerOptions): Promise<Block[]> {
  let text = await readText(options.path);
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length) {
    await truncate(options.path, Buffer.byteLength(text.slice(0, end))).catch((error: unknown) => {
      throw unavailable('cut off a torn last line', error);
    });
    options.onTornTail?.(Buffer.byteLength(text.slice(end)));
    text = text.slice(0, end);
  }
  const walk = walkChain(text);
  if (walk.break !== null) {
    throw new DmidError('DMID_LEDGER_CORRUPT', `ledger file, line ${walk.break.line}: ${walk.break.message}`);
  }
  return [...walk.blocks];
}

export async function openFileLedger(options: FileLedgerOptions): Promise<FileLedger> {
  const now = options.now ?? Date.now;
  await mkdir(dirname(options.path), { recursive: true }).catch((error: unknown) => {
    throw unavailable('create its folder', error);
  });
  const release = await lockLedger(options.path);
  const byRoot = new Map<string, Block>();
  let tip: Block | null = null;
  let handle: FileHandle | undefined;
  let closed = false;
  /** (Re)reads the chain and opens the file for appending: at start, and after a failed append. */
  const load = async (): Promise<FileHandle> => {
    const blocks = await loadBlocks(options);
    byRoot.clear();
    for (const b of blocks) byRoot.set(b.root, b);
    tip = blocks.at(-1) ?? null;
    return open(options.path, 'a').catch((error: unknown) => {
      throw unavailable('open the file', error);
    });
  };
  try {
    handle = await load();
  } catch (error) {
    await release();
    throw error;
  }
  // Appends run one after another: each block's `prev` is the block written before it.
  let queue: Promise<unknown> = Promise.resolve();

  async function write(batch: LedgerBatch): Promise<FileLedgerRef> {
    if (closed) throw unavailable('append: it is closed', null);
    // A failed append may have left half a line: reloading cuts it off before anything else is written.
    handle ??= await load();
    const held = byRoot.get(batch.root);
    if (held !== undefined) return refOf(held);
    const block = nextBlock(tip, batch.root, batch.size, now());
    try {
      await handle.appendFile(`${blockLine(block)}\n`, 'utf8');
      await handle.sync();
    } catch (error) {
      const h = handle;
      handle = undefined;
      await h.close().catch(() => undefined);
      throw unavailable('append a block', error);
    }
    tip = block;
    byRoot.set(block.root, block);
    return refOf(block);
  }

  return {
    kind: 'file',
    height: () => (tip === null ? 0 : tip.height + 1),
    find(root) {
      const block = byRoot.get(root);
      return Promise.resolve(block === undefined ? null : refOf(block));
    },
    append(batch) {
      if (!HEX_32.test(batch.root) || !Number.isSafeInteger(batch.size) || batch.size < 1) {
        return Promise.reject(
          new RangeError('file ledger: a batch needs a hex root and at least one anchor'),
        );
      }
      const result = queue.then(() => write(batch));
      queue = result.catch(() => undefined);
      return result;
    },
    async close() {
      await queue;
      if (closed) return;
      closed = true;
      const h = handle;
      handle = undefined;
      await h?.close();
      await release();
    },
  };
}
