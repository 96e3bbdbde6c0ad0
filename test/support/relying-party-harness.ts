/**
 * The relying-party side wired for integration tests, on the real broker and Redis: a test pipeline
 * (topics, worker, Redis state store), the relying-party stores on the same Redis key prefix, an alert
 * consumer in its own group, and the API on a free port with the demo clients. Everything is stopped and
 * cleaned up after the test.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { issueConsentToken } from '../../src/access/consent-token.js';
import { pino } from 'pino';
import { DEMO_CLIENTS_FILE } from '../../src/access/clients.js';
import { createRateLimiter } from '../../src/access/token-bucket.js';
import { createMetrics } from '../../src/api/metrics.js';
import { createApiServer, type ApiServer } from '../../src/api/server.js';
import { loadConfig } from '../../src/config.js';
import { createKafkaTransport } from '../../src/ingest/kafka-transport.js';
import {
  createRelyingParties,
  DEMO_CONSENT_PUBLIC_KEYS_FILE,
  openRelyingPartyRedis,
  type RelyingParties,
} from '../../src/relying-parties.js';
import { DEFAULT_HALF_LIVES_MS } from '../../src/scoring/decay.js';
import { READY } from './api-harness.js';
import { T0, subjectId, type Arrivals } from './evidence-factory.js';
import { kafkaBrokers, randomGroupId, testKafkaClient } from './kafka.js';
import { startPipeline, waitFor, type TestPipeline } from './pipeline.js';
import { shiftArrivals } from './reason-scenarios.js';
import { clusterUrl, onRedisCluster } from './redis-cluster.js';
import { redisUrl } from './redis.js';

/** API keys of the demo clients (examples/relying-parties.yaml). */
export const KEYS = {
  hospital: 'demo-hospital-key-0001-not-secret',
  insurer: 'demo-insurer-key-0002-not-secret',
  pension: 'demo-pension-key-0003-not-secret',
  carrier: 'demo-carrier-key-0004-not-secret',
} as const;

/** The client id and the one policy (purpose) of each demo key. */
export const PARTY_OF: Readonly<Record<string, { party: string; purpose: string }>> = {
  [KEYS.hospital]: { party: 'city-hospital', purpose: 'hospital.outpatient-checkin' },
  [KEYS.insurer]: { party: 'acme-insurance', purpose: 'insurer.claim-payout' },
  [KEYS.pension]: { party: 'pension-office', purpose: 'social-insurance.pension-eligibility' },
  [KEYS.carrier]: { party: 'metro-carrier', purpose: 'telecom.sim-replacement' },
};

/** The demo enrolment authority's private key (public on purpose, like the demo API keys). */
export const DEMO_AUTHORITY_KEY = createPrivateKey(
  /-----BEGIN PRIVATE KEY-----[\s\S]*?-----END PRIVATE KEY-----/.exec(
    readFileSync(
      fileURLToPath(new URL('../../examples/consent-authority.demo.key.pem', import.meta.url)),
      'utf8',
    ),
  )?.[0] ?? '',
);

/** A consent token of the demo authority for the party of `key` (its policy as purpose), a day long. */
export function consentToken(
  key: string,
  subject: string,
  overrides: Partial<{ party: string; purpose: string; expiresAt: number; signer: KeyObject }> = {},
): string {
  const of = PARTY_OF[key];
  if (of === undefined) throw new Error('not a demo key');
  return issueConsentToken(overrides.signer ?? DEMO_AUTHORITY_KEY, {
    party: overrides.party ?? of.party,
    purpose: overrides.purpose ?? of.purpose,
    subjectId: subject,
    expiresAt: overrides.expiresAt ?? Date.now() + 86_400_000,
  });
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: unknown;
}

export type Requester = (
  method: string,
  path: string,
  options?: { key?: string; body?: unknown; raw?: string },
) => Promise<HttpAnswer>;

export interface RelyingPartyHarness {
  readonly pipeline: TestPipeline;
  readonly rp: RelyingParties;
  readonly url: string;
  /** Every log line written so far, parsed (audit lines have `audit`). */
  readonly logs: () => Record<string, unknown>[];
  readonly logText: () => string;
  /** A request to the API (with an API key, a JSON body, or raw body text). */
  readonly request: Requester;
  /** The same parts behind a second API whose rate limit is `ratePerSecond` with bursts of `burst`. */
  limited(ratePerSecond: number, burst: number): Promise<Requester>;
  /** Registers a relationship of the party of `key` with `subject` from a demo consent token; asserts 201. */
  relate(key: string, subject: string): Promise<void>;
  /** Publishes `arrivals` (scripted at T0) for a new subject, shifted to now; resolves once it is scored. */
  subject(arrivals: Arrivals): Promise<string>;
}

