import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli/main.js';
import { loadModel } from '../../../src/scoring/model/model-files.js';
import { captureIo } from '../../support/cli-io.js';

void test('model train --evaluate: a small model trained, saved, evaluated; progress on stderr, metrics on stdout', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dmid-model-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const io = captureIo();
  const args = [
    'model',
    'train',
    '--seed',
    'cli',
    '--subjects',
    '300',
    '--epochs',
    '2',
    '--out',
    dir,
    '--evaluate',
  ];
  assert.equal(await main(args, io), 0, io.err());
  for (const file of [
    'model.json',
    'weights.bin',
    'metadata.json',
    'metrics.json',
    'evaluation.svg',
    'MODEL_CARD.md',
  ]) {
    assert.ok(existsSync(join(dir, file)), file);
  }
  assert.match(io.err(), /\[#+\.*\] +\d+% training/);
  const summary = JSON.parse(io.out()) as { overall: { model: { auc: number } }; scenarios: unknown[] };
  assert.equal(summary.scenarios.length, 6);
  assert.ok(summary.overall.model.auc > 0.5);
  const { network, metadata } = await loadModel(dir);
  assert.equal(metadata.seed, 'cli');
  network.dispose();
  const card = readFileSync(join(dir, 'MODEL_CARD.md'), 'utf8');
  assert.match(card, /\| sim-swap-takeover \| \d+ \|/);
  assert.ok(readFileSync(join(dir, 'evaluation.svg'), 'utf8').startsWith('<svg'));
});

void test('model: an unknown subcommand or a bad option is a usage error', async () => {
  const io = captureIo();
  assert.equal(await main(['model', 'frobnicate'], io), 2);
  assert.match(io.err(), /DMID_USAGE/);
  const bad = captureIo();
  assert.equal(await main(['model', 'train', '--epochs', '0'], bad), 2);
});
