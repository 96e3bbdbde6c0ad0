/**
 * The catalogue of every metric a dmid process can export: the engine's (metrics.ts), the ledger writer's
 * (ledger-metrics.ts) and the relying-party side's (relying-party-metrics.ts), created together in one
 * registry. The tables of docs/metrics.md are generated from it (`npm run gen:docs`), and the tests of the Grafana
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

/** The table of dmid's own metrics in docs/metrics.md (`npm run gen:docs`). */
export function metricsTable(families: readonly MetricFamily[] = metricFamilies()): string {
  const rows = families
    .filter((f) => f.name.startsWith('dmid_'))
    .map((f) => {
      const labels = f.labels.map((l) => `\`${l}\``).join(', ');
      return `| \`${f.name}\` | ${f.type} | ${labels} | ${f.help.replace(/\|/g, '\\|')} |`;
    });
  return ['| metric | type | labels | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/** The list of the Node.js and process metrics in docs/metrics.md. */
export function nodeMetricsList(families: readonly MetricFamily[] = metricFamilies()): string {
  const names = families.filter((f) => !f.name.startsWith('dmid_')).map((f) => `\`${f.name}\``);
  return `${names.join(', ')}.`;
}
