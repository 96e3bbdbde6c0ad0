/**
 * Wiring only: builds the engine's parts from configuration, starts them, stops them in order.
 *
 * Two modes differ in exactly two adapters. With DMID_KAFKA_BROKERS and DMID_REDIS_URL set: the Kafka
 * transport and the Redis store. With neither (embedded mode, `npm start` on a fresh machine): the
 * in-process partitioned log and the in-memory store, fed by the built-in simulator. Every other part,
 * the worker, scorer, codec, API and metrics, is the same object in both.
 */
import { LatencyWindow } from './api/latency-window.js';
import { createMetrics, type DmidMetrics } from './api/metrics.js';
import { readinessOf, type ReadinessCheck, type ReadinessReport } from './api/readiness.js';
import { createApiServer } from './api/server.js';
import { workerMetrics } from './api/worker-metrics.js';
import type { Codec } from './codec/codec.js';
import { createConfiguredCodec } from './codec/schema-files.js';
import { allTopics, type Config } from './config.js';
import { DmidError } from './errors.js';
import { createKafkaClient } from './ingest/kafka-client.js';
import { kafkaConnectivityMetrics } from './ingest/kafka-connectivity.js';
import type { Registry } from 'prom-client';
import { createKafkaTransport, defaultTransactionalId } from './ingest/kafka-transport.js';
import { createMemoryTransport } from './ingest/memory-transport.js';
import { ensureTopics } from './ingest/topics.js';
import type { Transport } from './ingest/transport.js';
import { createWorker } from './ingest/worker.js';
import { startEmbeddedLedger } from './anchor/embedded-ledger.js';
import { createRedisReceiptStore } from './anchor/redis-receipt-store.js';
import { createLedgerMetrics } from './api/ledger-metrics.js';
import type { Logger } from './logger.js';
import { teeTransport } from './alerts/tee-transport.js';
import { createRelyingParties, openRelyingPartyRedis } from './relying-parties.js';
import type { RedisClient } from './state/redis-cluster.js';
import { createConfiguredScorer } from './scoring/configured-scorer.js';
import { publish } from './simulator/publish.js';
import { createSignalStream } from './simulator/stream.js';
import { createMemoryStore } from './state/memory-store.js';
import { createRedisStore } from './state/redis-store.js';
import type { StateStore } from './state/state-store.js';
import { createConsoleTap } from './console/console-tap.js';
import type { ConsoleDeps } from './console/console-deps.js';
import type { RelyingParties } from './relying-parties.js';
import type { EpochStatus } from './state/store-epoch.js';
import { pipelineTracing } from './telemetry/pipeline-tracing.js';
import { startTracing, tracingConfigFromEnv } from './telemetry/tracing.js';

export type EngineMode = 'embedded' | 'kafka';

export interface Engine {
  readonly mode: EngineMode;
  readonly apiUrl: string;
  /** Settles when the worker stops: resolves after stop(), rejects when consumption failed. */
  readonly running: Promise<void>;
  /** The rolling numbers behind the status line. */
  readonly window: LatencyWindow;
  /** Produces records to the engine's topics (the in-process log in embedded mode): for tools and tests. */
  readonly send: Transport['send'];
  /** Stops the simulator, lets the batch in flight finish and commit, closes the API and the store. */
  stop(): Promise<void>;
}

/** Which mode the configuration asks for; half a Kafka/Redis configuration is an error, not a guess. */
export function engineMode(config: Config): EngineMode {
  const kafka = config.kafka.brokers !== null;
  const redis = config.redis.url !== null;
  if (kafka !== redis) {
    throw new DmidError(
      'DMID_CONFIG_INVALID',
      'set both DMID_KAFKA_BROKERS and DMID_REDIS_URL (Kafka mode) or neither (embedded mode)',
    );
  }
  return kafka ? 'kafka' : 'embedded';
}

interface Adapters {
  readonly transport: Transport;
  readonly store: StateStore;
  /** The alert consumer's own consumer group on identity.scores (src/relying-parties.ts). */
  readonly alertTransport: Transport;
  /** Redis of the relying-party stores; null in embedded mode. */
  readonly redis: RedisClient | null;
}

