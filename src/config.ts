/**
 * Configuration: every `DMID_*` environment variable, parsed once into a frozen, typed, validated Config.
 *
 * One table ({@link SETTINGS}) drives parsing, `.env.example` and docs/configuration.md, so the three cannot
 * drift apart (test/unit/config.test.ts checks the files). An unknown `DMID_` variable or a bad value stops
 * start-up with a message naming the variable (never echoing a secret). A secret may instead be given as
 * `<NAME>_FILE`, the path of a file holding it (Kubernetes and Docker secrets).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DmidError } from './errors.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const brokerList = z
  .string()
  .transform((s) => s.split(',').map((b) => b.trim()))
  .pipe(z.array(z.string().regex(/^[^\s:,]+:\d{1,5}$/, 'expected host:port[,host:port...]')).min(1));
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const name = z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, 'expected letters, digits, ".", "_" or "-"');
const hexKey = z
  .string()
  .regex(/^([0-9a-fA-F]{2}){32,}$/, 'expected at least 32 bytes as hex (64+ hex characters)');

interface Setting {
  readonly name: string;
  /** What it does, with its unit; shown in docs/configuration.md and .env.example. */
  readonly doc: string;
  /** Default as written in the environment; undefined = unset unless given. */
  readonly default?: string;
  readonly secret?: boolean;
  readonly schema: z.ZodType;
}

