/**
 * Opens the Redis client dmid's stores use: a standalone `Redis` for one URL, a `Cluster` for a URL that
 * names several nodes (`redis://host1:port1,host2:port2`), which Redis Cluster needs to find its masters.
 */
import { Cluster, Redis } from 'ioredis';

/**
 * One retry, then the command fails: the worker decides what to do about a Redis that is down (pause,
 * retry the unit), rather than commands queueing forever.
 */
const CLIENT_OPTIONS = { maxRetriesPerRequest: 1, connectTimeout: 5_000 } as const;

/**
 * Bounded retries of a cluster in flux: MOVED and ASK are followed (at most `maxRedirections`), TRYAGAIN
 * and CLUSTERDOWN retried after `retryDelayOnTryAgain` / `retryDelayOnClusterDown` up to the same bound;
 * what is left over fails the unit, which the worker retries (src/ingest/retry.ts).
 */
const CLUSTER_OPTIONS = {
  maxRedirections: 16,
  retryDelayOnTryAgain: 100,
  retryDelayOnClusterDown: 200,
  retryDelayOnFailover: 200,
  slotsRefreshTimeout: 2_000,
  redisOptions: CLIENT_OPTIONS,
} as const;

/** The nodes of a URL naming several (`redis://a:1,b:2` or `redis://a:1,redis://b:2`), or null for one. */
export function clusterNodesOf(url: string): { host: string; port: number }[] | null {
  const scheme = /^rediss?:\/\//.exec(url)?.[0] ?? 'redis://';
  const parts = url.split(',');
  if (parts.length < 2) return null;
  return parts.map((part) => {
    const parsed = new URL(part.startsWith('redis') ? part : `${scheme}${part}`);
    return { host: parsed.hostname, port: Number(parsed.port || 6379) };
  });
}

export function openRedis(url: string): Redis | Cluster {
  const nodes = clusterNodesOf(url);
  const client =
    nodes === null
      ? new Redis(url, CLIENT_OPTIONS)
      : new Cluster(nodes, {
          ...CLUSTER_OPTIONS,
          redisOptions: { ...CLIENT_OPTIONS, ...credentialsOf(url) },
        });
  // Connection errors also fail the commands that need the connection, which report them as
  // DMID_REDIS_UNAVAILABLE; without a listener ioredis would print every reconnect attempt.
  client.on('error', () => undefined);
  return client;
}

function credentialsOf(url: string): { username?: string; password?: string } {
  const first = new URL(url.split(',')[0] ?? url);
  return {
    ...(first.username === '' ? {} : { username: decodeURIComponent(first.username) }),
    ...(first.password === '' ? {} : { password: decodeURIComponent(first.password) }),
  };
}