async function kafkaAdapters(
  config: Config,
  logger: Logger,
  onCommitted: (seconds: number) => void,
  onEpochStatus: (status: EpochStatus) => void,
  registry: Registry,
): Promise<Adapters> {
  const brokers = config.kafka.brokers ?? [];
  const client = createKafkaClient({
    brokers,
    clientId: config.kafka.clientId,
    logLevel: 'warn',
    // Into the process's own log, not raw lines on stderr.
    logger: (entry) => logger[entry.level]({ kafka: entry.namespace, ...entry.fields }, entry.message),
    // A broker restart is ridden out, not exited: /readyz says 503 meanwhile (kafka-connectivity.ts).
    reconnectForever: true,
    sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    tls: config.kafka.tls,
    sasl: config.kafka.sasl,
  });
  const admin = await client.admin();
  try {
    const specs = allTopics(config.topics.names).map((name) => ({
      name,
      partitions: config.topics.partitions,
      replicationFactor: config.topics.replicationFactor,
    }));
    const result = await ensureTopics(admin, specs);
    if (result.created.length > 0) logger.info({ created: result.created }, 'topics created');
    for (const warning of result.warnings) logger.warn({ topic: warning.topic }, warning.message);
  } finally {
    await admin.disconnect();
  }
  const transport = createKafkaTransport({
    client,
    groupId: config.kafka.groupId,
    partitionsConsumedConcurrently: config.worker.partitionsConcurrently,
    onCommitted,
    onConnectivity: kafkaConnectivityMetrics(registry, 'worker'),
    transactionalId: config.kafka.transactions
      ? (config.kafka.transactionalId ?? defaultTransactionalId(config.kafka.groupId))
      : undefined,
  });
  const store = createRedisStore({
    redis: config.redis.url ?? '',
    keyPrefix: config.redis.keyPrefix,
    evidenceCopies: config.redis.evidenceCopies,
    subjectsPerCall: config.redis.subjectsPerCall,
    minReplicas: config.redis.minReplicas,
    waitTimeoutMs: config.redis.waitTimeoutMs,
    onEpochStatus,
    ...config.state,
  });
  const alertTransport = createKafkaTransport({
    client,
    groupId: config.relyingParties.alertsGroupId,
    onConnectivity: kafkaConnectivityMetrics(registry, 'alerts'),
  });
  return { transport, store, alertTransport, redis: openRelyingPartyRedis(config.redis.url ?? '') };
}

function embeddedAdapters(config: Config): Adapters {
  const alertTransport = createMemoryTransport({ partitions: config.topics.partitions });
  const memory = createMemoryTransport({ partitions: config.topics.partitions });
  return {
    transport: teeTransport(memory, config.topics.names.scores, alertTransport),
    store: createMemoryStore(config.state),
    alertTransport,
    redis: null,
  };
}

/** Feeds the embedded log with the simulator until `signal` aborts. */
function startSimulator(
  config: Config,
  codec: Codec,
  transport: Transport,
  signal: AbortSignal,
  logger: Logger,
): void {
  const rate = config.embedded.simulateRate;
  if (rate === 0) return;
  const stream = createSignalStream({
    seed: 'dmid-embedded',
    subjects: 5_000,
    fraudRate: 0.05,
    badRate: 0.005,
    startMs: Date.now(),
    eventsPerSecond: rate,
    arrivals: 'uniform',
  });
  const names = config.topics.names;
  publish({
    stream,
    codec,
    ratePerSecond: rate,
    signal,
    sink: (kind, records) => transport.send([{ topic: names[kind], records }]),
  }).catch((error: unknown) => logger.error({ err: error }, 'simulator stopped'));
}

/** The one log line and the metric of a change of the store epoch verdict (src/state/store-epoch.ts). */
function epochReporter(metrics: DmidMetrics, logger: Logger): (status: EpochStatus) => void {
  return (status) => {
    metrics.stateEpochChanged.set(status.changed);
    if (status.changed)
      logger.error(
        { cause: status.cause },
        `state store epoch ${status.cause}: consumption stopped until an operator runs dmid state rebuild or dmid state accept-epoch (docs/operations.md)`,
      );
    else logger.warn('state store epoch decided by an operator: consumption resumes');
  };
}

function epochCheck(status: EpochStatus): ReadinessCheck {
  return status.changed
    ? { ok: false, detail: `state epoch ${status.cause}: rebuild or accept (docs/operations.md)` }
    : { ok: true };
}