/** Every variable dmid reads. Order is the order of docs/configuration.md. */
export const SETTINGS = [
  {
    name: 'DMID_KAFKA_BROKERS',
    doc: 'Kafka bootstrap brokers, `host:port[,host:port]`. Unset: embedded mode (in-process log).',
    schema: brokerList,
  },
  { name: 'DMID_KAFKA_CLIENT_ID', doc: 'Kafka client id.', default: 'dmid', schema: name },
  {
    name: 'DMID_KAFKA_GROUP_ID',
    doc: 'Consumer group of the scoring workers.',
    default: 'dmid-scoring',
    schema: name,
  },
  {
    name: 'DMID_KAFKA_SESSION_TIMEOUT_MS',
    doc: "Milliseconds without a heartbeat before a consumer group evicts a member: how long the partitions of a worker or ledger writer that died without leaving wait for another member. Within the broker's group.min/max.session.timeout.ms (6000 to 1800000 by default).",
    default: '30000',
    schema: int(6000, 1_800_000),
  },
  {
    name: 'DMID_KAFKA_TRANSACTIONS',
    doc: 'One Kafka transaction per unit of work: scores, anchors, dead letters and the consumed offsets commit together (`on`), or an idempotent producer with offsets committed after the outputs (`off`: at-least-once outputs).',
    default: 'on',
    schema: z.enum(['on', 'off']),
  },
  {
    name: 'DMID_KAFKA_TRANSACTIONAL_ID',
    doc: "Transactional id of this worker's producer; must be unique among live workers and the same across restarts of one (a restart then aborts its predecessor's open transaction at once). Default `<group id>-<host name>-<pid>` (stable in a container, where the pid is 1).",
    schema: name,
  },
  {
    name: 'DMID_KAFKA_TLS',
    doc: 'Connect to Kafka over TLS (`on`), verifying the brokers against the system CAs or `DMID_KAFKA_TLS_CA_FILE`.',
    default: 'off',
    schema: z.enum(['on', 'off']),
  },
  {
    name: 'DMID_KAFKA_TLS_CA_FILE',
    doc: "PEM file of the CA(s) the Kafka brokers' certificates are checked against (with `DMID_KAFKA_TLS=on`).",
    schema: z.string().min(1),
  },
  {
    name: 'DMID_KAFKA_TLS_CERT_FILE',
    doc: 'PEM client certificate for mutual TLS to Kafka; needs `DMID_KAFKA_TLS_KEY_FILE`.',
    schema: z.string().min(1),
  },
  {
    name: 'DMID_KAFKA_TLS_KEY_FILE',
    doc: 'PEM private key of `DMID_KAFKA_TLS_CERT_FILE`.',
    schema: z.string().min(1),
  },
  {
    name: 'DMID_KAFKA_SASL_MECHANISM',
    doc: 'SASL mechanism to log in to Kafka with (`PLAIN`, `SCRAM-SHA-256`, `SCRAM-SHA-512`); unset: no SASL. Needs `DMID_KAFKA_SASL_USERNAME` and `DMID_KAFKA_SASL_PASSWORD`; use TLS with `PLAIN`.',
    schema: z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']),
  },
  {
    name: 'DMID_KAFKA_SASL_USERNAME',
    doc: 'SASL user name of this process.',
    schema: z.string().min(1),
  },
  {
    name: 'DMID_KAFKA_SASL_PASSWORD',
    doc: 'SASL password. Secret: prefer `_FILE`.',
    secret: true,
    schema: z.string().min(1),
  },
  {
    name: 'DMID_TOPIC_PREFIX',
    doc: 'Prefix put before every topic name (e.g. `prod.` gives `prod.signals.telecom`).',
    default: '',
    schema: z.union([z.literal(''), name]),
  },
  {
    name: 'DMID_TOPIC_PARTITIONS',
    doc: 'Partitions per topic for `dmid topics create`.',
    default: '12',
    schema: int(1, 10_000),
  },
  {
    name: 'DMID_TOPIC_REPLICATION_FACTOR',
    doc: 'Replication factor for `dmid topics create`.',
    default: '1',
    schema: int(1, 16),
  },
  {
    name: 'DMID_REDIS_URL',
    doc: 'Redis URL, `redis://[user:password@]host:port[/db]`. Unset: embedded mode (in-memory store). Secret.',
    secret: true,
    schema: z.string().regex(/^rediss?:\/\/\S+$/, 'expected redis://host:port or rediss://...'),
  },
  {
    name: 'DMID_REDIS_CLUSTER_NODES',
    doc: 'Redis Cluster nodes, `host:port,host:port,...` (some of them are enough): uses Redis Cluster (docs/operations.md). Same as a `DMID_REDIS_URL` naming several nodes.',
    schema: z
      .string()
      .regex(/^[A-Za-z0-9.-]+:\d{1,5}(,[A-Za-z0-9.-]+:\d{1,5})*$/, 'expected host:port,host:port'),
  },
  {
    name: 'DMID_PSEUDONYM_KEY',
    doc: 'Pseudonymisation key for `dmid pseudonymize`, hex, at least 32 bytes. Secret: prefer `_FILE`.',
    secret: true,
    schema: hexKey,
  },
  {
    name: 'DMID_REDIS_KEY_PREFIX',
    doc: 'Prefix of every Redis key (keys are `<prefix>{<subjectId>}:<part>`, hash-tagged for Redis Cluster).',
    default: 'dmid:',
    schema: z
      .string()
      .regex(/^[A-Za-z0-9:._-]{1,64}$/, 'expected up to 64 of letters, digits, ":", ".", "_", "-"'),
  },
  {
    name: 'DMID_STATE_TTL_SECONDS',
    doc: "How long a subject's state lives after its last event, seconds.",
    default: String(180 * 86_400),
    schema: int(60, 10 * 365 * 86_400),
  },
  {
    name: 'DMID_SCORE_TTL_SECONDS',
    doc: 'How long a cached score lives after it was computed, seconds.',
    default: String(30 * 86_400),
    schema: int(60, 10 * 365 * 86_400),
  },
  {
    name: 'DMID_DEDUPE_SIZE',
    doc: 'Event ids remembered per subject to drop redelivered events.',
    default: '512',
    schema: int(16, 100_000),
  },
  {
    name: 'DMID_EVIDENCE_COPIES',
    doc: 'Subjects whose evidence a worker keeps a copy of, so Redis need not send their windows back on their next event (each kept at most 60 s after last use; 21 KB for a subject with full windows, so 430 MB for 20000). For subjects with full windows whose events come in bursts; 0: off.',
    default: '0',
    schema: int(0, 1_000_000),
  },
  {
    name: 'DMID_REDIS_SUBJECTS_PER_CALL',
    doc: 'Most subjects in one Lua script call to Redis (the calls of a batch are pipelined). Several share the fixed cost of a call; Redis Cluster needs 1 (a call may name the keys of one slot only).',
    default: '32',
    schema: int(1, 1_000),
  },
  {
    name: 'DMID_REDIS_MIN_REPLICAS',
    doc: "Redis replicas that must hold a unit's state writes before its offsets are committed (`WAIT`; docs/operations.md). 0: do not wait.",
    default: '0',
    schema: int(0, 16),
  },
  {
    name: 'DMID_REDIS_WAIT_TIMEOUT_MS',
    doc: 'How long a unit waits for `DMID_REDIS_MIN_REPLICAS` replicas before it fails and is retried, ms.',
    default: '1000',
    schema: int(1, 60_000),
  },
  {
    name: 'DMID_HALF_LIFE_HOURS',
    doc: 'Evidence half-lives per dimension, hours: `telecom,location,biometric,registry`.',
    default: '720,12,168,2160',
    schema: z
      .string()
      .transform((s) => s.split(',').map((x) => Number(x.trim())))
      .pipe(z.array(z.number().positive().max(87_600)).length(4)),
  },
  {
    name: 'DMID_SCORER',
    doc: 'Scorer: `model` (the additive identity-fusion model, trained with TensorFlow.js) or `rules` (the transparent baseline).',
    default: 'model',
    schema: z.enum(['model', 'rules']),
  },
  {
    name: 'DMID_MODEL_DIR',
    doc: 'Folder of the model version `DMID_SCORER=model` loads. Unset: the shipped `models/identity-fusion/2.1.0/`.',
    schema: z.string().min(1),
  },
  {
    name: 'DMID_PARTITIONS_CONCURRENTLY',
    doc: 'Partitions one worker handles at the same time (their produce and commit requests are merged).',
    default: '48',
    schema: int(1, 1024),
  },
  {
    name: 'DMID_SIMULATE_RATE',
    doc: 'Embedded mode only: events/s the built-in simulator feeds the pipeline (0: none).',
    default: '200',
    schema: int(0, 100_000),
  },
  {
    name: 'DMID_MAX_FUTURE_SKEW_SECONDS',
    doc: 'How far in the future `observedAt` may be before a record is refused, seconds.',
    default: '300',
    schema: int(0, 86_400),
  },
  {
    name: 'DMID_EXTRA_SCHEMA_DIR',
    doc: 'Folder of extra writer schemas (`.avsc`, other versions of the contract records) to decode.',
    schema: z.string().min(1),
  },
  {
    name: 'DMID_API_HOST',
    doc: 'Address the HTTP API binds to.',
    default: '127.0.0.1',
    schema: z.string().min(1),
  },
  { name: 'DMID_API_PORT', doc: 'Port of the HTTP API.', default: '8080', schema: int(0, 65_535) },
  {
    name: 'DMID_CONSOLE',
    doc: "Serves the operators' console under `/console` on the API's address (docs/console.md): `on` or `off`.",
    default: 'off',
    schema: z.enum(['on', 'off']),
  },
  {
    name: 'DMID_POLICY_DIR',
    doc: 'Folder of the policy packs (`*.yaml`) the decision API serves. Unset: the shipped `policies/`.',
    schema: z.string().min(1),
  },
  {
    name: 'DMID_CLIENTS_FILE',
    doc: 'YAML file of the relying-party clients (API key hashes, scopes). Unset: embedded mode uses the demo clients of `examples/relying-parties.yaml`; Kafka mode has none (every decision call answers 401).',
    schema: z.string().min(1),
  },
  {
    name: 'DMID_RATE_LIMIT_PER_SECOND',
    doc: 'Requests per second one relying-party client (or one source address without a valid key) may make to the API, shared by every API process through Redis (token bucket refill).',
    default: '50',
    schema: int(1, 100_000),
  },
  {
    name: 'DMID_RATE_LIMIT_BURST',
    doc: 'Requests one client may make at once before the rate limit applies (token bucket size).',
    default: '100',
    schema: int(1, 100_000),
  },
  {
    name: 'DMID_CONSENT_PUBLIC_KEYS_FILE',
    doc: 'PEM file of the Ed25519 public keys of the enrolment authorities whose consent tokens create relationships (docs/relying-parties.md). Unset: embedded mode trusts the demo authority of `examples/consent-authority.demo.pub.pem`; Kafka mode accepts no token (in-person proofs only).',
    schema: z.string().min(1),
  },
  {
    name: 'DMID_CAPTURE_WINDOW_SECONDS',
    doc: "How fresh a live biometric capture at a party's capture point must be to prove an in-person relationship, seconds.",
    default: '600',
    schema: int(10, 86_400),
  },
  {
    name: 'DMID_IN_PERSON_RELATIONSHIP_HOURS',
    doc: "How long a relationship proven in person (a fresh capture at the party's capture point) lasts, hours.",
    default: '24',
    schema: int(1, 24 * 400),
  },
  {
    name: 'DMID_WEBHOOK_ALLOWED_HOSTS',
    doc: 'Comma-separated webhook host names allowed over http and to internal addresses, for development only (e.g. `127.0.0.1`). Unset: https to public addresses only.',
    schema: z.string().min(1),
  },
  {
    name: 'DMID_ACCESS_LOG_TTL_DAYS',
    doc: "How long a subject's access log (`dmid subject access-log`) is kept after its last record, days.",
    default: '400',
    schema: int(1, 3650),
  },
  {
    name: 'DMID_ALERTS_GROUP_ID',
    doc: 'Consumer group of the alert consumer (reads `identity.scores`, raises alerts).',
    default: 'dmid-alerts',
    schema: name,
  },
  {
    name: 'DMID_WEBHOOK_TIMEOUT_MS',
    doc: 'Time a webhook receiver has to answer one delivery attempt, milliseconds.',
    default: '2000',
    schema: int(100, 60_000),
  },
  {
    name: 'DMID_WEBHOOK_MAX_ATTEMPTS',
    doc: 'Delivery attempts of one alert to one party (backoff 0.5 s doubling to 5 min) before it is parked.',
    default: '12',
    schema: int(1, 100),
  },
  {
    name: 'DMID_LEDGER',
    doc: 'Where batch roots are anchored: `file` (hash-chained file, `DMID_LEDGER_FILE`) or `evm` (`DMID_EVM_*`).',
    default: 'file',
    schema: z.enum(['file', 'evm']),
  },
  {
    name: 'DMID_LEDGER_FILE',
    doc: 'The file ledger (JSON lines, one block per batch, fsynced). One ledger writer per file.',
    default: 'data/ledger.jsonl',
    schema: z.string().min(1),
  },
  {
    name: 'DMID_LEDGER_GROUP_ID',
    doc: 'Consumer group of the ledger writers (reads `identity.anchors`).',
    default: 'dmid-ledger-writer',
    schema: name,
  },
  {
    name: 'DMID_LEDGER_BATCH_MS',
    doc: "Longest wait from a batch's first anchor to its root going on the ledger, milliseconds.",
    default: '1000',
    schema: int(1, 600_000),
  },
  {
    name: 'DMID_LEDGER_BATCH_MAX_ANCHORS',
    doc: 'Most anchors per ledger batch (a full batch is anchored at once).',
    default: '10000',
    schema: int(1, 1_000_000),
  },
  {
    name: 'DMID_RECEIPT_TTL_SECONDS',
    doc: 'How long proofs and receipts stay in Redis for `GET /v1/anchors/:anchorId/receipt`, seconds.',
    default: String(400 * 86_400),
    schema: int(60, 100 * 365 * 86_400),
  },
  {
    name: 'DMID_EVM_RPC_URL',
    doc: 'EVM ledger: JSON-RPC URL of the node (`http://` or `https://`).',
    schema: z.string().regex(/^https?:\/\/\S+$/, 'expected http://host:port or https://...'),
  },
  {
    name: 'DMID_EVM_CHAIN_ID',
    doc: 'EVM ledger: the chain id the node must report.',
    schema: int(1, 2 ** 48),
  },
  {
    name: 'DMID_EVM_CONTRACT',
    doc: 'EVM ledger: address of the DmidAnchor contract (`dmid ledger deploy` prints it).',
    schema: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x-prefixed 20-byte address'),
  },
  {
    name: 'DMID_EVM_KEY',
    doc: 'EVM ledger: private key of the signer, hex. Secret: give it as a file with `DMID_EVM_KEY_FILE`.',
    secret: true,
    schema: z.string().regex(/^(0x)?[0-9a-fA-F]{64}$/, 'expected a 32-byte hex private key'),
  },
  {
    name: 'DMID_LOG_LEVEL',
    doc: 'Log level (logs go to stderr as JSON).',
    default: 'info',
    schema: z.enum(LOG_LEVELS),
  },
] as const satisfies readonly Setting[];

