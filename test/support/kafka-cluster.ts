/**
 * What the fault tests do to the three-broker cluster the test runner started for them
 * (test/support/infra-cluster.ts): kill a partition's leader, restart a broker with its data, and read
 * topics with Kafka's own Java consumer, independently of the Node client under test.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runClusterScript } from './infra-cluster.js';
import { kafkaBrokers } from './kafka.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const READER = fileURLToPath(new URL('kafka-cluster-reader.java', import.meta.url));
/** The jars deploy/local/kafka.sh fetched (its default cache; the runner does not pass DMID_KAFKA_CACHE on). */
const LIBS = `${REPO}.cache/kafka/3.9.2/libs`;

/** The cluster's ports, from the brokers the runner gave the tests, for the script. */
function scriptEnv(): Record<string, string> {
  const ports = kafkaBrokers().map((b) => b.split(':').at(-1) ?? '');
  if (ports.length !== 3) {
    throw new Error(
      `fault tests need the three-broker cluster; DMID_KAFKA_BROKERS is ${kafkaBrokers().join(',')}`,
    );
  }
  return { DMID_CLUSTER_KAFKA_PORTS: ports.join(' ') };
}

async function cluster(args: readonly string[], timeoutMs: number): Promise<string> {
  const result = await runClusterScript(args, { timeoutMs, env: scriptEnv() });
  if (result.code !== 0) {
    throw new Error(`kafka-cluster.sh ${args.join(' ')} exited with ${result.code}: ${result.stderr}`);
  }
  return result.stdout;
}

/** SIGKILLs the current leader of `topic`/`partition`; returns its node number (1..3). */
export async function killLeader(topic: string, partition: number): Promise<number> {
  return Number(await cluster(['kill-leader', topic, String(partition)], 15_000));
}

/** Stops node `n` (SIGTERM; nothing when it is down), starts it with its data, waits until all in sync. */
export async function restartBroker(n: number): Promise<void> {
  await cluster(['restart-broker', String(n)], 120_000);
}

export async function leaderOf(topic: string, partition: number): Promise<number> {
  return Number(await cluster(['leader', topic, String(partition)], 15_000));
}

export interface JavaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

function bytes(field: string | undefined): Buffer | null {
  return field === undefined || field === '-' ? null : Buffer.from(field, 'base64');
}

/**
 * Every record of `topics` up to their end offsets now, read by Kafka's own Java consumer
 * (test/support/kafka-cluster-reader.java) under `isolation`.
 */
export function readWithJava(
  topics: readonly string[],
  isolation: 'read_committed' | 'read_uncommitted' = 'read_committed',
): Promise<JavaRecord[]> {
  const args = ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-cp', `${LIBS}/*`, READER];
  return new Promise((resolve, reject) => {
    execFile(
      'java',
      [...args, kafkaBrokers().join(','), isolation, ...topics],
      { maxBuffer: 512 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error !== null) {
          reject(new Error(`kafka-cluster-reader failed: ${error.message}\n${stderr.slice(-2000)}`));
          return;
        }
        const records = stdout
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => {
            const [topic = '', partition, offset, key, value] = line.split('\t');
            return {
              topic,
              partition: Number(partition),
              offset: Number(offset),
              key: bytes(key),
              value: bytes(value),
            };
          });
        resolve(records);
      },
    );
  });
}
