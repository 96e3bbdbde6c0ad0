/**
 * One-off measurement of the Redis state store's applySignals (not a test: nothing is asserted).
 *
 *   DMID_REDIS_URL=redis://127.0.0.1:6379 npx tsx bench/state-store-apply.ts [subjects] [batches] [batchSize] [copies]
 *
 * Defaults: 2,000 subjects, 200 batches of 500 subjects × 1 event. Each subject first gets 40 events (the
 * location window, 3 in 7 of them, fills up), so most inserts also trim, as in the steady state; the
 * measured batches bring each subject to 90. Prints events/s and batch latency seen from Node, the Lua
 * time per call from INFO commandstats (the server's own count, so only clean on a Redis nobody else uses
 * meanwhile), and the memory of one subject's keys at 90 events and of one driven to 600 (every window
 * and the dedupe memory full, at its default of 512 ids). Deletes its keys (prefix `bench:<hex>:`).
 * `copies` is the store's evidenceCopies (default: the store's default; 0 makes every reply carry the
 * windows, as before evidence copies). Also prints this process's CPU per event (Node's side of the call).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { SIGNAL_KINDS } from '../src/codec/types.js';
import { openRedis } from '../src/state/redis-client.js';
import { masters, type RedisClient } from '../src/state/redis-cluster.js';
import { createRedisStore } from '../src/state/redis-store.js';
import type { SubjectSignals } from '../src/state/state-store.js';
import { signal, subjectId } from './bench-signals.js';
import { deleteKeys, percentile } from './bench-support.js';

/** Summed over every master (one server standalone): a cluster spreads the calls over its masters. */
async function evalshaStats(redis: RedisClient): Promise<{ calls: number; usec: number }> {
  const total = { calls: 0, usec: 0 };
  for (const node of masters(redis)) {
    const info = await node.info('commandstats');
    const line = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(info);
    total.calls += Number(line?.[1] ?? 0);
    total.usec += Number(line?.[2] ?? 0);
  }
  return total;
}

async function main(): Promise<void> {
  const url = process.env.DMID_REDIS_URL;
  if (url === undefined || url === '') throw new Error('set DMID_REDIS_URL');
  const [subjects = 2_000, batches = 200, batchSize = 500, copies] = process.argv.slice(2).map(Number);
  // openRedis: a URL naming several nodes is a cluster (`new Redis` of it connected nowhere useful).
  const redis = openRedis(url);
  await redis.ping();
  const prefix = `bench:${randomBytes(4).toString('hex')}:`;
  const store = createRedisStore({
    redis,
    keyPrefix: prefix,
    ...(copies === undefined ? {} : { evidenceCopies: copies }),
  });
  const ids = Array.from({ length: subjects }, subjectId);
  const counters = new Map(ids.map((id) => [id, 0]));
  let cursor = 0;
  const nextBatch = (): SubjectSignals[] =>
    Array.from({ length: batchSize }, () => {
      const id = ids[cursor++ % ids.length] ?? '';
      const n = (counters.get(id) ?? 0) + 1;
      counters.set(id, n);
      return { subjectId: id, signals: [signal(id, n)] };
    });
  try {
    for (let i = 0; i < (subjects * 40) / batchSize; i += 1) await store.applySignals(nextBatch());
    const before = await evalshaStats(redis);
    const latencies: number[] = [];
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < batches; i += 1) {
      const t0 = performance.now();
      await store.applySignals(nextBatch());
      latencies.push(performance.now() - t0);
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const after = await evalshaStats(redis);
    latencies.sort((a, b) => a - b);
    const bytesOf = (id: string) =>
      Promise.all(['state', 'seen'].map((role) => redis.memory('USAGE', `${prefix}{${id}}:${role}`)));
    const memory = await bytesOf(ids[0] ?? '');
    // One subject driven past the default dedupe memory (512 ids), for the memory of a long-lived subject.
    const veteran = subjectId();
    for (let n = 1; n <= 600; n += 50) {
      const signals = Array.from({ length: 50 }, (_, i) => signal(veteran, n + i));
      await store.applySignals([{ subjectId: veteran, signals }]);
    }
    const veteranMemory = await bytesOf(veteran);
    console.log(
      JSON.stringify(
        {
          subjects,
          batches,
          batchSize,
          kinds: SIGNAL_KINDS.length,
          eventsPerSecond: Math.round((batches * batchSize) / seconds),
          evidenceCopies: copies ?? 'default',
          nodeCpuUsecPerEvent: Math.round(((cpu.user + cpu.system) / (batches * batchSize)) * 10) / 10,
          batchMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
          luaUsecPerCall: (after.usec - before.usec) / Math.max(1, after.calls - before.calls),
          bytesPerSubject: { state: memory[0], seen: memory[1] },
          bytesAt600Events: { state: veteranMemory[0], seen: veteranMemory[1] },
        },
        null,
        2,
      ),
    );
  } finally {
    // One key per UNLINK: on a cluster node, the keys of one scan page live in many slots.
    for (const node of masters(redis)) await deleteKeys(node, prefix, 1);
    await store.close();
    await redis.quit();
  }
}

await main();
