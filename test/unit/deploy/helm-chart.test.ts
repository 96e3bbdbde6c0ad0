/**
 * chart-renders-valid-manifests: deploy/helm/dmid is linted (`helm lint --strict`) and rendered
 * (`helm template`) for its defaults and every profile by Helm's own code (helm-java, no cluster); every
 * rendered manifest passes the Kubernetes schemas of `kubernetes-models` (KEDA's and the Prometheus
 * operator's for their kinds); the KEDA trigger uses only the Kafka scaler's documented metadata keys;
 * every DMID_ variable the chart sets is one src/config.ts knows, and the environment of each container
 * loads through loadConfig into Kafka mode. values.schema.json refuses a wrong value.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import * as apps from 'kubernetes-models/apps/v1';
import * as core from 'kubernetes-models/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as keda from '@kubernetes-models/keda/keda.sh/v1alpha1';
import * as monitoring from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { loadConfig, SETTINGS } from '../../../src/config.js';
import { engineMode } from '../../../src/engine.js';
import {
  CHART,
  chartWithProfile,
  helm,
  KUBE_VERSION,
  PROFILES_DIR,
  REPO,
  type HelmAnswer,
} from '../../support/helm.js';

/**
 * The Kafka scaler's trigger metadata keys, as documented for KEDA 2.18
 * (keda.sh/docs/2.18/scalers/apache-kafka, "Parameter list"), and its TriggerAuthentication parameters.
 */
const KEDA_KAFKA_METADATA = new Set([
  'bootstrapServers',
  'consumerGroup',
  'topic',
  'lagThreshold',
  'activationLagThreshold',
  'offsetResetPolicy',
  'allowIdleConsumers',
  'scaleToZeroOnInvalidOffset',
  'excludePersistentLag',
  'limitToPartitionsWithLag',
  'ensureEvenDistributionOfPartitions',
  'version',
  'partitionLimitation',
  'sasl',
  'saslTokenProvider',
  'tls',
  'unsafeSsl',
  'awsRegion',
]);
const KEDA_KAFKA_AUTH = new Set(['sasl', 'username', 'password', 'tls', 'ca', 'cert', 'key', 'keyPassword']);
const REQUIRED_METADATA = ['bootstrapServers', 'consumerGroup', 'lagThreshold', 'activationLagThreshold'];

type Manifest = Record<string, unknown> & { apiVersion: string; kind: string };
interface Validator {
  new (data: never): { validate(): void };
}
const MODELS: Record<string, Validator> = {
  'apps/v1/Deployment': apps.Deployment,
  'v1/Service': core.Service,
  'v1/ServiceAccount': core.ServiceAccount,
  'policy/v1/PodDisruptionBudget': policy.PodDisruptionBudget,
  'keda.sh/v1alpha1/ScaledObject': keda.ScaledObject,
  'keda.sh/v1alpha1/TriggerAuthentication': keda.TriggerAuthentication,
  'monitoring.coreos.com/v1/ServiceMonitor': monitoring.ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': monitoring.PrometheusRule,
};

function manifestsOf(answer: HelmAnswer): Manifest[] {
  assert.ok(answer.ok, answer.output);
  return parseAllDocuments(answer.output)
    .map((doc) => doc.toJS() as unknown)
    .filter((m): m is Manifest => typeof m === 'object' && m !== null && 'kind' in m && 'apiVersion' in m);
}

const ofKind = (manifests: Manifest[], kind: string): Manifest[] => manifests.filter((m) => m.kind === kind);

interface Container {
  name: string;
  args?: string[];
  env?: { name: string; value?: string }[];
  readinessProbe?: { httpGet?: { path?: string } };
  livenessProbe?: { httpGet?: { path?: string } };
  securityContext?: { readOnlyRootFilesystem?: boolean };
  resources?: { requests?: Record<string, string> };
}

function containersOf(deployment: Manifest): Container[] {
  const typed = new apps.Deployment(deployment as never);
  return (typed.spec?.template.spec?.containers ?? []) as Container[];
}

const SECRET_SETTINGS = new Set<string>(SETTINGS.filter((s) => 'secret' in s && s.secret).map((s) => s.name));
const KNOWN = new Set<string>([
  ...SETTINGS.map((s) => s.name),
  ...[...SECRET_SETTINGS].map((n) => `${n}_FILE`),
]);
/** A valid value per secret setting, written to the file a `_FILE` variable names. */
const SECRET_SAMPLES: Record<string, string> = {
  DMID_REDIS_URL: 'rediss://dmid:secret@redis-0:6379,redis-1:6379,redis-2:6379',
  DMID_PSEUDONYM_KEY: 'ab'.repeat(32),
  DMID_EVM_KEY: 'cd'.repeat(32),
  DMID_KAFKA_SASL_PASSWORD: 'scram-secret',
};

