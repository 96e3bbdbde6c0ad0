/**
 * `npm run gen:contract`: compiles src/anchor/ledger/dmid-anchor.sol with solc-js (the `solc` npm package,
 * pinned: no compiler download) and writes its ABI and bytecode to dmid-anchor-artifact.ts. Run after
 * changing the contract; test/unit/anchor/evm-contract.test.ts fails when the artifact is stale.
 */
import { writeFileSync } from 'node:fs';
import { compileDmidAnchor, renderArtifact } from '../src/anchor/ledger/compile-contract.js';

const artifact = compileDmidAnchor();
const out = new URL('../src/anchor/ledger/dmid-anchor-artifact.ts', import.meta.url);
writeFileSync(out, renderArtifact(artifact));
process.stdout.write(`wrote ${out.pathname} (solc ${artifact.compiler})\n`);