export interface HarnessOptions {
  /** First retry delay of webhook deliveries, ms. */
  readonly backoffBaseMs?: number;
}

const count = (a: Arrivals): number =>
  (a.telecom?.length ?? 0) +
  (a.location?.length ?? 0) +
  (a.biometric?.length ?? 0) +
  (a.registry?.length ?? 0);

function parseLine(line: string): Record<string, unknown> {
  const value: unknown = JSON.parse(line);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('not a log object');
  return Object.fromEntries(Object.entries(value));
}

function requester(base: string): Requester {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = {};
    if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
    const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      // A request that hangs fails its test, rather than the whole file timing out.
      signal: AbortSignal.timeout(20_000),
    });
    const text = await response.text();
    const json: unknown = text === '' ? null : JSON.parse(text);
    return { status: response.status, headers: response.headers, text, json };
  };
}

/** The Redis the relying-party stores use: the cluster when the runner says so (scripts/test.ts). */
export function relyingPartyRedisUrl(): string {
  return onRedisCluster() ? clusterUrl() : redisUrl();
}

export async function startRelyingParties(
  t: TestContext,
  options: HarnessOptions = {},
): Promise<RelyingPartyHarness> {
  // Registered before the pipeline's hooks (they run in order): the alert consumer leaves its group before
  // the test's topics are deleted under it.
  const cleanup: { run?: () => Promise<void> } = {};
  t.after(() => cleanup.run?.());
  // The rules scorer: the scripted subjects' expected outcomes (policy-subjects.ts) are stated for it.
  const pipeline = await startPipeline(t, { scorer: 'rules' });
  pipeline.startWorker();
  const config = loadConfig({
    DMID_KAFKA_BROKERS: kafkaBrokers().join(','),
    DMID_REDIS_URL: relyingPartyRedisUrl(),
    DMID_TOPIC_PREFIX: pipeline.topicPrefix,
    DMID_REDIS_KEY_PREFIX: pipeline.keyPrefix,
    DMID_CLIENTS_FILE: DEMO_CLIENTS_FILE,
    DMID_ALERTS_GROUP_ID: randomGroupId(),
    DMID_CONSENT_PUBLIC_KEYS_FILE: DEMO_CONSENT_PUBLIC_KEYS_FILE,
    // The tests' webhook receivers listen on loopback over http: a development host.
    DMID_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  });
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  const redis = openRelyingPartyRedis(relyingPartyRedisUrl());
  const alertTransport = createKafkaTransport({
    client: testKafkaClient(),
    groupId: config.relyingParties.alertsGroupId,
  });
  const rp = createRelyingParties({
    config,
    codec: pipeline.codec,
    store: pipeline.store,
    redis,
    alertTransport,
    anchorTransport: alertTransport,
    logger,
    delivery: { backoffBaseMs: options.backoffBaseMs ?? 100, pollMs: 50 },
  });
  const { running } = rp.start();
  const servers: ApiServer[] = [];
  const serve = async (ratePerSecond: number, burst: number): Promise<string> => {
    const api = createApiServer({
      store: pipeline.store,
      metrics: createMetrics(),
      readiness: () => READY,
      halfLives: DEFAULT_HALF_LIVES_MS,
      logger,
      relyingParties: { ...rp.routes, limiter: createRateLimiter({ ratePerSecond, burst }) },
    });
    servers.push(api);
    return (await api.listen('127.0.0.1', 0)).url;
  };
  const url = await serve(1000, 1000);
  cleanup.run = async () => {
    for (const api of servers) await api.close();
    await rp.stop();
    await running.catch(() => undefined);
    await redis.quit();
  };
  const shift = Date.now() - T0;
  const request = requester(url);
  return {
    pipeline,
    rp,
    url,
    logs: () => lines.map(parseLine),
    logText: () => lines.join(''),
    request,
    async relate(key, subject) {
      const answer = await request('POST', '/v1/relationships', {
        key,
        body: { consentToken: consentToken(key, subject) },
      });
      if (answer.status !== 201) throw new Error(`relationship refused: ${answer.text}`);
    },
    limited: async (ratePerSecond, burst) => requester(await serve(ratePerSecond, burst)),
    async subject(arrivals) {
      const subject = subjectId();
      await pipeline.publish(shiftArrivals(arrivals, shift, subject));
      await waitFor(
        async () => ((await pipeline.store.readScore(subject))?.version ?? 0) >= count(arrivals),
        'the subject scored',
      );
      return subject;
    },
  };
}
