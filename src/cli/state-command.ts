/**
 * `dmid state status | accept-epoch | rebuild [--from TIME]`: what an operator does after the state store
 * lost its data (docs/operations.md). Workers that found the store's epoch missing or changed wait for one
 * of these decisions, recorded in the store (src/state/store-epoch.ts).
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createConfiguredCodec } from '../codec/schema-files.js';
import { loadConfig, type Config } from '../config.js';
import { createKafkaTransport } from '../ingest/kafka-transport.js';
import { rebuildState, type RebuildProgress } from '../ingest/state-rebuild.js';
import { openRedis } from '../state/redis-client.js';
import { createRedisStore } from '../state/redis-store.js';
import { readEpoch, recordEpoch } from '../state/store-epoch.js';
import { wipeSubjectState } from '../state/subject-wipe.js';
import { usage, writeLine, type CliIo } from './io.js';
import { kafkaClientFor } from './kafka-config.js';

export const STATE_HELP = `Usage: dmid state status
       dmid state accept-epoch
       dmid state rebuild [--from TIME] [--idle-ms MS]

status        prints the state store's epoch (JSON): its id, the last decision and when.
accept-epoch  records that the store is accepted as it is now (after a loss: with what it lost):
              waiting workers adopt its epoch and consume again.
rebuild       empties the subjects' state, then replays the signal topics (everything retained,
              or from TIME: an ISO 8601 time or epoch ms) through the workers' apply path, with
              progress on stderr and the final counts on stdout. The scoring workers wait meanwhile
              and go on from their committed offsets afterwards. Needs DMID_KAFKA_BROKERS.

--idle-ms MS  stop once caught up and nothing came for MS milliseconds (default 3000)`;

function parseTime(text: string | undefined): number | null {
  if (text === undefined) return null;
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isSafeInteger(ms) || ms < 0) throw usage('--from must be an ISO 8601 time or epoch ms');
  return ms;
}

function progressLine(p: RebuildProgress): string {
  const total = p.records + p.remaining;
  const done = total === 0 ? 1 : p.records / total;
  const bar = '#'.repeat(Math.round(done * 30)).padEnd(30, '.');
  return `\r[${bar}] ${(done * 100).toFixed(1)}% ${p.records} records read, ${p.applied} events applied`;
}

async function rebuild(config: Config, io: CliIo, fromMs: number | null, idleMs: number): Promise<number> {
  const url = config.redis.url ?? '';
  const redis = openRedis(url);
  // It writes the epoch's decisions itself, so it does not stop at the `rebuilding` it wrote.
  const store = createRedisStore({
    redis,
    keyPrefix: config.redis.keyPrefix,
    checkEpoch: false,
    ...config.state,
  });
  const client = kafkaClientFor(config);
  try {
    const prefix = config.redis.keyPrefix;
    await recordEpoch(redis, prefix, 'rebuilding', { newId: true });
    const wiped = await wipeSubjectState(redis, prefix);
    io.stderr.write(`dmid: state rebuild: ${wiped} subject keys removed; replaying the signal topics\n`);
    let lastDraw = 0;
    const result = await rebuildState({
      // A group of its own: the scoring group's committed offsets stay where they are.
      transport: createKafkaTransport({ client, groupId: `${config.kafka.groupId}-rebuild-${randomUUID()}` }),
      store,
      codec: createConfiguredCodec(config.extraSchemaDir),
      topics: config.topics.names,
      validation: { maxFutureSkewMs: config.validation.maxFutureSkewMs },
      fromMs,
      idleMs,
      signal: io.signal,
      onProgress: (p) => {
        if (Date.now() - lastDraw < 250) return;
        lastDraw = Date.now();
        io.stderr.write(progressLine(p));
      },
    });
    io.stderr.write(`${progressLine(result)}\n`);
    if (io.signal.aborted) {
      io.stderr.write('dmid: state rebuild interrupted: the store stays in "rebuilding"; run it again\n');
      return 1;
    }
    const epoch = await recordEpoch(redis, prefix, 'rebuilt');
    await writeLine(io.stdout, JSON.stringify({ ...result, epoch }));
    return 0;
  } finally {
    await store.close();
    await redis.quit().catch(() => redis.disconnect());
  }
}

export async function stateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { from: { type: 'string' }, 'idle-ms': { type: 'string' } },
  });
  const [action, ...rest] = positionals;
  if (rest.length > 0 || !['status', 'accept-epoch', 'rebuild'].includes(action ?? '')) {
    throw usage('expected `dmid state status|accept-epoch|rebuild`');
  }
  const config = loadConfig(io.env);
  if (config.redis.url === null) throw usage('dmid state needs DMID_REDIS_URL');
  if (action === 'rebuild') {
    const idleMs = values['idle-ms'] === undefined ? 3_000 : Number(values['idle-ms']);
    if (!Number.isSafeInteger(idleMs) || idleMs < 1) throw usage('--idle-ms must be a whole number >= 1');
    return rebuild(config, io, parseTime(values.from), idleMs);
  }
  const redis = openRedis(config.redis.url);
  try {
    const prefix = config.redis.keyPrefix;
    const epoch =
      action === 'accept-epoch'
        ? await recordEpoch(redis, prefix, 'accepted')
        : await readEpoch(redis, prefix);
    await writeLine(io.stdout, JSON.stringify({ epoch }));
    return 0;
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}
