/**
 * Kafka and Redis in containers through testcontainers, used only when a Docker engine answers.
 * testcontainers is imported lazily: loading it costs time, and without an engine its own discovery can
 * wait a long time before failing, so a short /_ping probe decides first.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Same Kafka line as deploy/local/kafka.sh, so both paths test against one broker version. */
export const KAFKA_IMAGE = `apache/kafka:${process.env.DMID_KAFKA_VERSION ?? '3.9.2'}`;
export const REDIS_IMAGE = 'redis:7';

type Endpoint = { socketPath: string } | { host: string; port: number };

function dockerEndpoints(): Endpoint[] {
  const dockerHost = process.env.DOCKER_HOST;
  if (dockerHost !== undefined && dockerHost !== '') {
    if (dockerHost.startsWith('unix://')) return [{ socketPath: dockerHost.slice('unix://'.length) }];
    const tcp = /^tcp:\/\/([^:/]+):(\d+)/.exec(dockerHost);
    return tcp?.[1] !== undefined && tcp[2] !== undefined ? [{ host: tcp[1], port: Number(tcp[2]) }] : [];
  }
  const runtimeDir = process.env.XDG_RUNTIME_DIR;
  return [
    { socketPath: '/var/run/docker.sock' },
    ...(runtimeDir === undefined ? [] : [{ socketPath: join(runtimeDir, 'docker.sock') }]),
    { socketPath: join(homedir(), '.docker', 'run', 'docker.sock') },
    { socketPath: join(homedir(), '.docker', 'desktop', 'docker.sock') },
  ];
}

function ping(endpoint: Endpoint, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ ...endpoint, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      // Any HTTP answer means an engine listens (a TLS-only port answers 400 to plain HTTP).
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** True when a Docker engine answers /_ping within `timeoutMs` on DOCKER_HOST or a usual socket. */
export async function dockerAnswers(timeoutMs = 1500): Promise<boolean> {
  const answers = await Promise.all(dockerEndpoints().map((e) => ping(e, timeoutMs)));
  return answers.includes(true);
}

export interface ContainerService {
  readonly address: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** 16 random bytes, URL-safe base64: Kafka's cluster id format (not starting with '-', read as an option). */
function clusterId(): string {
  const id = randomBytes(16).toString('base64url');
  return id.startsWith('-') ? `A${id.slice(1)}` : id;
}

export async function startRedisContainer(): Promise<ContainerService> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(REDIS_IMAGE)
    .withExposedPorts(6379)
    .withCommand(['redis-server', '--save', '', '--appendonly', 'no'])
    .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
    .withStartupTimeout(120_000)
    .start();
  return {
    address: `redis://${container.getHost()}:${container.getMappedPort(6379)}`,
    async stop() {
      await container.stop();
    },
  };
}

/**
 * A KRaft broker+controller with the same settings as deploy/local/kafka.sh. Clients outside the
 * container must be told an address they can reach, which has to be known before the broker starts:
 * so the host port is chosen here and bound explicitly instead of letting Docker pick one.
 */
export async function startKafkaContainer(): Promise<ContainerService> {
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers');
  const host = (await getContainerRuntimeClient()).info.containerRuntime.host;
  const hostPort = await freePort();
  const container = await new GenericContainer(KAFKA_IMAGE)
    .withExposedPorts({ container: 9092, host: hostPort })
    .withEnvironment({
      CLUSTER_ID: clusterId(),
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092,BROKER://0.0.0.0:9094,CONTROLLER://0.0.0.0:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${hostPort},BROKER://localhost:9094`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'BROKER',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_NUM_PARTITIONS: '12',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '12',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_HEAP_OPTS: '-Xms256m -Xmx768m',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(120_000)
    .start();
  return {
    address: `${host}:${hostPort}`,
    async stop() {
      await container.stop();
    },
  };
}
