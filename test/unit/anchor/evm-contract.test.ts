/**
 * The anchoring contract's artifact (ABI and bytecode shipped in src/anchor/ledger/dmid-anchor-artifact.ts)
 * is what solc-js, the pinned `solc` npm package, makes of dmid-anchor.sol today: no compiler download,
 * and a stale artifact fails here (`npm run gen:contract` rewrites it).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileDmidAnchor } from '../../../src/anchor/ledger/compile-contract.js';
import {
  DMID_ANCHOR_ABI,
  DMID_ANCHOR_BYTECODE,
  DMID_ANCHOR_COMPILER,
} from '../../../src/anchor/ledger/dmid-anchor-artifact.js';

void test('the shipped contract artifact is what solc-js compiles from dmid-anchor.sol', () => {
  const fresh = compileDmidAnchor();
  assert.equal(DMID_ANCHOR_COMPILER, fresh.compiler);
  assert.deepEqual(DMID_ANCHOR_ABI, fresh.abi);
  assert.equal(DMID_ANCHOR_BYTECODE, fresh.bytecode, 'stale artifact: run `npm run gen:contract`');
});
