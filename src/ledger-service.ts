/**
 * Wiring of `dmid ledger-writer`: the ledger writer as its own consumer group on `identity.anchors`
 * (Kafka), proofs and receipts in Redis, the configured ledger, and the HTTP API of this process:
 * receipts (`GET /v1/anchors/:anchorId/receipt`), scores, /healthz, /readyz and /metrics. Scores and
 * receipts need an API key and the engine's relationships and receipt grants, as on the engine's API.
 */
import { createLedgerMetrics } from './api/ledger-metrics.js';
import { createMetrics } from './api/metrics.js';
import { readinessOf } from './api/readiness.js';
import { createApiServer } from './api/server.js';
import { createLedgerWriter } from './anchor/ledger-writer.js';
import type { LedgerRef } from './anchor/ledger/ledger.js';
import { openConfiguredLedger } from './anchor/ledger/open-ledger.js';
import { createRedisReceiptStore } from './anchor/redis-receipt-store.js';
import { createConfiguredCodec } from './codec/schema-files.js';
import { allTopics, type Config } from './config.js';
import { DmidError } from './errors.js';
import { createKafkaClient } from './ingest/kafka-client.js';
import { kafkaConnectivityMetrics } from './ingest/kafka-connectivity.js';
import { createKafkaTransport } from './ingest/kafka-transport.js';
import { ensureTopics } from './ingest/topics.js';
import type { Logger } from './logger.js';
import { createAccessGuards, openRelyingPartyRedis } from './relying-parties.js';
import { createRedisStore } from './state/redis-store.js';

export interface LedgerService {
  readonly apiUrl: string;
  /** Settles when the writer stops: resolves after stop(), rejects when consumption failed. */
  readonly running: Promise<void>;
  stop(): Promise<void>;
}

export interface LedgerServiceHooks {
  /** See LedgerWriterDeps.onAppended (crash tests). */
  readonly onAppended?: (ref: LedgerRef) => Promise<void>;
}

export async function startLedgerService(
  config: Config,
  logger: Logger,
  hooks: LedgerServiceHooks = {},
): Promise<LedgerService> {
  const brokers = config.kafka.brokers;
  const redisUrl = config.redis.url;
  if (brokers === null || redisUrl === null) {
    throw new DmidError(
      'DMID_CONFIG_INVALID',
      'dmid ledger-writer needs DMID_KAFKA_BROKERS and DMID_REDIS_URL',
    );
  }
  const client = createKafkaClient({
    brokers,
    clientId: config.kafka.clientId,
    logLevel: 'warn',
    // Into the process's own log, not raw lines on stderr.
    logger: (entry) => logger[entry.level]({ kafka: entry.namespace, ...entry.fields }, entry.message),
    sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    tls: config.kafka.tls,
    sasl: config.kafka.sasl,
    // A broker restart is ridden out, not exited (kafka-connectivity.ts).
    reconnectForever: true,
  });
  const admin = await client.admin();
  try {
    const specs = allTopics(config.topics.names).map((name) => ({
      name,
      partitions: config.topics.partitions,
      replicationFactor: config.topics.replicationFactor,
    }));
    await ensureTopics(admin, specs);
  } finally {
    await admin.disconnect();
  }
  const ledger = await openConfiguredLedger(config, logger);
  const receipts = createRedisReceiptStore({
    redis: redisUrl,
    keyPrefix: config.redis.keyPrefix,
    ttlSeconds: config.ledger.receiptTtlSeconds,
  });
  const scores = createRedisStore({ redis: redisUrl, keyPrefix: config.redis.keyPrefix, ...config.state });
  const metrics = createMetrics();
  // Scores and receipts are read with the engine's clients, relationships and receipt grants (Redis).
  const guardRedis = openRelyingPartyRedis(redisUrl);
  const writer = createLedgerWriter({
    transport: createKafkaTransport({
      client,
      groupId: config.ledger.groupId,
      partitionsConsumedConcurrently: config.worker.partitionsConcurrently,
      onConnectivity: kafkaConnectivityMetrics(metrics.registry, 'ledger-writer'),
    }),
    codec: createConfiguredCodec(config.extraSchemaDir),
    ledger,
    store: receipts,
    topics: {
      anchors: config.topics.names.anchors,
      receipts: config.topics.names.receipts,
      dlq: config.topics.names.dlq,
    },
    groupId: config.ledger.groupId,
    metrics: createLedgerMetrics(metrics.registry),
    logger,
    batchMaxAnchors: config.ledger.batchMaxAnchors,
    batchMaxMs: config.ledger.batchMs,
    onAppended: hooks.onAppended,
  });
  const api = createApiServer({
    store: scores,
    receipts,
    metrics,
    halfLives: config.halfLivesMs,
    logger,
    accessGuards: createAccessGuards(config, guardRedis, logger),
    readiness: async () => {
      const status = writer.status();
      const store = await receipts.ping().then(
        () => ({ ok: true }),
        () => ({ ok: false, detail: 'store unreachable' }),
      );
      return readinessOf({
        transport: status.transport,
        store,
        consumption: status.paused
          ? { ok: false, detail: 'paused: the ledger or store is down' }
          : { ok: true },
      });
    },
  });
  const { url } = await api.listen(config.api.host, config.api.port);
  const running = writer.run();
  let stopping: Promise<void> | undefined;
  return {
    apiUrl: url,
    running,
    stop() {
      stopping ??= (async () => {
        await writer.stop();
        await running.catch(() => undefined);
        await api.close();
        await Promise.allSettled([receipts.close(), scores.close(), ledger.close()]);
        guardRedis.disconnect();
      })();
      return stopping;
    },
  };
}
