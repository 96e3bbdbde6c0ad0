/**
 * Merkle trees of anchor batches, as in RFC 6962 (Certificate Transparency) section 2.1, so that anyone
 * can check an inclusion proof with nothing but SHA-256:
 *
 *   leaf hash  = SHA-256(0x00 || leaf bytes)
 *   node hash  = SHA-256(0x01 || left child hash || right child hash)
 *
 * The prefixes keep a leaf from ever being read as an inner node (second-preimage attacks on the tree).
 *
 * Odd-count rule: nothing is duplicated. RFC 6962 splits n leaves into the largest power of two k < n on
 * the left and the rest on the right; built bottom-up that is the same as pairing the nodes of each level
 * left to right and carrying a last, unpaired node up one level unchanged. So a tree of 3 leaves is
 * node(node(L0, L1), L2), and the proof of L2 is the one hash node(L0, L1). The root of one leaf is that
 * leaf's hash; there is no tree of zero leaves here (a batch has at least one anchor).
 *
 * Proofs are the audit paths of RFC 6962 section 2.1.1, leaf to root; `verifyInclusion` is the algorithm
 * of RFC 9162 section 2.1.3.2, which needs the leaf's index and the tree's size.
 */
import { createHash } from 'node:crypto';

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** SHA-256(0x00 || leaf bytes). */
export function leafHash(leafBytes: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(leafBytes).digest();
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** A built tree: every level, leaf hashes first, the root alone last. */
export interface MerkleTree {
  readonly size: number;
  readonly root: Buffer;
  /** The audit path of leaf `index`, from the leaf's sibling up to the root's child. */
  proof(index: number): Buffer[];
}

function assertHash(hash: Uint8Array): void {
  if (hash.length !== 32) throw new RangeError('merkle tree: every leaf hash must be 32 bytes');
}

/** Builds the tree over leaf hashes (already `leafHash`ed), in their order. */
export function buildMerkleTree(leafHashes: readonly Uint8Array[]): MerkleTree {
  if (leafHashes.length === 0) throw new RangeError('merkle tree: at least one leaf');
  for (const h of leafHashes) assertHash(h);
  const levels: Buffer[][] = [leafHashes.map((h) => Buffer.from(h))];
  let level = levels[0] ?? [];
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i];
      const right = level[i + 1];
      if (left === undefined) throw new RangeError('merkle tree: level out of range');
      // An unpaired last node moves up unchanged (the odd-count rule above).
      next.push(right === undefined ? left : nodeHash(left, right));
    }
    levels.push(next);
    level = next;
  }
  const root = level[0];
  if (root === undefined) throw new RangeError('merkle tree: no root');
  return {
    size: leafHashes.length,
    root,
    proof(index) {
      if (!Number.isSafeInteger(index) || index < 0 || index >= leafHashes.length) {
        throw new RangeError('merkle tree: leaf index out of range');
      }
      const path: Buffer[] = [];
      let i = index;
      for (const nodes of levels.slice(0, -1)) {
        const sibling = nodes[i ^ 1];
        if (sibling !== undefined) path.push(sibling);
        i >>= 1;
      }
      return path;
    },
  };
}

/** The root over leaf hashes. */
export function merkleRoot(leafHashes: readonly Uint8Array[]): Buffer {
  return buildMerkleTree(leafHashes).root;
}

/**
 * Whether `proof` shows that `leaf` (a leaf hash) is leaf `index` of a tree of `size` leaves with root
 * `root` (RFC 9162 section 2.1.3.2). False for anything malformed; never throws on bad input.
 */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  if (leaf.length !== 32 || root.length !== 32 || proof.some((p) => p.length !== 32)) return false;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      // Skip the levels where this node was carried up unpaired.
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}