export async function startEngine(config: Config, logger: Logger): Promise<Engine> {
  const mode = engineMode(config);
  // Before any connection opens: a model that does not load stops the start with nothing to close.
  const scorer = await createConfiguredScorer(config);
  const metrics = createMetrics();
  // Off (a no-op) unless OTEL_EXPORTER_OTLP_ENDPOINT is set: docs/tracing.md.
  const tracing = startTracing(tracingConfigFromEnv());
  const window = new LatencyWindow();
  const reporter = workerMetrics(metrics, window);
  const {
    transport: adapterTransport,
    store,
    alertTransport,
    redis,
  } = mode === 'kafka'
    ? await kafkaAdapters(
        config,
        logger,
        (seconds) => reporter.stage('commit', seconds),
        epochReporter(metrics, logger),
        metrics.registry,
      )
    : embeddedAdapters(config);
  const codec = createConfiguredCodec(config.extraSchemaDir);
  // Embedded mode anchors in-process (the file ledger by default); Kafka mode has `dmid ledger-writer`.
  const embeddedLedger =
    mode === 'embedded'
      ? await startEmbeddedLedger(config, { codec, logger, metrics: createLedgerMetrics(metrics.registry) })
      : undefined;
  const tap = config.api.console ? createConsoleTap(codec, config.topics.names, Date.now) : null;
  const ledgerTransport = embeddedLedger?.tee(adapterTransport) ?? adapterTransport;
  const transport = tap?.transport(ledgerTransport) ?? ledgerTransport;
  const receipts =
    embeddedLedger?.receipts ??
    createRedisReceiptStore({ redis: redis ?? '', keyPrefix: config.redis.keyPrefix });
  const relyingParties = createRelyingParties({
    config,
    codec,
    store,
    redis,
    alertTransport,
    // Kafka mode: the alert transport's producer, which outlives the worker's during stop().
    anchorTransport: mode === 'kafka' ? alertTransport : transport,
    logger,
    registry: metrics.registry,
  });
  const worker = createWorker({
    transport,
    store,
    scorer,
    codec,
    metrics: reporter,
    logger,
    topics: config.topics.names,
    groupId: config.kafka.groupId,
    validation: { maxFutureSkewMs: config.validation.maxFutureSkewMs },
    tracing: pipelineTracing(tracing),
  });
  const readiness = async (): Promise<ReadinessReport> => {
    const status = worker.status();
    const redis = await store.ping().then(
      () => ({ ok: true }),
      () => ({ ok: false, detail: 'store unreachable' }),
    );
    return readinessOf({
      transport: { ok: status.transport.ok, detail: status.transport.detail },
      store: redis,
      consumption: status.paused ? { ok: false, detail: 'paused: a dependency is down' } : { ok: true },
      state: epochCheck(store.epochStatus()),
    });
  };
  const api = createApiServer({
    store,
    receipts,
    metrics,
    readiness,
    halfLives: config.halfLivesMs,
    logger,
    ...(tracing.enabled ? { tracer: tracing.tracer } : {}),
    relyingParties:
      tap === null
        ? relyingParties.routes
        : { ...relyingParties.routes, decisions: tap.decisions(relyingParties.routes.decisions) },
    ...(tap === null
      ? {}
      : {
          console: consoleDeps(config, {
            tap,
            store,
            receipts,
            relyingParties,
            transport,
            codec,
            metrics,
            window,
          }),
        }),
  });
  const { url } = await api.listen(config.api.host, config.api.port);
  const alerting = relyingParties.start();
  const consuming = worker.run();
  // Settles like the worker's; a failed alert consumer fails the engine too.
  const running = Promise.all([consuming, alerting.running]).then(() => undefined);
  const simulation = new AbortController();
  if (mode === 'embedded') startSimulator(config, codec, transport, simulation.signal, logger);
  let stopping: Promise<void> | undefined;
  return {
    mode,
    apiUrl: url,
    running,
    window,
    send: (batches) => transport.send(batches),
    stop() {
      stopping ??= (async () => {
        simulation.abort();
        await worker.stop();
        await consuming.catch(() => undefined);
        await embeddedLedger?.stop();
        await api.close();
        await relyingParties.stop();
        await alerting.running.catch(() => undefined);
        await store.close();
        await redis?.quit().catch(() => redis.disconnect());
        await tracing.shutdown().catch(() => undefined);
      })();
      return stopping;
    },
  };
}

/** The console's parts, from the engine's own (src/console/console-deps.ts). */
function consoleDeps(
  config: Config,
  parts: {
    readonly tap: NonNullable<ReturnType<typeof createConsoleTap>>;
    readonly store: StateStore;
    readonly receipts: ConsoleDeps['receipts'];
    readonly relyingParties: RelyingParties;
    readonly transport: Transport;
    readonly codec: Codec;
    readonly metrics: ReturnType<typeof createMetrics>;
    readonly window: LatencyWindow;
  },
): ConsoleDeps {
  const rp = parts.relyingParties;
  return {
    clients: rp.clients,
    access: rp.access,
    store: parts.store,
    receipts: parts.receipts,
    ledgerFile: config.ledger.kind === 'file' ? config.ledger.file : null,
    tap: parts.tap,
    send: (batches) => parts.transport.send(batches),
    codec: parts.codec,
    policies: rp.policies,
    alerts: rp.alerts,
    delivery: rp.routes.delivery,
    registry: parts.metrics.registry,
    window: parts.window,
    audit: rp.routes.audit,
    accessLog: rp.accessLog,
    now: Date.now,
  };
}
