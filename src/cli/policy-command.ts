/**
 * `dmid policy backtest --policy FILE --from TIME`: replays identity.scores from Kafka through a draft
 * policy and the live version of its id, and prints the report (counts per outcome, subjects that flip by
 * pseudonym) as JSON. `dmid policy list`: the policy packs the decision API serves, with their hashes.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createConfiguredCodec } from '../codec/schema-files.js';
import { loadConfig, type Config } from '../config.js';
import { DmidError } from '../errors.js';
import { withKafka, type KafkaClient } from '../ingest/kafka-client.js';
import { consumeRecords } from '../ingest/kafka-reader.js';
import { createBacktest, type BacktestReport } from '../policy/backtest.js';
import { loadPolicyDir, loadPolicyFile } from '../policy/policy-loader.js';
import type { Policy } from '../policy/policy-schema.js';
import { usage, writeLine, type CliIo } from './io.js';
import { kafkaClientFor } from './kafka-config.js';

export const POLICY_HELP = `Usage: dmid policy <list|backtest> [options]

  dmid policy list
      The policy packs the decision API serves (DMID_POLICY_DIR, else policies/): id, version, mode
      (live or shadow) and content hash, one JSON line each.

  dmid policy backtest --policy FILE --from TIME [--live FILE] [--idle-ms MS]
      Reads identity.scores from the beginning up to its current end, decides every score computed
      at or after TIME with the draft policy FILE and with the live policy of the same id (from the
      policy folder, or --live FILE), and prints one JSON report: counts per outcome for both, and
      the subjects (by pseudonym) whose outcome flips. TIME is ISO 8601 or epoch milliseconds.
      --idle-ms stops reading after MS milliseconds without a record (default 10000).`;

function parseTime(text: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isSafeInteger(ms)) throw usage('--from must be ISO 8601 (2026-11-24T10:00:00Z) or epoch ms');
  return ms;
}

function livePolicy(config: Config, draft: Policy, liveFile: string | undefined): Policy {
  const live =
    liveFile !== undefined
      ? loadPolicyFile(liveFile)
      : loadPolicyDir(config.relyingParties.policyDir ?? undefined).live(draft.rules.id);
  if (live === undefined) throw usage(`no live policy ${draft.rules.id} to compare with: give --live FILE`);
  if (live.rules.id !== draft.rules.id) throw usage('--live is a policy with another id than --policy');
  return live;
}

/** Offsets at which each partition of `topic` ends now; reading stops when all are reached. */
async function endOffsets(client: KafkaClient, topic: string): Promise<Map<number, bigint>> {
  const admin = await client.admin();
  try {
    const offsets = await withKafka(`offsets of ${topic}`, () => admin.fetchTopicOffsets(topic));
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

async function replay(
  config: Config,
  draft: Policy,
  live: Policy,
  fromMs: number,
  idleMs: number,
  io: CliIo,
): Promise<BacktestReport> {
  const client = kafkaClientFor(config);
  const topic = config.topics.names.scores;
  const codec = createConfiguredCodec(config.extraSchemaDir);
  const ends = await endOffsets(client, topic);
  const pending = new Set([...ends].filter(([, end]) => end > 0n).map(([p]) => p));
  const backtest = createBacktest(draft, live);
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  io.signal.addEventListener('abort', stop, { once: true });
  let idle = setTimeout(stop, idleMs);
  try {
    if (pending.size > 0) {
      await consumeRecords({
        client,
        topic,
        groupId: `dmid-backtest-${randomUUID()}`,
        fromBeginning: true,
        signal: controller.signal,
        onRecord: (record) => {
          clearTimeout(idle);
          idle = setTimeout(stop, idleMs);
          if (record.value !== null) {
            const score = codec.decode('score', record.value);
            if (score.computedAt >= fromMs) backtest.add(score);
          }
          const end = ends.get(record.partition);
          if (end !== undefined && BigInt(record.offset) + 1n >= end) pending.delete(record.partition);
          if (pending.size === 0) stop();
        },
      });
    }
  } finally {
    clearTimeout(idle);
    io.signal.removeEventListener('abort', stop);
  }
  if (pending.size > 0 && !io.signal.aborted) {
    throw new DmidError('DMID_KAFKA_UNAVAILABLE', `no record for ${idleMs} ms before the end of ${topic}`);
  }
  return backtest.report();
}

async function backtestCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    options: {
      policy: { type: 'string' },
      from: { type: 'string' },
      live: { type: 'string' },
      'idle-ms': { type: 'string' },
    },
  });
  if (positionals.length > 0) throw usage('backtest takes no positional arguments');
  if (values.policy === undefined || values.from === undefined)
    throw usage('--policy and --from are required');
  const idleMs = values['idle-ms'] === undefined ? 10_000 : Number(values['idle-ms']);
  if (!Number.isInteger(idleMs) || idleMs < 1) throw usage('--idle-ms must be a whole number >= 1');
  const config = loadConfig(io.env);
  const draft = loadPolicyFile(values.policy);
  const live = livePolicy(config, draft, values.live);
  const report = await replay(config, draft, live, parseTime(values.from), idleMs, io);
  await writeLine(io.stdout, JSON.stringify(report, null, 2));
  io.stderr.write(
    `dmid: backtest over ${report.scores} scores of ${report.subjects} subjects: ${report.flips.length} flip\n`,
  );
  return 0;
}

async function listCommand(args: string[], io: CliIo): Promise<number> {
  if (args.length > 0) throw usage('list takes no arguments');
  const config = loadConfig(io.env);
  for (const p of loadPolicyDir(config.relyingParties.policyDir ?? undefined).all()) {
    const { id, version, mode, title } = p.rules;
    await writeLine(io.stdout, JSON.stringify({ id, version, mode, contentHash: p.contentHash, title }));
  }
  return 0;
}

export async function policyCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'backtest') return backtestCommand(rest, io);
  if (sub === 'list') return listCommand(rest, io);
  throw usage('expected `dmid policy list` or `dmid policy backtest`');
}