const profiles = (await readdir(PROFILES_DIR)).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5));
const renders = new Map<string, Manifest[]>();
let lint: HelmAnswer[] = [];
let refused: HelmAnswer[] = [];
let forcedMonitor: Manifest[] = [];
let secretDir = '';

void describe('deploy/helm/dmid', () => {
  const disposers: (() => Promise<void>)[] = [];

  before(async () => {
    secretDir = await mkdtemp(join(tmpdir(), 'dmid-secrets-'));
    const charts = await Promise.all(profiles.map((p) => chartWithProfile(p)));
    disposers.push(...charts.map((c) => () => c.dispose()));
    const template = (...extra: string[]): string[] => [
      'template',
      CHART,
      'dmid',
      'dmid',
      '--kube-version',
      KUBE_VERSION,
      ...extra,
    ];
    const commands = [
      ['lint', CHART],
      ...charts.map((c) => ['lint', c.dir]),
      template(),
      ...profiles.map((p) => template('-f', join(PROFILES_DIR, `${p}.yaml`))),
      template(
        '-f',
        join(PROFILES_DIR, 'production.yaml'),
        '--set',
        'serviceMonitor.enabled=true',
        '--set',
        'prometheusRule.enabled=true',
      ),
      // values.schema.json must refuse these.
      template('--set', 'bogus=1'),
      template('--set', 'kafka.partitions=0'),
      template('--set', 'config.NOT_DMID=1'),
    ];
    const answers = await helm(commands);
    lint = answers.slice(0, 1 + profiles.length);
    const rendered = answers.slice(1 + profiles.length);
    renders.set('defaults', manifestsOf(rendered[0] ?? { ok: false, output: 'missing' }));
    profiles.forEach((p, i) =>
      renders.set(p, manifestsOf(rendered[1 + i] ?? { ok: false, output: 'missing' })),
    );
    forcedMonitor = manifestsOf(rendered[1 + profiles.length] ?? { ok: false, output: 'missing' });
    refused = rendered.slice(2 + profiles.length);
  });
  after(async () => {
    for (const dispose of disposers) await dispose();
    await rm(secretDir, { recursive: true, force: true });
  });

  void test('the three profiles exist', () => {
    assert.deepEqual([...profiles].sort(), ['production', 'single-node', 'tenant-per-namespace']);
  });

  void test('helm lint --strict passes for the defaults and every profile', () => {
    for (const answer of lint) assert.ok(answer.ok, answer.output);
    assert.equal(lint.length, 1 + profiles.length);
  });

  void test('every rendered manifest passes its Kubernetes schema (kubernetes-models)', () => {
    for (const [name, manifests] of [...renders, ['forced ServiceMonitor', forcedMonitor] as const]) {
      assert.ok(manifests.length >= 4, `${name} renders the workload`);
      for (const manifest of manifests) {
        const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
        assert.ok(Model !== undefined, `${name}: no schema for ${manifest.apiVersion} ${manifest.kind}`);
        assert.doesNotThrow(() => new Model(manifest as never).validate(), `${name}: ${manifest.kind}`);
      }
    }
  });

  void test('a manifest with a wrong type is refused by the same validation (the check can fail)', () => {
    const deployment = ofKind(renders.get('defaults') ?? [], 'Deployment')[0];
    assert.ok(deployment !== undefined);
    const broken = structuredClone(deployment);
    (broken.spec as Record<string, unknown>).replicas = 'three';
    assert.throws(() => new apps.Deployment(broken as never).validate(), /replicas/);
  });

  void test('KEDA: the workers scale on their group lag with documented Kafka scaler keys, capped at the partitions', () => {
    for (const profile of ['production', 'tenant-per-namespace']) {
      const manifests = renders.get(profile) ?? [];
      const scaled = ofKind(manifests, 'ScaledObject');
      assert.equal(scaled.length, 1, profile);
      const object = new keda.ScaledObject(scaled[0] as never);
      const workers = ofKind(manifests, 'Deployment').find((d) => containersOf(d)[0]?.args?.[0] === 'run');
      assert.equal(object.spec.scaleTargetRef.name, (workers?.metadata as { name?: string }).name);
      assert.equal((workers?.spec as { replicas?: number }).replicas, undefined, 'KEDA owns replicas');
      const env = new Map(containersOf(workers ?? ({} as Manifest))[0]?.env?.map((e) => [e.name, e.value]));
      const partitions = Number(env.get('DMID_TOPIC_PARTITIONS'));
      assert.ok((object.spec.maxReplicaCount ?? Infinity) <= partitions, 'replicas capped at the partitions');
      for (const trigger of object.spec.triggers) {
        assert.equal(trigger.type, 'kafka');
        const metadata = trigger.metadata ?? {};
        for (const key of Object.keys(metadata))
          assert.ok(KEDA_KAFKA_METADATA.has(key), `undocumented ${key}`);
        for (const key of REQUIRED_METADATA) assert.ok(metadata[key] !== undefined, `${profile}: ${key}`);
        assert.equal(metadata.consumerGroup, env.get('DMID_KAFKA_GROUP_ID'), 'the workers group');
      }
    }
    for (const auth of ofKind(renders.get('production') ?? [], 'TriggerAuthentication')) {
      const typed = new keda.TriggerAuthentication(auth as never);
      for (const ref of typed.spec?.secretTargetRef ?? []) assert.ok(KEDA_KAFKA_AUTH.has(ref.parameter));
    }
    assert.equal(ofKind(renders.get('single-node') ?? [], 'ScaledObject').length, 0);
  });

  void test('every DMID_ variable set is known to src/config.ts, and each container env loads in Kafka mode', async () => {
    for (const [name, manifests] of renders) {
      for (const deployment of ofKind(manifests, 'Deployment')) {
        for (const container of containersOf(deployment)) {
          const env: Record<string, string> = {};
          for (const { name: variable, value } of container.env ?? []) {
            assert.ok(variable.startsWith('DMID_'), variable);
            assert.ok(KNOWN.has(variable), `${name}/${container.name}: ${variable} is not in src/config.ts`);
            env[variable] = value ?? '';
          }
          // The secret files the pod would mount, with valid contents.
          for (const variable of Object.keys(env).filter((v) =>
            SECRET_SETTINGS.has(v.replace(/_FILE$/, '')),
          )) {
            if (!variable.endsWith('_FILE')) continue;
            const file = join(secretDir, `${name}-${variable}`);
            await writeFile(file, SECRET_SAMPLES[variable.replace(/_FILE$/, '')] ?? '');
            env[variable] = file;
          }
          const config = loadConfig(env);
          assert.equal(engineMode(config), 'kafka', `${name}/${container.name}`);
          if (name === 'production') {
            // dmid itself reaches Kafka like KEDA does: TLS with the Secret's CA, SCRAM login.
            assert.equal(config.kafka.sasl?.mechanism, 'SCRAM-SHA-512', container.name);
            assert.match(config.kafka.tls?.caFile ?? '', /^\/etc\/dmid\/secrets\//, container.name);
          }
        }
      }
    }
  });

  void test('probes on /readyz and /healthz, resources, read-only root filesystem, for every container', () => {
    for (const [name, manifests] of renders) {
      for (const deployment of ofKind(manifests, 'Deployment')) {
        for (const container of containersOf(deployment)) {
          assert.equal(container.readinessProbe?.httpGet?.path, '/readyz', name);
          assert.equal(container.livenessProbe?.httpGet?.path, '/healthz', name);
          assert.equal(container.securityContext?.readOnlyRootFilesystem, true, name);
          assert.ok(container.resources?.requests?.memory !== undefined, name);
        }
      }
    }
  });

  void test('roles: workers (dmid run) and the ledger writer (dmid ledger-writer) from one image, an API Service, a PDB in production', () => {
    const manifests = renders.get('production') ?? [];
    const roles = ofKind(manifests, 'Deployment').map((d) => containersOf(d)[0]?.args?.join(' '));
    assert.deepEqual(roles.sort(), ['ledger-writer', 'run']);
    const images = new Set(
      ofKind(manifests, 'Deployment').map((d) =>
        JSON.stringify(containersOf(d).map((c) => (c as { image?: string }).image)),
      ),
    );
    assert.equal(images.size, 1, 'one image');
    assert.ok(ofKind(manifests, 'Service').length >= 1);
    assert.equal(ofKind(manifests, 'PodDisruptionBudget').length, 1);
  });

  void test('the ServiceMonitor and PrometheusRule render only when asked or when the operator is there', () => {
    for (const kind of ['ServiceMonitor', 'PrometheusRule']) {
      for (const manifests of renders.values()) assert.equal(ofKind(manifests, kind).length, 0, kind);
      assert.equal(ofKind(forcedMonitor, kind).length, 1, kind);
    }
  });

  void test('the PrometheusRule carries deploy/prometheus/dmid-rules.yaml (the chart copy is equal)', async () => {
    const rules = await readFile(join(REPO, 'deploy/prometheus/dmid-rules.yaml'), 'utf8');
    const copy = await readFile(join(CHART, 'files/dmid-rules.yaml'), 'utf8');
    assert.equal(copy, rules, 'copy deploy/prometheus/dmid-rules.yaml to deploy/helm/dmid/files/');
    const rule = ofKind(forcedMonitor, 'PrometheusRule')[0];
    assert.deepEqual(
      (rule?.spec as { groups?: unknown }).groups,
      (parse(rules) as { groups: unknown }).groups,
    );
  });

  void test('values.schema.json refuses an unknown key, a zero partition count, a non-DMID_ setting', () => {
    assert.equal(refused.length, 3);
    for (const answer of refused) {
      assert.equal(answer.ok, false, answer.output.slice(0, 500));
      assert.match(answer.output, /schema|values don't meet/i);
    }
  });
});