type SettingName = (typeof SETTINGS)[number]['name'];

/**
 * Variables read only by the development and test tooling (deploy/local/*.sh, scripts/test.ts), not by
 * the engine. They are known here so that an exported one does not stop `dmid` as an unknown variable.
 */
export const TOOLING_VARIABLES = [
  { name: 'DMID_KAFKA_VERSION', doc: 'Kafka version the local broker runs.', default: '3.9.2' },
  {
    name: 'DMID_KAFKA_CACHE',
    doc: 'Folder of the local broker jars and data.',
    default: '.cache/kafka/<version>',
  },
  { name: 'DMID_LOCAL_KAFKA_PORT', doc: 'Client port of the local broker.', default: '9092' },
  {
    name: 'DMID_LOCAL_KAFKA_SASL_PORT',
    doc: 'Optional SASL_PLAINTEXT (SCRAM) listener port of the local broker, user `dmid`.',
    default: '(none)',
  },
  {
    name: 'DMID_LOCAL_KAFKA_SASL_PASSWORD',
    doc: 'SCRAM password of user `dmid` on that listener.',
    default: 'dmid-local-secret',
  },
  {
    name: 'DMID_LOCAL_KAFKA_CONTROLLER_PORT',
    doc: 'KRaft controller port of the local broker.',
    default: 'client port + 1',
  },
  { name: 'DMID_KAFKA_HEAP', doc: 'JVM heap flags of the local broker.', default: '-Xms256m -Xmx768m' },
  { name: 'DMID_KAFKA_START_TIMEOUT', doc: 'Seconds the local broker has to become usable.', default: '60' },
  { name: 'DMID_LOCAL_REDIS_PORT', doc: 'Port of the local Redis.', default: '6379' },
  {
    name: 'DMID_CLUSTER_KAFKA_PORTS',
    doc: 'Client ports of the three-broker cluster of the fault tests (controllers on each + 1).',
    default: '19092 19094 19096',
  },
  {
    name: 'DMID_CLUSTER_KAFKA_HEAP',
    doc: 'JVM heap flags of each cluster node.',
    default: '-Xms128m -Xmx384m',
  },
  {
    name: 'DMID_REDIS_CACHE',
    doc: 'Folder of the pid and log of a Redis the script started.',
    default: '.cache/redis',
  },
  {
    name: 'DMID_TEST_INFRA',
    doc: '`local` or `testcontainers`: skip the choice of where test Kafka/Redis come from.',
    default: 'env, then Docker, then local',
  },
] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface TopicNames {
  readonly telecom: string;
  readonly location: string;
  readonly biometric: string;
  readonly registry: string;
  readonly scores: string;
  readonly anchors: string;
  readonly receipts: string;
  readonly dlq: string;
  readonly alerts: string;
}

