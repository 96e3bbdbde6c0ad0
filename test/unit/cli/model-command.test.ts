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
  for (const file of ['metadata.json', 'metrics.json', 'evaluation.svg', 'MODEL_CARD.md']) {
    assert.ok(existsSync(join(dir, file)), file);
  }
  assert.match(io.err(), /\[#+\.*\] +\d+% training/);
  const summary = JSON.parse(io.out()) as { overall: { model: { auc: number } }; attacks: unknown[] };
  assert.equal(summary.attacks.length, 6);
  assert.ok(summary.overall.model.auc > 0.5);
  const metadata = loadModel(dir);
  assert.equal(metadata.seed, 'cli');
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
  const protocol = captureIo();
  assert.equal(await main(['model', 'evaluate', '--protocol', 'k-fold'], protocol), 2);
  assert.match(protocol.err(), /leave-family-out/);
});

void test('model evaluate --protocol leave-family-out --shift: one fold per family, the shift test, both in the card', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dmid-model-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const train = captureIo();
  const args = ['model', 'train', '--seed', 'lfo', '--subjects', '300', '--epochs', '2', '--out', dir];
  assert.equal(await main(args, train), 0, train.err());
  const io = captureIo();
  const evaluate = ['model', 'evaluate', '--model', dir, '--protocol', 'leave-family-out', '--shift'];
  assert.equal(await main([...evaluate, '--fold-epochs', '1'], io), 0, io.err());
  assert.match(io.err(), /leave-family-out/);
  const summary = JSON.parse(io.out()) as {
    protocols: { leaveFamilyOut: { attacks: unknown[]; benign: unknown[] }; shift: { factor: number } };
  };
  assert.equal(summary.protocols.leaveFamilyOut.attacks.length, 6);
  assert.equal(summary.protocols.leaveFamilyOut.benign.length, 5);
  assert.equal(summary.protocols.shift.factor, 2);
  const card = readFileSync(join(dir, 'MODEL_CARD.md'), 'utf8');
  assert.match(card, /## Leave-family-out\nOne model per family/);
  assert.match(card, /## Shift test\nThe shipped model on a population/);
});
