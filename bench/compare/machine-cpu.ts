/**
 * CPU time of the other processes a contender makes work, so a result says where the machine's CPU went:
 * the Redis server (from INFO) and the Kafka broker (from /proc, Linux only; NaN elsewhere or when several
 * or no broker processes are found). Both run on this machine beside the contender.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** Linux's USER_HZ: /proc reports CPU time in these ticks (100 on every mainstream kernel config). */
const CLOCK_TICKS_PER_SECOND = 100;

export interface CpuSnapshot {
  readonly redisSeconds: number;
  readonly brokerSeconds: number;
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string): number =>
    Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/**
 * The broker process: with several on the machine (other worktrees' test brokers), the one whose run
 * directory is named after the port of `brokers` (deploy/local/kafka.sh: run/<port>/server.properties).
 */
function brokerPid(brokers: string): number | undefined {
  const port = /:(\d+)/.exec(brokers.split(',')[0] ?? '')?.[1];
  const found: number[] = [];
  const mine: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.includes('kafka.Kafka')) continue;
      found.push(Number(entry));
      if (port !== undefined && cmdline.includes(`/${port}/server.properties`)) mine.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  if (mine.length === 1) return mine[0];
  return found.length === 1 ? found[0] : undefined;
}

function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    // Fields after the command name (which may hold spaces, hence the last ')'): utime is field 14.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

export async function cpuSnapshot(redis: Redis, brokers: string): Promise<CpuSnapshot> {
  return { redisSeconds: await redisCpuSeconds(redis), brokerSeconds: processCpuSeconds(brokerPid(brokers)) };
}

/** CPU seconds per 1,000 events of Redis and the broker between two snapshots. */
export function cpuPer1000(before: CpuSnapshot, after: CpuSnapshot, events: number): CpuSnapshot {
  return {
    redisSeconds: ((after.redisSeconds - before.redisSeconds) / events) * 1000,
    brokerSeconds: ((after.brokerSeconds - before.brokerSeconds) / events) * 1000,
  };
}
