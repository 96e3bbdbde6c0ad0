/**
 * Wiring of the relying-party side: policies, clients, relationships, decisions and alerts, from
 * configuration and the adapters the engine chose. Kafka mode: a Redis access and alert store and an alert
 * consumer in its own consumer group (`DMID_ALERTS_GROUP_ID`) on `identity.scores`. Embedded mode: the
 * in-memory twins, and an in-process log fed with a copy of every score (alerts/tee-transport.ts).
 */
import { openRedis } from './state/redis-client.js';
import type { RedisClient } from './state/redis-cluster.js';
import { fileURLToPath } from 'node:url';
import type { AccessStore } from './access/access-store.js';
import { DEMO_CLIENTS_FILE, clientRegistry, loadClientsFile, type ClientRegistry } from './access/clients.js';
import { createMemoryAccessStore } from './access/memory-access-store.js';
import { createRedisAccessStore } from './access/redis-access-store.js';
import { consentVerifier, loadConsentPublicKeys, type ConsentVerifier } from './access/consent-token.js';
import { createRedisRateLimiter } from './access/redis-rate-limiter.js';
import { createRateLimiter } from './access/token-bucket.js';
import { createAlertConsumer, type AlertConsumer } from './alerts/alert-consumer.js';
import { createAlertDelivery, type AlertDelivery } from './alerts/alert-delivery.js';
import type { AlertStore } from './alerts/alert-store.js';
import { createMemoryAlertStore } from './alerts/memory-alert-store.js';
import { createRedisAlertStore } from './alerts/redis-alert-store.js';
import { allowedHostsOf, type WebhookTargetPolicy } from './alerts/webhook-target.js';
import { createMemoryAccessAudit, type AccessAudit } from './audit/access-audit.js';
import { createRedisAccessAudit } from './audit/redis-access-audit.js';
import type { Registry } from 'prom-client';
import {
  createRelyingPartyMetrics,
  NO_RELYING_PARTY_METRICS,
  type RelyingPartyMetrics,
} from './api/relying-party-metrics.js';
import type { AccessGuardDeps, RelyingPartyRouteDeps } from './api/routes/relying-party-routes.js';
import type { Codec } from './codec/codec.js';
import type { Config } from './config.js';
import type { Transport } from './ingest/transport.js';
import type { Logger } from './logger.js';
import { createDecisionService } from './policy/decision-service.js';
import { loadPolicyDir, type PolicySet } from './policy/policy-loader.js';
import type { StateStore } from './state/state-store.js';

export interface RelyingPartiesOptions {
  readonly config: Config;
  readonly codec: Codec;
  readonly store: Pick<StateStore, 'readScore' | 'readState'>;
  /** Redis for the access and alert stores; null: embedded mode (in-memory twins). */
  readonly redis: RedisClient | null;
  /** The alert consumer's transport: consumes identity.scores under its own group, produces alerts. */
  readonly alertTransport: Transport;
  /** Where decision anchors are produced (identity.anchors). */
  readonly anchorTransport: Pick<Transport, 'send'>;
  readonly logger: Logger;
  /** Where the relying-party metrics are registered (the engine's registry); absent: not counted. */
  readonly registry?: Registry;
  /** Overrides for tests: delivery backoff, clock. */
  readonly delivery?: { readonly backoffBaseMs?: number; readonly pollMs?: number };
  readonly now?: () => number;
}

export interface RelyingParties {
  readonly policies: PolicySet;
  readonly clients: ClientRegistry;
  readonly access: AccessStore;
  readonly alerts: AlertStore;
  /** Every access to a subject (`dmid subject access-log`). */
  readonly accessLog: AccessAudit;
  /** What the API serves. */
  readonly routes: RelyingPartyRouteDeps;
  /** Starts the alert consumer and the webhook delivery; `running` settles when the consumer stops. */
  start(): { readonly running: Promise<void> };
  stop(): Promise<void>;
}

/**
 * The Redis client of the relying-party stores: like the state store's, one retry then the command fails
 * (a route answers 503, the alert consumer retries its batch) rather than queueing forever.
 */
export function openRelyingPartyRedis(url: string): RedisClient {
  // The state store's factory: a Cluster client for a URL naming several nodes.
  return openRedis(url);
}

function clientsFor(config: Config, embedded: boolean): ClientRegistry {
  const file = config.relyingParties.clientsFile;
  if (file !== null) return loadClientsFile(file);
  // Kafka mode without a clients file: nobody can call; the demo keys are public and must not open production.
  return embedded ? loadClientsFile(DEMO_CLIENTS_FILE) : clientRegistry([]);
}

/** The demo enrolment authority of the embedded mode (its private key is public: README). */
export const DEMO_CONSENT_PUBLIC_KEYS_FILE = fileURLToPath(
  new URL('../examples/consent-authority.demo.pub.pem', import.meta.url),
);

