/**
 * One-off measurement (not a test: nothing is asserted): state-store throughput on standalone Redis
 * against Redis Cluster, and what `WAIT` for replicas costs per unit. Each unit does what the worker does
 * with the store: applySignals (`subjects` subjects × 1 event), saveScores, markEmitted, awaitDurable.
 *
 *   npx tsx bench/state-store-cluster.ts URL [units] [subjects] [minReplicas]
 *
 * URL: `redis://127.0.0.1:6881` (standalone; `bash deploy/local/redis.sh start-replicated` gives a primary
 * with one replica) or `redis://127.0.0.1:17000,127.0.0.1:17001,...` (a cluster:
 * `bash deploy/local/redis-cluster.sh start`). Defaults: 400 units of 80 subjects, minReplicas 0.
 * Prints subjects/s and the mean time of awaitDurable per unit. Deletes its keys.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createCodec } from '../src/codec/codec.js';
import type { IdentityScore } from '../src/codec/types.js';
import { openRedis } from '../src/state/redis-client.js';
import { masters } from '../src/state/redis-cluster.js';
import { createRedisStore } from '../src/state/redis-store.js';
import { signal, subjectId } from './bench-signals.js';

function scoreOf(subject: string): IdentityScore {
  const dimensions = (['TELECOM', 'LOCATION', 'BIOMETRIC', 'REGISTRY'] as const).map((dimension) => ({
    dimension,
    score: 0.71,
    present: true,
    evidenceAt: Date.now(),
    weight: 0.25,
  }));
  return {
    scoreId: randomUUID(),
    subjectId: subject,
    computedAt: Date.now(),
    confidence: 0.8,
    assuranceLevel: 'SUBSTANTIAL',
    dimensions,
    reasons: [],
    modelVersion: 'bench',
    triggerEventId: randomUUID(),
  };
}

async function main(): Promise<void> {
  const [url = 'redis://127.0.0.1:6379', unitsText = '400', subjectsText = '80', replicasText = '0'] =
    process.argv.slice(2);
  const units = Number(unitsText);
  const perUnit = Number(subjectsText);
  const redis = openRedis(url);
  const prefix = `bench:${randomBytes(4).toString('hex')}:`;
  const store = createRedisStore({ redis, keyPrefix: prefix, minReplicas: Number(replicasText) });
  const codec = createCodec();
  let durableMs = 0;
  const start = performance.now();
  for (let unit = 0; unit < units; unit += 1) {
    const batch = Array.from({ length: perUnit }, () => {
      const id = subjectId();
      return { subjectId: id, signals: [signal(id, 0)] };
    });
    const states = await store.applySignals(batch);
    const scores = states.map((s) => {
      const score = scoreOf(s.subjectId);
      return { version: s.version, score, record: codec.encode('score', score) };
    });
    await store.saveScores(scores);
    await store.markEmitted(states.map((s) => ({ subjectId: s.subjectId, version: s.version })));
    const before = performance.now();
    await store.awaitDurable();
    durableMs += performance.now() - before;
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(
    JSON.stringify({
      url: url.replace(/\/\/[^@]*@/, '//'),
      masters: masters(redis).length,
      units,
      subjectsPerUnit: perUnit,
      minReplicas: Number(replicasText),
      subjectsPerSecond: Math.round((units * perUnit) / seconds),
      awaitDurableMsPerUnit: Number((durableMs / units).toFixed(3)),
    }),
  );
  for (const node of masters(redis)) {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0');
    for (const key of keys) await node.unlink(key);
  }
  await store.close();
  redis.disconnect();
}

await main();
