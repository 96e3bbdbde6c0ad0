/** `dmid topics create`: creates every topic of the contract, idempotently, and says what it did. */
import { parseArgs } from 'node:util';
import { allTopics, loadConfig, type TopicNames } from '../config.js';
import { ensureTopics } from '../ingest/topics.js';
import { signalRetentionMs } from '../ingest/state-rebuild.js';
import { usage, writeLine, type CliIo } from './io.js';
import { count } from './suggest.js';
import { kafkaClientFor } from './kafka-config.js';

export const TOPICS_HELP = `Usage: dmid topics create [--partitions N] [--replication-factor N]

Creates every topic of the contract (signals.telecom, signals.location, signals.biometric,
signals.registry, identity.scores, identity.anchors, signals.dlq, each after DMID_TOPIC_PREFIX).
Existing topics are left as they are and reported; a topic with fewer partitions than asked is
reported as a warning. Prints one JSON object: { created, existing, warnings }.

The four signal topics are created with retention.ms = DMID_STATE_TTL_SECONDS (the longest any
evidence stays in a subject's state) plus one day, so \`dmid state rebuild\` finds every event that
scoring can still use (docs/operations.md).

Options:
  --partitions N          partitions per topic (default DMID_TOPIC_PARTITIONS, 12)
  --replication-factor N  replicas per partition (default DMID_TOPIC_REPLICATION_FACTOR, 1)`;

function signalTopics(names: TopicNames): string[] {
  return [names.telecom, names.location, names.biometric, names.registry];
}

function positiveInt(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw usage(`${flag} must be a whole number >= 1`);
  return value;
}

export async function topicsCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { partitions: { type: 'string' }, 'replication-factor': { type: 'string' } },
  });
  if (positionals.length !== 1 || positionals[0] !== 'create') throw usage('usage: dmid topics create');
  const config = loadConfig(io.env);
  const partitions = positiveInt('--partitions', values.partitions, config.topics.partitions);
  const replicationFactor = positiveInt(
    '--replication-factor',
    values['replication-factor'],
    config.topics.replicationFactor,
  );
  const admin = await kafkaClientFor(config).admin();
  try {
    const signals = new Set(signalTopics(config.topics.names));
    const retentionMs = signalRetentionMs(config.state.stateTtlSeconds);
    const specs = allTopics(config.topics.names).map((name) => ({
      name,
      partitions,
      replicationFactor,
      ...(signals.has(name) ? { retentionMs } : {}),
    }));
    const result = await ensureTopics(admin, specs);
    for (const warning of result.warnings) io.stderr.write(`dmid: warning: ${warning.message}\n`);
    io.stderr.write(
      `dmid: ${count(result.created.length, 'topic')} created, ${result.existing.length} already there\n`,
    );
    await writeLine(io.stdout, JSON.stringify(result));
    return 0;
  } finally {
    await admin.disconnect();
  }
}
