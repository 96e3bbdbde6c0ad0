/**
 * Merkle trees and inclusion proofs (src/anchor/merkle-tree.ts): RFC 6962 roots, proofs for every leaf of
 * trees of 1, 2, 3, 2^n and 2^n+1 leaves, and tampered proofs refused.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { buildMerkleTree, leafHash, merkleRoot, verifyInclusion } from '../../../src/anchor/merkle-tree.js';

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** RFC 6962 section 2.1 MTH, written recursively and independently of the module under test. */
function referenceRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 1) return sha256(Buffer.from([0]), leaves[0] ?? Buffer.alloc(0));
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha256(Buffer.from([1]), referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

function leavesOf(n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => Buffer.from(`leaf ${i}`));
}

// The eight leaves of the Certificate Transparency / Trillian test vectors, and the roots of their prefixes.
const CT_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
];
const CT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

void test('roots match the RFC 6962 test vectors of Certificate Transparency', () => {
  const hashes = CT_LEAVES.map((hex) => leafHash(Buffer.from(hex, 'hex')));
  CT_ROOTS.forEach((root, i) => {
    assert.equal(merkleRoot(hashes.slice(0, i + 1)).toString('hex'), root, `root of ${i + 1} leaves`);
  });
});

const SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 32, 33, 64, 65];

void test('1, 2, 3, 2^n and 2^n+1 leaves: the root is RFC 6962 MTH and every proof verifies', () => {
  for (const n of SIZES) {
    const leaves = leavesOf(n);
    const hashes = leaves.map((l) => leafHash(l));
    const tree = buildMerkleTree(hashes);
    assert.equal(tree.size, n);
    assert.deepEqual(tree.root, referenceRoot(leaves), `root of ${n} leaves`);
    for (let i = 0; i < n; i++) {
      const proof = tree.proof(i);
      assert.ok(proof.length <= Math.ceil(Math.log2(n)), `proof length of leaf ${i} of ${n}`);
      assert.ok(verifyInclusion(hashes[i] ?? Buffer.alloc(0), i, n, proof, tree.root), `leaf ${i} of ${n}`);
    }
  }
});

void test('odd-count rule: a lone last node is carried up, never duplicated', () => {
  const hashes = leavesOf(3).map((l) => leafHash(l));
  const [a, b, c] = hashes as [Buffer, Buffer, Buffer];
  const ab = sha256(Buffer.from([1]), a, b);
  assert.deepEqual(merkleRoot(hashes), sha256(Buffer.from([1]), ab, c));
  assert.deepEqual(buildMerkleTree(hashes).proof(2), [ab]);
  assert.deepEqual(merkleRoot([a]), a, 'the root of one leaf is its hash');
});

void test('tampered proofs, leaves, indexes, sizes and roots fail', () => {
  for (const n of [2, 3, 5, 8, 9, 17]) {
    const hashes = leavesOf(n).map((l) => leafHash(l));
    const tree = buildMerkleTree(hashes);
    for (let i = 0; i < n; i++) {
      const leaf = hashes[i] ?? Buffer.alloc(32);
      const proof = tree.proof(i);
      for (let j = 0; j < proof.length; j++) {
        const bad = proof.map((p) => Buffer.from(p));
        const target = bad[j] ?? Buffer.alloc(32);
        target[j % 32] = (target[j % 32] ?? 0) ^ 0x01;
        assert.equal(verifyInclusion(leaf, i, n, bad, tree.root), false, `flipped proof[${j}] of ${i}/${n}`);
      }
      const flippedLeaf = Buffer.from(leaf);
      flippedLeaf[0] = (flippedLeaf[0] ?? 0) ^ 0x80;
      assert.equal(verifyInclusion(flippedLeaf, i, n, proof, tree.root), false, 'flipped leaf');
      const flippedRoot = Buffer.from(tree.root);
      flippedRoot[31] = (flippedRoot[31] ?? 0) ^ 0x01;
      assert.equal(verifyInclusion(leaf, i, n, proof, flippedRoot), false, 'flipped root');
      assert.equal(verifyInclusion(leaf, (i + 1) % n, n, proof, tree.root), false, 'another index');
      // A size that changes the path's shape fails; the size itself is bound by the ledger entry (its
      // anchor count), as RFC 6962 binds it by the signed tree head, not by the proof.
      if (n > 2) assert.equal(verifyInclusion(leaf, i, 2 * n, proof, tree.root), false, 'another size');
      assert.equal(verifyInclusion(leaf, i, n, [...proof, leaf], tree.root), false, 'an extra element');
      if (proof.length > 0) {
        assert.equal(verifyInclusion(leaf, i, n, proof.slice(1), tree.root), false, 'a missing element');
      }
    }
  }
});

void test('malformed input is refused, never thrown on by verification', () => {
  const tree = buildMerkleTree(leavesOf(4).map((l) => leafHash(l)));
  const leaf = leafHash(Buffer.from('leaf 0'));
  assert.equal(verifyInclusion(leaf, -1, 4, tree.proof(0), tree.root), false);
  assert.equal(verifyInclusion(leaf, 0, 0, [], tree.root), false);
  assert.equal(verifyInclusion(leaf.subarray(1), 0, 4, tree.proof(0), tree.root), false);
  assert.equal(verifyInclusion(leaf, 0.5, 4, tree.proof(0), tree.root), false);
  assert.throws(() => buildMerkleTree([]), RangeError);
  assert.throws(() => buildMerkleTree([Buffer.alloc(31)]), RangeError);
  assert.throws(() => tree.proof(4), RangeError);
});
