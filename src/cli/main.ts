/**
 * The `dmid` command: dispatches to one subcommand. Data on stdout, diagnostics on stderr; exit 0 on
 * success, 1 on failure, 2 on wrong usage.
 */
import { readFileSync } from 'node:fs';
import { DmidError } from '../errors.js';
import type { CliIo } from './io.js';
import { didYouMean, optionsOf } from './suggest.js';
import { consumeCommand, CONSUME_HELP } from './consume-command.js';
import { policyCommand, POLICY_HELP } from './policy-command.js';
import { modelCommand, MODEL_HELP } from './model-command.js';
import { produceCommand, PRODUCE_HELP } from './produce-command.js';
import { pseudonymizeCommand, PSEUDONYMIZE_HELP } from './pseudonymize-command.js';
import { runCommand, RUN_HELP } from './run-command.js';
import { simulateCommand, SIMULATE_HELP } from './simulate-command.js';
import { topicsCommand, TOPICS_HELP } from './topics-command.js';
import { ledgerCommand, LEDGER_HELP } from './ledger-command.js';
import { ledgerWriterCommand, LEDGER_WRITER_HELP } from './ledger-writer-command.js';
import { receiptCommand, RECEIPT_HELP } from './receipt-command.js';
import { subjectCommand, SUBJECT_HELP } from './subject-command.js';
import { consentCommand, CONSENT_HELP } from './consent-command.js';
import { stateCommand, STATE_HELP } from './state-command.js';

interface Command {
  readonly summary: string;
  readonly help: string;
  readonly run: (args: string[], io: CliIo) => Promise<number>;
  /** A command group: the first argument must be one of these. */
  readonly subcommands?: readonly string[];
}

const COMMANDS: Readonly<Record<string, Command>> = {
  run: {
    summary: 'run a scoring worker and the API against Kafka and Redis',
    help: RUN_HELP,
    run: runCommand,
  },
  topics: {
    summary: 'create the topics of the contract',
    help: TOPICS_HELP,
    run: topicsCommand,
    subcommands: ['create'],
  },
  pseudonymize: {
    summary: 'turn national IDs into subject ids (for providers)',
    help: PSEUDONYMIZE_HELP,
    run: pseudonymizeCommand,
  },
  produce: { summary: 'JSON lines in, Avro records out to a topic', help: PRODUCE_HELP, run: produceCommand },
  simulate: { summary: 'publish a simulated stream of signals', help: SIMULATE_HELP, run: simulateCommand },
  'ledger-writer': {
    summary: 'anchor identity.anchors in Merkle batches on the ledger, produce receipts',
    help: LEDGER_WRITER_HELP,
    run: ledgerWriterCommand,
  },
  ledger: {
    summary: 'verify a ledger file, deploy the EVM contract',
    help: LEDGER_HELP,
    run: ledgerCommand,
    subcommands: ['verify', 'deploy'],
  },
  receipt: {
    summary: 'verify an anchor receipt offline',
    help: RECEIPT_HELP,
    run: receiptCommand,
    subcommands: ['verify'],
  },
  subject: {
    summary: "erase a subject; print a subject's access log",
    help: SUBJECT_HELP,
    run: subjectCommand,
    subcommands: ['erase', 'access-log'],
  },
  consent: {
    summary: 'make enrolment-authority keys; issue consent tokens',
    help: CONSENT_HELP,
    run: consentCommand,
    subcommands: ['keygen', 'issue'],
  },
  state: {
    summary: 'the state store after a loss: status, accept its epoch, rebuild it from the signal topics',
    help: STATE_HELP,
    run: stateCommand,
    subcommands: ['status', 'accept-epoch', 'rebuild'],
  },
  consume: {
    summary: 'Avro records from a topic out as JSON lines',
    help: CONSUME_HELP,
    run: consumeCommand,
  },
  model: {
    summary: 'train and evaluate the identity-fusion model',
    help: MODEL_HELP,
    run: modelCommand,
    subcommands: ['train', 'evaluate'],
  },
  policy: {
    summary: 'list policy packs; backtest a draft policy on recorded scores',
    help: POLICY_HELP,
    run: policyCommand,
    subcommands: ['list', 'backtest'],
  },
};

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: dmid <command> [options]

dmid scores identity confidence from telecom, location, biometric and registry signals.

Commands:
${lines.join('\n')}

Options:
  -h, --help     show help (also: dmid <command> --help)
  -v, --version  show the version

Configuration is read from DMID_* environment variables (see docs/configuration.md).`;
}

export function version(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : 'unknown';
}

/** The usage lines of a help text (up to its first blank line), and where the rest is. */
function usageOf(name: string, command: Command): string {
  const head = command.help.split('\n\n')[0] ?? command.help;
  return `${head}\nSee \`dmid ${name} --help\`.`;
}

/** A command group called without a known subcommand: what it has, on stderr; exit 2. */
function checkSubcommand(name: string, command: Command, args: readonly string[], io: CliIo): number | null {
  const subs = command.subcommands;
  const [sub] = args;
  if (subs === undefined || (sub !== undefined && subs.includes(sub))) return null;
  const said =
    sub === undefined || sub.startsWith('-')
      ? `dmid ${name} needs a subcommand: ${subs.join(', ')}`
      : `dmid: DMID_USAGE: unknown ${name} subcommand '${sub}'${didYouMean(sub, subs)}`;
  io.stderr.write(`${said}\n\n${usageOf(name, command)}\n`);
  return 2;
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(`${mainHelp()}\n`);
    return 2;
  }
  if (first === '-h' || first === '--help' || first === 'help') {
    io.stdout.write(`${mainHelp()}\n`);
    return 0;
  }
  if (first === '-v' || first === '--version') {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  const command = COMMANDS[first];
  if (command === undefined) {
    const hint = didYouMean(first, Object.keys(COMMANDS));
    io.stderr.write(`dmid: unknown command '${first}'${hint}\n\n${mainHelp()}\n`);
    return 2;
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    io.stdout.write(`${command.help}\n`);
    return 0;
  }
  const wrongGroup = checkSubcommand(first, command, rest, io);
  if (wrongGroup !== null) return wrongGroup;
  try {
    return await command.run(rest, io);
  } catch (error) {
    return report(error, io, first, command);
  }
}

/** parseArgs's message for an unknown option, with the nearest option the command documents. */
function parseArgsMessage(error: TypeError & { code: unknown }, command: Command): string {
  const typed = /'(-{1,2}[^'\s]+)'/.exec(error.message)?.[1];
  if (error.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || typed === undefined) return error.message;
  return `unknown option ${typed}${didYouMean(typed, optionsOf(command.help))}`;
}

function report(error: unknown, io: CliIo, name: string, command: Command): number {
  if (error instanceof DmidError) {
    const usage = error.code === 'DMID_USAGE';
    io.stderr.write(`dmid: ${error.code}: ${error.message}\n${usage ? `\n${usageOf(name, command)}\n` : ''}`);
    return usage ? 2 : 1;
  }
  // parseArgs signals usage errors with codes like ERR_PARSE_ARGS_UNKNOWN_OPTION.
  if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
    io.stderr.write(`dmid: DMID_USAGE: ${parseArgsMessage(error, command)}\n\n${usageOf(name, command)}\n`);
    return 2;
  }
  io.stderr.write(
    `dmid: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 1;
}

function processIo(): CliIo {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: controller.signal,
  };
}
