/**
 * The blocks of the file ledger and the rules of its hash chain, as pure functions (the ledger file,
 * `dmid ledger verify` and `dmid receipt verify` share them).
 *
 * The file is JSON lines, one block per line, keys in this order, no spaces:
 *   {"height":0,"prev":"00…00","root":"…","count":12,"time":1763980000000,"hash":"…"}
 * - `height`: 0 for the first block, then +1 per line;
 * - `prev`: the previous block's `hash` (64 zeros for block 0);
 * - `root`: the batch's Merkle root; `count`: its anchors; `time`: when it was written, epoch ms;
 * - `hash` = SHA-256 of the UTF-8 text `dmid-block/1\n<height>\n<prev>\n<root>\n<count>\n<time>`.
 * A root appears at most once. Anyone can walk the chain with SHA-256 and a JSON parser.
 */
import { createHash } from 'node:crypto';
import { HEX_32 } from './ledger.js';

export const BLOCK_TAG = 'dmid-block/1';
export const GENESIS_PREV = '0'.repeat(64);

export interface Block {
  readonly height: number;
  readonly prev: string;
  readonly root: string;
  readonly count: number;
  readonly time: number;
  readonly hash: string;
}

export function blockHash(block: Omit<Block, 'hash'>): string {
  const text = [BLOCK_TAG, block.height, block.prev, block.root, block.count, block.time].join('\n');
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The next block after `tip` (null: the first block). */
export function nextBlock(tip: Block | null, root: string, count: number, time: number): Block {
  const body = {
    height: tip === null ? 0 : tip.height + 1,
    prev: tip?.hash ?? GENESIS_PREV,
    root,
    count,
    time,
  };
  return { ...body, hash: blockHash(body) };
}

/** The line of a block (without the newline): the exact key order and spelling above. */
export function blockLine(block: Block): string {
  const { height, prev, root, count, time, hash } = block;
  return JSON.stringify({ height, prev, root, count, time, hash });
}

export interface ChainBreak {
  /** 1-based line of the first bad block. */
  readonly line: number;
  readonly message: string;
}

export interface ChainWalk {
  /** The good blocks, up to the first break. */
  readonly blocks: readonly Block[];
  readonly break: ChainBreak | null;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Parses one line; a string saying what is wrong when it is not a well-formed block. */
function parseBlock(line: string): Block | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const v = value as Record<string, unknown>;
  const { height, prev, root, count, time, hash } = v;
  if (!isCount(height) || !isCount(count) || !isCount(time)) return 'height, count or time malformed';
  if (typeof prev !== 'string' || typeof root !== 'string' || typeof hash !== 'string')
    return 'field missing';
  const block: Block = { height, prev, root, count, time, hash };
  if (blockLine(block) !== line) return 'not in canonical form (keys, order, spacing)';
  if (!HEX_32.test(prev) || !HEX_32.test(root) || !HEX_32.test(hash)) return 'a hash is not 64 hex digits';
  return block;
}

/** Walks the chain of a ledger file's text and stops at the first block that breaks it. */
export function walkChain(text: string): ChainWalk {
  const blocks: Block[] = [];
  const roots = new Set<string>();
  const lines = text.split('\n');
  // The file ends with a newline, so the last piece is empty; anything else there is a torn write.
  const last = lines.pop();
  if (last !== undefined && last !== '') lines.push(last);
  for (const [i, line] of lines.entries()) {
    const failure = (message: string): ChainWalk => ({ blocks, break: { line: i + 1, message } });
    if (i === lines.length - 1 && last !== '' && last !== undefined) {
      return failure('the last line has no newline (a torn write)');
    }
    const block = parseBlock(line);
    if (typeof block === 'string') return failure(`block ${i}: ${block}`);
    const prev = blocks.at(-1);
    if (block.height !== i) return failure(`block ${i}: height ${block.height}, expected ${i}`);
    if (block.prev !== (prev?.hash ?? GENESIS_PREV))
      return failure(`block ${i}: prev does not match block ${i - 1}`);
    if (block.count < 1) return failure(`block ${i}: an empty batch`);
    if (blockHash(block) !== block.hash) return failure(`block ${i}: hash does not match its contents`);
    if (roots.has(block.root)) return failure(`block ${i}: root already anchored in an earlier block`);
    roots.add(block.root);
    blocks.push(block);
  }
  return { blocks, break: null };
}
