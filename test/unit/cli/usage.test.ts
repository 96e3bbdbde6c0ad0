/**
 * A mistyped command line is answered on stderr with exit 2 and enough to fix it: a command group
 * without its subcommand lists them, a near miss names the nearest command, subcommand or option, and
 * every usage error ends with the command's usage lines. Counts read as English.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from '../../../src/cli/main.js';
import { count, nearest, optionsOf } from '../../../src/cli/suggest.js';
import { captureIo } from '../../support/cli-io.js';

async function usageError(argv: string[]): Promise<string> {
  const io = captureIo({ env: {} });
  assert.equal(await main(argv, io), 2, `dmid ${argv.join(' ')}: ${io.err()}`);
  assert.equal(io.out(), '', 'nothing on stdout for a usage error');
  return io.err();
}

void test('dmid without a command prints its help on stderr and exits 2', async () => {
  assert.match(await usageError([]), /Usage: dmid <command>[\s\S]*Commands:/);
});

const GROUPS: Record<string, readonly string[]> = {
  model: ['train', 'evaluate'],
  policy: ['list', 'backtest'],
  ledger: ['verify', 'deploy'],
  topics: ['create'],
  receipt: ['verify'],
  subject: ['erase', 'access-log'],
  consent: ['keygen', 'issue'],
  state: ['status', 'accept-epoch', 'rebuild'],
};

void test('every command group without a subcommand lists its subcommands (stderr, exit 2)', async () => {
  for (const [group, subs] of Object.entries(GROUPS)) {
    for (const argv of [[group], [group, '--seed', 'x']]) {
      const err = await usageError(argv);
      assert.match(err, new RegExp(`dmid ${group} needs a subcommand: ${subs.join(', ')}\\n`));
      assert.match(err, new RegExp(`Usage: dmid ${group}`), 'its usage follows');
      assert.doesNotMatch(err, /unknown .* subcommand ''/);
    }
  }
});

void test('a mistyped command or subcommand names the nearest one', async () => {
  assert.match(await usageError(['modle']), /unknown command 'modle' \(did you mean model\?\)/);
  assert.match(
    await usageError(['model', 'trian']),
    /unknown model subcommand 'trian' \(did you mean train\?\)/,
  );
  assert.match(await usageError(['policy', 'back']), /\(did you mean backtest\?\)/);
  assert.doesNotMatch(await usageError(['frobnicate']), /did you mean/);
});

void test('an unknown option names the nearest option the command documents, then its usage', async () => {
  const err = await usageError(['consume', '--topc', 'signals.telecom']);
  assert.match(err, /DMID_USAGE: unknown option --topc \(did you mean --topic\?\)\n/);
  assert.match(err, /Usage: dmid consume --topic TOPIC/);
  assert.match(
    await usageError(['simulate', '--rat', '5']),
    /unknown option --rat \(did you mean --rate\?\)/,
  );
  assert.match(await usageError(['consume', '--zzzzzz']), /unknown option --zzzzzz\n/);
});

void test("a command's own usage error is followed by its usage lines on stderr", async () => {
  const err = await usageError(['subject', 'erase']);
  assert.match(
    err,
    /DMID_USAGE: expected `dmid subject erase SUBJECT_ID` or `dmid subject access-log SUBJECT_ID`\n\nUsage: dmid subject erase/,
  );
  assert.match(err, /See `dmid subject --help`\.\n$/);
});

void test('nearest: typos within a third of the word, a unique prefix, or nothing', () => {
  const words = ['--max', '--idle-ms', '--topic', '--type', '--from-beginning', '--envelope'];
  assert.equal(nearest('--tpoic', words), '--topic', 'a swap of neighbours is one edit');
  assert.equal(nearest('--from', words), '--from-beginning');
  assert.equal(nearest('--t', words), undefined, 'two words start with it');
  assert.equal(nearest('--colour', words), undefined);
  assert.deepEqual(optionsOf('  --max N  stop\n  --idle-ms MS  see --max'), ['--max', '--idle-ms']);
});

void test('count: 1 record, 0 records, 2 records', () => {
  assert.equal(count(1, 'record'), '1 record');
  assert.equal(count(0, 'record'), '0 records');
  assert.equal(count(2, 'telecom record'), '2 telecom records');
  assert.equal(count(2, 'match', 'matches'), '2 matches');
});