export interface Config {
  readonly kafka: {
    /** null: no broker configured, run embedded. */
    readonly brokers: readonly string[] | null;
    readonly clientId: string;
    readonly groupId: string;
    /** Session timeout of every consumer group member this process runs (kafka-client.ts). */
    readonly sessionTimeoutMs: number;
    /** One transaction per unit of work (kafka-transactions.ts). */
    readonly transactions: boolean;
    /** null: `<group id>-<host name>-<pid>`. */
    readonly transactionalId: string | null;
    /** null: plaintext. PEM file paths; null: the system CAs, no client certificate. */
    readonly tls: {
      readonly caFile: string | null;
      readonly certFile: string | null;
      readonly keyFile: string | null;
    } | null;
    /** null: no SASL. */
    readonly sasl: {
      readonly mechanism: KafkaSaslMechanism;
      readonly username: string;
      readonly password: string;
    } | null;
  };
  readonly topics: {
    readonly prefix: string;
    readonly partitions: number;
    readonly replicationFactor: number;
    readonly names: TopicNames;
  };
  readonly redis: {
    readonly url: string | null;
    readonly keyPrefix: string;
    /** Subjects whose evidence the worker's store keeps a copy of (redis-store.ts evidenceCopies). */
    readonly evidenceCopies: number;
    /** Most subjects in one script call (redis-store.ts subjectsPerCall). */
    readonly subjectsPerCall: number;
    /** Replicas a unit's writes must reach before its offsets are committed (redis-store.ts minReplicas). */
    readonly minReplicas: number;
    /** How long to wait for them, ms. */
    readonly waitTimeoutMs: number;
  };
  readonly state: {
    readonly stateTtlSeconds: number;
    readonly scoreTtlSeconds: number;
    readonly dedupeSize: number;
  };
  /** Evidence half-life per dimension, milliseconds. */
  readonly halfLivesMs: {
    readonly TELECOM: number;
    readonly LOCATION: number;
    readonly BIOMETRIC: number;
    readonly REGISTRY: number;
  };
  readonly scoring: {
    readonly scorer: 'model' | 'rules';
    /** null: the shipped model version. */
    readonly modelDir: string | null;
  };
  readonly worker: { readonly partitionsConcurrently: number };
  readonly embedded: { readonly simulateRate: number };
  /** Hex; converted where it is used so that the frozen config holds no mutable buffer. */
  readonly pseudonymKeyHex: string | null;
  readonly validation: { readonly maxFutureSkewMs: number };
  readonly extraSchemaDir: string | null;
  readonly api: { readonly host: string; readonly port: number; readonly console: boolean };
  readonly relyingParties: {
    /** null: the shipped `policies/` folder. */
    readonly policyDir: string | null;
    /** null: embedded demo clients, or none in Kafka mode. */
    readonly clientsFile: string | null;
    readonly rateLimitPerSecond: number;
    readonly rateLimitBurst: number;
    readonly alertsGroupId: string;
    readonly webhookTimeoutMs: number;
    readonly webhookMaxAttempts: number;
    /** null: the demo authority in embedded mode, no token accepted in Kafka mode. */
    readonly consentPublicKeysFile: string | null;
    readonly captureWindowMs: number;
    readonly inPersonRelationshipMs: number;
    /** null: none. */
    readonly webhookAllowedHosts: string | null;
    readonly accessLogTtlMs: number;
  };
  readonly ledger: {
    readonly kind: 'file' | 'evm';
    readonly file: string;
    readonly groupId: string;
    readonly batchMs: number;
    readonly batchMaxAnchors: number;
    readonly receiptTtlSeconds: number;
    /** Set together when `kind` is `evm` (checked where the ledger is built). */
    readonly evm: {
      readonly rpcUrl: string | null;
      readonly chainId: number | null;
      readonly contract: string | null;
      readonly keyHex: string | null;
    };
  };
  readonly logLevel: LogLevel;
}

