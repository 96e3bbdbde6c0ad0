/**
 * A real Kafka broker and a real Redis for integration tests (design.md, "Tests"), found in this order,
 * Kafka and Redis each on its own:
 *   1. DMID_KAFKA_BROKERS / DMID_REDIS_URL when set;
 *   2. testcontainers, when a Docker engine answers;
 *   3. deploy/local/kafka.sh and deploy/local/redis.sh (Apache Kafka jars + Java, redis-server).
 * DMID_TEST_INFRA=local or =testcontainers skips the choice between 2 and 3.
 * Failing to get either is DMID_INFRA_UNAVAILABLE; the test runner makes that a hard failure under CI.
 */
import { DmidError } from '../../src/errors.js';
import { dockerAnswers, startKafkaContainer, startRedisContainer } from './infra-docker.js';
import { startLocalKafka, startLocalRedis } from './infra-local.js';

export type InfraSource = 'env' | 'testcontainers' | 'local';

/**
 * Variables read only by the infrastructure tooling (deploy/local/*.sh, this module). They share the
 * DMID_ prefix but are not application settings, and src/config.ts rejects unknown DMID_ variables, so
 * the test runner removes them from the environment of the tests it starts.
 */
export const INFRA_TOOLING_ENV = [
  'DMID_KAFKA_VERSION',
  'DMID_KAFKA_CACHE',
  'DMID_KAFKA_HEAP',
  'DMID_KAFKA_START_TIMEOUT',
  'DMID_LOCAL_KAFKA_PORT',
  'DMID_LOCAL_KAFKA_CONTROLLER_PORT',
  'DMID_LOCAL_REDIS_PORT',
  'DMID_REDIS_CACHE',
  'DMID_TEST_INFRA',
  'DMID_CLUSTER_KAFKA_PORTS',
  'DMID_CLUSTER_KAFKA_HEAP',
] as const;

export interface Infra {
  /** Comma-separated host:port list, the format of DMID_KAFKA_BROKERS. */
  readonly kafkaBrokers: string;
  readonly redisUrl: string;
  /** 'env' only when both came from the environment; otherwise how the missing ones were provided. */
  readonly source: InfraSource;
  readonly sources: { readonly kafka: InfraSource; readonly redis: InfraSource };
  /** Stops what startInfra started (never something it found running). Safe to call twice. */
  stop(): Promise<void>;
}

interface Service {
  readonly address: string;
  stop(): Promise<void>;
}

function fromEnv(name: 'DMID_KAFKA_BROKERS' | 'DMID_REDIS_URL'): Service | undefined {
  const value = process.env[name]?.trim();
  return value === undefined || value === '' ? undefined : { address: value, stop: () => Promise.resolve() };
}

async function chooseProvider(): Promise<Exclude<InfraSource, 'env'>> {
  const forced = process.env.DMID_TEST_INFRA;
  if (forced === 'local' || forced === 'testcontainers') return forced;
  if (forced !== undefined && forced !== '') {
    throw new DmidError('DMID_INFRA_UNAVAILABLE', 'DMID_TEST_INFRA must be "local" or "testcontainers"', {
      field: 'DMID_TEST_INFRA',
    });
  }
  return (await dockerAnswers()) ? 'testcontainers' : 'local';
}

async function provide(
  what: 'Kafka' | 'Redis',
  provider: Exclude<InfraSource, 'env'>,
  start: () => Promise<Service>,
): Promise<Service> {
  try {
    return await start();
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const hint =
      provider === 'local'
        ? ' (needs Java 17+ and Maven for Kafka, redis-server for Redis; or set DMID_KAFKA_BROKERS / DMID_REDIS_URL)'
        : '';
    throw new DmidError('DMID_INFRA_UNAVAILABLE', `${what} via ${provider} failed: ${detail}${hint}`, {
      cause: error,
    });
  }
}

/** Stops every service, last started first, and reports all failures rather than the first. */
async function stopAll(services: readonly Service[]): Promise<void> {
  const failures: unknown[] = [];
  for (const service of [...services].reverse()) {
    try {
      await service.stop();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, 'stopping test infrastructure failed');
}

export async function startInfra(): Promise<Infra> {
  let kafka = fromEnv('DMID_KAFKA_BROKERS');
  let redis = fromEnv('DMID_REDIS_URL');
  const sources = { kafka: 'env' as InfraSource, redis: 'env' as InfraSource };
  const started: Service[] = [];
  try {
    if (kafka === undefined || redis === undefined) {
      const provider = await chooseProvider();
      const startKafka = provider === 'local' ? startLocalKafka : startKafkaContainer;
      const startRedis = provider === 'local' ? startLocalRedis : startRedisContainer;
      // One after the other: on a 2-core machine a JVM start and a container pull compete anyway, and a
      // failure of the first need not wait for the second.
      if (kafka === undefined) {
        kafka = await provide('Kafka', provider, startKafka);
        started.push(kafka);
        sources.kafka = provider;
      }
      if (redis === undefined) {
        redis = await provide('Redis', provider, startRedis);
        started.push(redis);
        sources.redis = provider;
      }
    }
  } catch (error) {
    await stopAll(started).catch(() => undefined);
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    kafkaBrokers: kafka.address,
    redisUrl: redis.address,
    source: sources.kafka === 'env' ? sources.redis : sources.kafka,
    sources,
    stop() {
      stopping ??= stopAll(started);
      return stopping;
    },
  };
}
