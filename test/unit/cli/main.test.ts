import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main, version } from '../../../src/cli/main.js';
import { isWellFormedSubjectId, pseudonymize } from '../../../src/privacy/pseudonymize.js';
import { captureIo } from '../../support/cli-io.js';

void test('--help lists every command on stdout and exits 0', async () => {
  const io = captureIo();
  assert.equal(await main(['--help'], io), 0);
  for (const command of ['topics', 'pseudonymize', 'produce', 'consume'])
    assert.match(io.out(), new RegExp(command));
  assert.equal(io.err(), '');
});

void test('--version prints the package version', async () => {
  const io = captureIo();
  assert.equal(await main(['--version'], io), 0);
  assert.equal(io.out().trim(), version());
  assert.match(version(), /^\d+\.\d+\.\d+/);
});

void test('an unknown command or option is a usage error: exit 2, message on stderr, nothing on stdout', async () => {
  const unknown = captureIo();
  assert.equal(await main(['frobnicate'], unknown), 2);
  assert.match(unknown.err(), /unknown command 'frobnicate'/);
  assert.equal(unknown.out(), '');

  const badFlag = captureIo({ env: {} });
  assert.equal(await main(['pseudonymize', '--key', 'abc'], badFlag), 2);
  assert.match(badFlag.err(), /DMID_USAGE/);
});

void test('a bad DMID_ variable fails the command with a message naming it', async () => {
  const io = captureIo({ env: { DMID_NOPE: '1' } });
  assert.equal(await main(['pseudonymize'], io), 1);
  assert.match(io.err(), /DMID_CONFIG_INVALID: .*DMID_NOPE/s);
});

void test('pseudonymize: IDs in, subject ids out, key from a file, blank lines kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dmid-cli-'));
  const keyHex = '0f'.repeat(32);
  writeFileSync(join(dir, 'key'), `${keyHex}\n`);
  const io = captureIo({
    stdin: '11010519491231002X\n\n110105 19491231 002x\n',
    env: { DMID_PSEUDONYM_KEY_FILE: join(dir, 'key') },
  });
  assert.equal(await main(['pseudonymize'], io), 0);
  const lines = io.out().split('\n');
  const expected = pseudonymize(Buffer.from(keyHex, 'hex'), '11010519491231002X');
  assert.deepEqual(lines, [expected, '', expected, '']);
  assert.ok(isWellFormedSubjectId(expected));
  assert.doesNotMatch(io.err(), /11010519491231002X/);
});

void test('pseudonymize without a key says how to give one', async () => {
  const io = captureIo({ stdin: '11010519491231002X\n' });
  assert.equal(await main(['pseudonymize'], io), 2);
  assert.match(io.err(), /DMID_PSEUDONYM_KEY_FILE/);
  assert.equal(io.out(), '');
});

void test('pseudonymize: a bad line fails naming the line number, not the value', async () => {
  const io = captureIo({
    stdin: '11010519491231002X\nnot an id!\n',
    env: { DMID_PSEUDONYM_KEY: 'ab'.repeat(32) },
  });
  assert.equal(await main(['pseudonymize'], io), 1);
  assert.match(io.err(), /line 2/);
  assert.doesNotMatch(io.err(), /not an id/);
});
