/**
 * The catalogue of every metric a dmid process can export: the engine's (metrics.ts), the ledger writer's
 * (ledger-metrics.ts) and the relying-party side's (relying-party-metrics.ts), created together in one
 * registry. docs/metrics.md is generated from it (`npm run gen:docs`), and the tests of the Grafana
 * dashboard and the Prometheus alert rules check every metric they query against it, so a renamed or
 * removed metric breaks them in the suite rather than on a cluster. A new metric module must be added
 * to {@link catalogRegistry}.
 */
import { Registry } from 'prom-client';
import { createLedgerMetrics } from './ledger-metrics.js';
import { createMetrics } from './metrics.js';
import { createRelyingPartyMetrics } from './relying-party-metrics.js';

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

export interface MetricFamily {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  /** Label names, without the histogram's `le`. */
  readonly labels: readonly string[];
}

/** A registry holding every metric any dmid process registers (the Node.js defaults included). */
export function catalogRegistry(): Registry {
  const registry = new Registry();
  createMetrics(registry);
  createLedgerMetrics(registry);
  createRelyingPartyMetrics(registry);
  return registry;
}

/** Every metric family of the catalogue, sorted by name. */
export function metricFamilies(registry: Registry = catalogRegistry()): MetricFamily[] {
  return registry
    .getMetricsAsArray()
    .map((metric) => ({
      name: metric.name,
      type: metricType(String(metric.type)),
      help: metric.help,
      labels: labelNamesOf(metric),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The names a PromQL expression can use for a family: a histogram's or summary's series carry suffixes
 * (`_bucket`, `_sum`, `_count`), the family name itself is not a series of a histogram.
 */
export function seriesNames(family: MetricFamily): string[] {
  if (family.type === 'histogram') return ['_bucket', '_sum', '_count'].map((s) => family.name + s);
  if (family.type === 'summary') return [family.name, `${family.name}_sum`, `${family.name}_count`];
  return [family.name];
}

function metricType(type: string): MetricType {
  if (type === 'counter' || type === 'gauge' || type === 'histogram' || type === 'summary') return type;
  throw new TypeError(`unexpected metric type ${type}`);
}

/** prom-client keeps the configured label names on each metric; they are not part of its types. */
function labelNamesOf(metric: object): string[] {
  const names: unknown = 'labelNames' in metric ? metric.labelNames : undefined;
  if (!Array.isArray(names)) return [];
  return names.filter((n): n is string => typeof n === 'string' && n !== 'le');
}

/** docs/metrics.md, generated from the catalogue. */
export function metricsDoc(families: readonly MetricFamily[] = metricFamilies()): string {
  const own = families.filter((f) => f.name.startsWith('dmid_'));
  const node = families.filter((f) => !f.name.startsWith('dmid_'));
  const rows = own.map((f) => {
    const labels = f.labels.length === 0 ? '' : f.labels.map((l) => `\`${l}\``).join(', ');
    return `| \`${f.name}\` | ${f.type} | ${labels} | ${f.help.replace(/\|/g, '\\|')} |`;
  });
  return [
    '# Metrics',
    '',
    '<!-- Generated from src/api/metric-catalog.ts by `npm run gen:docs`; edits are lost. -->',
    '',
    'Every process serves them on `GET /metrics` (Prometheus text format). No label holds a subject id:',
    'label values come from closed sets, or are topics and partitions admitted by a bounded guard',
    '(src/api/label-guard.ts); a value refused or over the limit is counted in',
    '`dmid_metric_labels_refused_total{metric}`. `dmid run` exports the pipeline, API and relying-party',
    'metrics; `dmid ledger-writer` the `dmid_ledger_*` ones and the API and readiness ones; the embedded',
    'mode all of them. The Grafana dashboard (deploy/grafana/dmid.json) and the alert rules',
    '(deploy/prometheus/dmid-rules.yaml) are checked against this list in the test suite, and the output',
    'of a running engine passes `promtool check metrics`.',
    '',
    '| metric | type | labels | meaning |',
    '|---|---|---|---|',
    ...rows,
    '',
    "Node.js and process metrics (prom-client's defaults, under their standard names; the three",
    '`nodejs_active_*_total` gauges are left out, as `promtool check metrics` rejects a gauge named like a',
    'counter: `sum(nodejs_active_handles)` gives the same number):',
    '',
    node.map((f) => `\`${f.name}\``).join(', ') + '.',
    '',
  ].join('\n');
}
