/**
 * The six-node Redis Cluster of the cluster tests, from deploy/local/redis-cluster.sh (3 masters, 3
 * replicas, cluster-node-timeout 2 s). The test runner starts it for test/integration/redis-cluster/ and
 * for the pipeline tests that also run on a cluster (scripts/test.ts), and stops it after them unless it
 * found it running. Tests on it use a random key prefix, deleted after the test on every master.
 *
 * Ports: DMID_LOCAL_REDIS_CLUSTER_PORT (default 17000, and the next five).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { openRedis } from '../../src/state/redis-client.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = `${REPO}deploy/local/redis-cluster.sh`;
const run = promisify(execFile);

/** Runs redis-cluster.sh; its stdout (trimmed). */
export async function redisClusterScript(args: readonly string[], timeoutMs = 60_000): Promise<string> {
  const { stdout } = await run('bash', [SCRIPT, ...args], { cwd: REPO, timeout: timeoutMs });
  return stdout.trim();
}

/** Whether the tests of this process run against the cluster (set by scripts/test.ts). */
export function onRedisCluster(): boolean {
  return process.env.DMID_TEST_REDIS === 'cluster';
}

export function clusterUrl(): string {
  const nodes = process.env.DMID_REDIS_CLUSTER_NODES?.trim();
  if (nodes === undefined || nodes === '') {
    throw new Error(
      'DMID_REDIS_CLUSTER_NODES is not set: run cluster tests through `npm test` (scripts/test.ts)',
    );
  }
  return `redis://${nodes}`;
}

export interface TestCluster {
  readonly cluster: Cluster;
  readonly url: string;
  /** `test:<random>:`; every key starting with it is deleted after the test. */
  readonly prefix: string;
}

export async function deleteByPrefixOnCluster(cluster: Cluster, prefix: string): Promise<void> {
  for (const node of cluster.nodes('master')) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      // One key per command: the keys of one scan page live in many slots.
      for (const key of keys) await node.unlink(key).catch(() => 0);
      cursor = next;
    } while (cursor !== '0');
  }
}

export async function clusterFor(t: TestContext): Promise<TestCluster> {
  const url = clusterUrl();
  const client = openRedis(url);
  if (!(client instanceof Cluster)) throw new Error('DMID_REDIS_CLUSTER_NODES names one node');
  await client.ping();
  const prefix = `test:${randomBytes(6).toString('hex')}:`;
  t.after(async () => {
    try {
      await deleteByPrefixOnCluster(client, prefix);
    } finally {
      client.disconnect();
    }
  });
  return { cluster: client, url, prefix };
}
