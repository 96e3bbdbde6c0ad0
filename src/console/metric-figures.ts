/** Reads figures from the engine's metric registry: what /metrics serves, as rows for a page. */
import type { Registry } from 'prom-client';

export interface Figure {
  readonly name: string;
  readonly labels: string;
  readonly value: number;
}

/** Every counter and gauge sample whose name starts with `prefix`, in registry order. */
export async function figures(registry: Registry, prefix: string): Promise<Figure[]> {
  const out: Figure[] = [];
  for (const metric of await registry.getMetricsAsJSON()) {
    if (!metric.name.startsWith(prefix)) continue;
    const type = String(metric.type);
    if (type !== 'counter' && type !== 'gauge') continue;
    for (const v of metric.values) {
      const labels = Object.entries(v.labels)
        .map(([k, l]) => `${k}=${String(l)}`)
        .join(', ');
      out.push({ name: metric.name, labels, value: v.value });
    }
  }
  return out;
}

/** The sum of a metric's samples (0 when it is absent). */
export function total(rows: readonly Figure[], name: string): number {
  return rows.filter((r) => r.name === name).reduce((n, r) => n + r.value, 0);
}
