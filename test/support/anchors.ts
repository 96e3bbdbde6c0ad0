/** Anchor events and ledgers for the ledger writer's tests. */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { AnchorEvent } from '../../src/codec/types.js';

/** An anchor of a made-up score: random ids, hashes and commitment. */
export function fakeAnchor(overrides: Partial<AnchorEvent> = {}): AnchorEvent {
  return {
    anchorId: randomUUID(),
    scoreId: randomUUID(),
    recordHash: createHash('sha256').update(randomBytes(16)).digest('hex'),
    subjectCommitment: randomBytes(32).toString('hex'),
    computedAt: Date.now(),
    modelVersion: 'rules-1',
    ...overrides,
  };
}

/** A fresh folder, removed after the test. */
export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dmid-ledger-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