/** Topic names of the contract, with a prefix. */
export function topicNames(prefix: string): TopicNames {
  return {
    telecom: `${prefix}signals.telecom`,
    location: `${prefix}signals.location`,
    biometric: `${prefix}signals.biometric`,
    registry: `${prefix}signals.registry`,
    scores: `${prefix}identity.scores`,
    anchors: `${prefix}identity.anchors`,
    receipts: `${prefix}identity.anchor-receipts`,
    dlq: `${prefix}signals.dlq`,
    alerts: `${prefix}identity.alerts`,
  };
}

/** Every topic name, in the contract's order. */
/** DMID_REDIS_URL, or the cluster nodes as one URL naming several (src/state/redis-client.ts). */
function redisUrlOf(url: string | null, clusterNodes: string | null): string | null {
  return url ?? (clusterNodes === null ? null : `redis://${clusterNodes}`);
}

export function allTopics(names: TopicNames): string[] {
  return [
    names.telecom,
    names.location,
    names.biometric,
    names.registry,
    names.scores,
    names.anchors,
    names.receipts,
    names.dlq,
    names.alerts,
  ];
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses the environment. Throws DmidError DMID_CONFIG_INVALID (listing every problem, one per line) or
 * DMID_SECRET_UNREADABLE.
 */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  rejectUnknown(env, problems);
  const raw = new Map<string, unknown>();
  for (const setting of SETTINGS) {
    const text = readSetting(setting, env, problems);
    if (text === undefined) continue;
    const parsed = setting.schema.safeParse(text);
    if (parsed.success) raw.set(setting.name, parsed.data);
    else problems.push(`${setting.name}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  if (problems.length > 0) {
    throw new DmidError('DMID_CONFIG_INVALID', `invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return deepFreeze(build(raw));
}

function build(raw: Map<string, unknown>): Config {
  const str = (n: SettingName): string | null => {
    const v = raw.get(n);
    return typeof v === 'string' ? v : null;
  };
  const num = (n: SettingName): number => {
    const v = raw.get(n);
    if (typeof v !== 'number') throw new TypeError(`${n} has no numeric default`);
    return v;
  };
  const brokers = raw.get('DMID_KAFKA_BROKERS');
  const prefix = str('DMID_TOPIC_PREFIX') ?? '';
  return {
    kafka: {
      brokers: Array.isArray(brokers) ? brokers.map(String) : null,
      clientId: str('DMID_KAFKA_CLIENT_ID') ?? 'dmid',
      groupId: str('DMID_KAFKA_GROUP_ID') ?? 'dmid-scoring',
      sessionTimeoutMs: num('DMID_KAFKA_SESSION_TIMEOUT_MS'),
      transactions: str('DMID_KAFKA_TRANSACTIONS') !== 'off',
      transactionalId: str('DMID_KAFKA_TRANSACTIONAL_ID'),
      ...kafkaSecurity(str),
    },
    topics: {
      prefix,
      partitions: num('DMID_TOPIC_PARTITIONS'),
      replicationFactor: num('DMID_TOPIC_REPLICATION_FACTOR'),
      names: topicNames(prefix),
    },
    redis: {
      url: redisUrlOf(str('DMID_REDIS_URL'), str('DMID_REDIS_CLUSTER_NODES')),
      keyPrefix: str('DMID_REDIS_KEY_PREFIX') ?? 'dmid:',
      evidenceCopies: num('DMID_EVIDENCE_COPIES'),
      subjectsPerCall: num('DMID_REDIS_SUBJECTS_PER_CALL'),
      minReplicas: num('DMID_REDIS_MIN_REPLICAS'),
      waitTimeoutMs: num('DMID_REDIS_WAIT_TIMEOUT_MS'),
    },
    state: {
      stateTtlSeconds: num('DMID_STATE_TTL_SECONDS'),
      scoreTtlSeconds: num('DMID_SCORE_TTL_SECONDS'),
      dedupeSize: num('DMID_DEDUPE_SIZE'),
    },
    halfLivesMs: halfLives(raw.get('DMID_HALF_LIFE_HOURS')),
    scoring: {
      scorer: str('DMID_SCORER') === 'rules' ? 'rules' : 'model',
      modelDir: str('DMID_MODEL_DIR'),
    },
    worker: { partitionsConcurrently: num('DMID_PARTITIONS_CONCURRENTLY') },
    embedded: { simulateRate: num('DMID_SIMULATE_RATE') },
    pseudonymKeyHex: str('DMID_PSEUDONYM_KEY')?.toLowerCase() ?? null,
    validation: { maxFutureSkewMs: num('DMID_MAX_FUTURE_SKEW_SECONDS') * 1000 },
    extraSchemaDir: str('DMID_EXTRA_SCHEMA_DIR'),
    api: {
      host: str('DMID_API_HOST') ?? '127.0.0.1',
      port: num('DMID_API_PORT'),
      console: str('DMID_CONSOLE') === 'on',
    },
    relyingParties: {
      policyDir: str('DMID_POLICY_DIR'),
      clientsFile: str('DMID_CLIENTS_FILE'),
      rateLimitPerSecond: num('DMID_RATE_LIMIT_PER_SECOND'),
      rateLimitBurst: num('DMID_RATE_LIMIT_BURST'),
      alertsGroupId: str('DMID_ALERTS_GROUP_ID') ?? 'dmid-alerts',
      webhookTimeoutMs: num('DMID_WEBHOOK_TIMEOUT_MS'),
      webhookMaxAttempts: num('DMID_WEBHOOK_MAX_ATTEMPTS'),
      consentPublicKeysFile: str('DMID_CONSENT_PUBLIC_KEYS_FILE'),
      captureWindowMs: num('DMID_CAPTURE_WINDOW_SECONDS') * 1000,
      inPersonRelationshipMs: num('DMID_IN_PERSON_RELATIONSHIP_HOURS') * 3_600_000,
      webhookAllowedHosts: str('DMID_WEBHOOK_ALLOWED_HOSTS'),
      accessLogTtlMs: num('DMID_ACCESS_LOG_TTL_DAYS') * 86_400_000,
    },
    ledger: {
      kind: str('DMID_LEDGER') === 'evm' ? 'evm' : 'file',
      file: str('DMID_LEDGER_FILE') ?? 'data/ledger.jsonl',
      groupId: str('DMID_LEDGER_GROUP_ID') ?? 'dmid-ledger-writer',
      batchMs: num('DMID_LEDGER_BATCH_MS'),
      batchMaxAnchors: num('DMID_LEDGER_BATCH_MAX_ANCHORS'),
      receiptTtlSeconds: num('DMID_RECEIPT_TTL_SECONDS'),
      evm: {
        rpcUrl: str('DMID_EVM_RPC_URL'),
        chainId:
          typeof raw.get('DMID_EVM_CHAIN_ID') === 'number' ? Number(raw.get('DMID_EVM_CHAIN_ID')) : null,
        contract: str('DMID_EVM_CONTRACT'),
        keyHex: str('DMID_EVM_KEY'),
      },
    },
    logLevel: logLevel(raw.get('DMID_LOG_LEVEL')),
  };
}

function halfLives(value: unknown): Config['halfLivesMs'] {
  if (!Array.isArray(value)) throw new TypeError('DMID_HALF_LIFE_HOURS has a default');
  const [telecom, location, biometric, registry] = value.map((hours) => Number(hours) * 3_600_000);
  if (telecom === undefined || location === undefined || biometric === undefined || registry === undefined) {
    throw new TypeError('DMID_HALF_LIFE_HOURS has four values');
  }
  return { TELECOM: telecom, LOCATION: location, BIOMETRIC: biometric, REGISTRY: registry };
}

export type KafkaSaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** TLS and SASL to Kafka; settings that only make sense together are checked together. */
function kafkaSecurity(str: (n: SettingName) => string | null): Pick<Config['kafka'], 'tls' | 'sasl'> {
  const problems: string[] = [];
  const tlsOn = str('DMID_KAFKA_TLS') === 'on';
  const caFile = str('DMID_KAFKA_TLS_CA_FILE');
  const certFile = str('DMID_KAFKA_TLS_CERT_FILE');
  const keyFile = str('DMID_KAFKA_TLS_KEY_FILE');
  if (!tlsOn && (caFile ?? certFile ?? keyFile) !== null) {
    problems.push('DMID_KAFKA_TLS_*_FILE: set DMID_KAFKA_TLS=on to use them');
  }
  if ((certFile === null) !== (keyFile === null)) {
    problems.push('DMID_KAFKA_TLS_CERT_FILE and DMID_KAFKA_TLS_KEY_FILE: set both or neither');
  }
  const mechanism = str('DMID_KAFKA_SASL_MECHANISM') as KafkaSaslMechanism | null;
  const username = str('DMID_KAFKA_SASL_USERNAME');
  const password = str('DMID_KAFKA_SASL_PASSWORD');
  if (mechanism !== null && (username === null || password === null)) {
    problems.push('DMID_KAFKA_SASL_MECHANISM: needs DMID_KAFKA_SASL_USERNAME and DMID_KAFKA_SASL_PASSWORD');
  }
  if (mechanism === null && (username ?? password) !== null) {
    problems.push('DMID_KAFKA_SASL_USERNAME/PASSWORD: set DMID_KAFKA_SASL_MECHANISM to use them');
  }
  if (problems.length > 0) {
    throw new DmidError('DMID_CONFIG_INVALID', `invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return {
    tls: tlsOn ? { caFile, certFile, keyFile } : null,
    sasl:
      mechanism !== null && username !== null && password !== null ? { mechanism, username, password } : null,
  };
}

function logLevel(value: unknown): LogLevel {
  const found = LOG_LEVELS.find((level) => level === value);
  if (found === undefined) throw new TypeError('DMID_LOG_LEVEL has a default');
  return found;
}

function rejectUnknown(env: Env, problems: string[]): void {
  const known = new Set<string>(TOOLING_VARIABLES.map((v) => v.name));
  for (const s of SETTINGS) {
    known.add(s.name);
    if ('secret' in s && s.secret) known.add(`${s.name}_FILE`);
  }
  for (const key of Object.keys(env)) {
    if (key.startsWith('DMID_') && !known.has(key)) problems.push(`${key}: unknown variable`);
  }
}

/** The text of a setting: from the variable, from `<NAME>_FILE` for secrets, or its default. */
function readSetting(setting: Setting, env: Env, problems: string[]): string | undefined {
  const direct = env[setting.name];
  const file = setting.secret ? env[`${setting.name}_FILE`] : undefined;
  if (direct !== undefined && file !== undefined) {
    problems.push(`${setting.name}: set either ${setting.name} or ${setting.name}_FILE, not both`);
    return undefined;
  }
  if (file !== undefined) return readSecretFile(setting.name, file);
  if (direct !== undefined && direct !== '') return direct;
  if (direct === '' && setting.default === '') return '';
  return setting.default;
}

function readSecretFile(settingName: string, path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (cause) {
    throw new DmidError('DMID_SECRET_UNREADABLE', `${settingName}_FILE: cannot read the file it names`, {
      field: `${settingName}_FILE`,
      cause,
    });
  }
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value) as unknown[]) {
    if (child !== null && typeof child === 'object' && !Object.isFrozen(child)) deepFreeze(child);
  }
  return Object.freeze(value);
}

/** The `.env.example` text, generated from {@link SETTINGS}. */
export function envExample(): string {
  const lines = [
    '# dmid configuration. Generated from src/config.ts (SETTINGS); `npm run gen:docs` rewrites it.',
    '',
  ];
  for (const s of SETTINGS as readonly Setting[]) {
    lines.push(`# ${s.doc.replace(/`/g, '')}${s.secret ? ` Or ${s.name}_FILE=/path/to/file.` : ''}`);
    lines.push(s.default === undefined ? `# ${s.name}=` : `${s.name}=${s.default}`, '');
  }
  return lines.join('\n');
}

/** The table of docs/configuration.md, generated from {@link SETTINGS}. */
export function configTable(): string {
  const rows = (SETTINGS as readonly Setting[]).map((s) => {
    const def = s.default === undefined ? 'unset' : s.default === '' ? '(empty)' : `\`${s.default}\``;
    return `| \`${s.name}\`${s.secret ? ' (or `_FILE`)' : ''} | ${def} | ${s.doc} |`;
  });
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** The table of tooling variables in docs/development.md. */
export function toolingTable(): string {
  const rows = TOOLING_VARIABLES.map((v) => `| \`${v.name}\` | ${v.default} | ${v.doc} |`);
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}
