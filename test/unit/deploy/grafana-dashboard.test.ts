/**
 * dashboard-queries-known-metrics: deploy/grafana/dmid.json is what scripts/grafana-dashboard.ts builds
 * (`npm run gen:dashboard`), has its fixed uid and a `${datasource}` variable every panel uses, covers the
 * panels the operators need, and no panel query names a metric the registry does not export.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { metricFamilies, seriesNames } from '../../../src/api/metric-catalog.js';
import { buildDashboard, DASHBOARD_UID } from '../../../scripts/grafana-dashboard.js';
import { metricNamesIn } from '../../support/promql.js';

interface Target {
  expr?: string;
  datasource?: { uid?: string };
}
interface Panel {
  type: string;
  title?: string;
  datasource?: { uid?: string };
  targets?: Target[];
}

const file: unknown = JSON.parse(
  readFileSync(new URL('../../../deploy/grafana/dmid.json', import.meta.url), 'utf8'),
);
const dashboard = buildDashboard() as unknown as {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: string }[] };
};
const panels = dashboard.panels.filter((p) => p.type !== 'row');
const exported = new Set(metricFamilies().flatMap(seriesNames));

void test('deploy/grafana/dmid.json is generated (run `npm run gen:dashboard` after a change)', () => {
  assert.deepEqual(file, JSON.parse(JSON.stringify(buildDashboard())));
});

void test('a fixed uid and a ${datasource} variable that every panel and query uses', () => {
  assert.equal(dashboard.uid, DASHBOARD_UID);
  const variable = dashboard.templating.list.find((v) => v.name === 'datasource');
  assert.equal(variable?.type, 'datasource');
  assert.equal(variable?.query, 'prometheus');
  for (const panel of panels) {
    assert.equal(panel.datasource?.uid, '${datasource}', panel.title);
    assert.ok((panel.targets ?? []).length > 0, `${panel.title} has queries`);
    for (const target of panel.targets ?? []) assert.equal(target.datasource?.uid, '${datasource}');
  }
});

void test('the panels of the issue are there', () => {
  const titles = panels.map((p) => p.title ?? '');
  for (const wanted of [
    /throughput by topic/i,
    /end-to-end latency/i,
    /consumer lag/i,
    /dead letters by reason/i,
    /scores by assurance level/i,
    /stage times/i,
    /redis and kafka health/i,
    /anchors pending/i,
    /ledger batch latency/i,
    /alert deliveries/i,
    /decision outcomes/i,
  ]) {
    assert.ok(
      titles.some((t) => wanted.test(t)),
      String(wanted),
    );
  }
});

void test('every panel query names only metrics the registry exports', () => {
  let names = 0;
  for (const panel of panels) {
    for (const target of panel.targets ?? []) {
      const used = metricNamesIn(target.expr ?? '');
      assert.ok(used.length > 0, `${panel.title}: a query reads a metric`);
      for (const name of used) assert.ok(exported.has(name), `${panel.title}: ${name} is not exported`);
      names += used.length;
    }
  }
  assert.ok(names >= 15);
});

void test('the metric-name reader finds what a query reads, and an unknown name fails the check', () => {
  assert.deepEqual(
    metricNamesIn(
      'histogram_quantile(0.99, sum by (le, stage) (rate(dmid_batch_stage_seconds_bucket{job="x"}[$__rate_interval]))) > 0',
    ),
    ['dmid_batch_stage_seconds_bucket'],
  );
  assert.deepEqual(metricNamesIn('count(dmid_ready == 0) and on (pod) up'), ['dmid_ready', 'up']);
  assert.deepEqual(metricNamesIn('dmid_consumer_lag offset 5m > 1e3'), ['dmid_consumer_lag']);
  assert.ok(!exported.has('dmid_scores_emited_total'));
});