function consentVerifierFor(config: Config, embedded: boolean): ConsentVerifier {
  const file = config.relyingParties.consentPublicKeysFile;
  if (file !== null) return consentVerifier(loadConsentPublicKeys(file));
  // Kafka mode without authorities: no token is accepted (the demo authority's key is public).
  return consentVerifier(embedded ? loadConsentPublicKeys(DEMO_CONSENT_PUBLIC_KEYS_FILE) : []);
}

/** How long a party may fetch the receipt of a record it received, ms (the receipts' own life). */
const RECEIPT_GRANT_MS = 400 * 86_400_000;

/**
 * The score and receipt guards of a process that serves no decisions (`dmid ledger-writer`): the same
 * clients, rate limits, relationships, receipt grants and access log as the engine's, from the shared Redis.
 */
export function createAccessGuards(config: Config, redis: RedisClient, logger: Logger): AccessGuardDeps {
  const rp = config.relyingParties;
  const keyPrefix = config.redis.keyPrefix;
  return {
    clients: clientsFor(config, false),
    limiter: createRedisRateLimiter({
      redis,
      keyPrefix,
      ratePerSecond: rp.rateLimitPerSecond,
      burst: rp.rateLimitBurst,
    }),
    access: createRedisAccessStore({ redis, keyPrefix }),
    accessLog: createRedisAccessAudit({ redis, keyPrefix, ttlMs: rp.accessLogTtlMs }),
    audit: logger.child({ component: 'audit' }),
    metrics: NO_RELYING_PARTY_METRICS,
    now: Date.now,
  };
}

export function createRelyingParties(options: RelyingPartiesOptions): RelyingParties {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const rp = config.relyingParties;
  const policies = loadPolicyDir(rp.policyDir ?? undefined);
  const clients = clientsFor(config, options.redis === null);
  const keyPrefix = config.redis.keyPrefix;
  const access =
    options.redis === null
      ? createMemoryAccessStore()
      : createRedisAccessStore({ redis: options.redis, keyPrefix });
  const alerts =
    options.redis === null
      ? createMemoryAlertStore()
      : createRedisAlertStore({
          redis: options.redis,
          keyPrefix,
          seenTtlSeconds: config.state.stateTtlSeconds,
        });
  const audit = logger.child({ component: 'audit' });
  const accessLog =
    options.redis === null
      ? createMemoryAccessAudit(access)
      : createRedisAccessAudit({ redis: options.redis, keyPrefix, ttlMs: rp.accessLogTtlMs });
  const targets: WebhookTargetPolicy = { allowedHosts: allowedHostsOf(rp.webhookAllowedHosts) };
  const bucket = { ratePerSecond: rp.rateLimitPerSecond, burst: rp.rateLimitBurst };
  // Shared by every API process through Redis; the embedded mode is one process.
  const limiter =
    options.redis === null
      ? createRateLimiter({ ...bucket, now })
      : createRedisRateLimiter({ ...bucket, redis: options.redis, keyPrefix });
  const metrics: RelyingPartyMetrics =
    options.registry === undefined ? NO_RELYING_PARTY_METRICS : createRelyingPartyMetrics(options.registry);
  const delivery: AlertDelivery = createAlertDelivery({
    alerts,
    access,
    logger,
    targets,
    timeoutMs: rp.webhookTimeoutMs,
    maxAttempts: rp.webhookMaxAttempts,
    ...options.delivery,
    onResult: (result) => metrics.delivery(result),
    now,
  });
  const decisions = createDecisionService({
    policies,
    store: options.store,
    access,
    accessLog,
    receiptGrantMs: RECEIPT_GRANT_MS,
    anchor: (anchor) =>
      options.anchorTransport.send([
        {
          topic: config.topics.names.anchors,
          records: [{ key: anchor.anchorId, value: options.codec.encode('anchor', anchor) }],
        },
      ]),
    halfLives: config.halfLivesMs,
    audit,
    onDecided: (policy, outcome) => metrics.decided(policy, outcome),
    now,
  });
  let consumer: AlertConsumer | undefined;
  return {
    policies,
    clients,
    access,
    alerts,
    accessLog,
    routes: {
      clients,
      limiter,
      decisions,
      access,
      consent: {
        verifier: consentVerifierFor(config, options.redis === null),
        access,
        store: options.store,
        captureWindowMs: rp.captureWindowMs,
        inPersonRelationshipMs: rp.inPersonRelationshipMs,
      },
      accessLog,
      targets,
      alerts,
      delivery,
      audit,
      metrics,
      now,
    },
    start() {
      consumer = createAlertConsumer({
        transport: options.alertTransport,
        codec: options.codec,
        alerts,
        access,
        clients,
        delivery,
        topics: { scores: config.topics.names.scores, alerts: config.topics.names.alerts },
        logger,
        onAlert: (kind) => metrics.alertRaised(kind),
        now,
      });
      delivery.start();
      return { running: consumer.run() };
    },
    async stop() {
      await consumer?.stop();
      await delivery.stop();
      await access.close();
      await alerts.close();
    },
  };
}
