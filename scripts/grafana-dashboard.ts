/**
 * The Grafana dashboard of dmid (deploy/grafana/dmid.json), built from typed TypeScript with the Grafana
 * Foundation SDK: `npm run gen:dashboard` writes it. Every query names metrics of the registry
 * (src/api/metric-catalog.ts); test/unit/deploy/grafana-dashboard.test.ts fails on one that does not
 * exist and on a dmid.json that differs from what this file builds.
 *
 * A fixed uid, so links and provisioning survive regeneration; a `${datasource}` variable, so the same
 * JSON imports into any Grafana whatever its Prometheus data source is called.
 */
import {
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  RowBuilder,
  type Dashboard,
} from '@grafana/grafana-foundation-sdk/dashboard';
import {
  LegendDisplayMode,
  LegendPlacement,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

export const DASHBOARD_UID = 'dmid-overview';
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const RATE = '$__rate_interval';

interface Query {
  readonly expr: string;
  readonly legend: string;
}

interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly unit: string;
  readonly queries: readonly Query[];
  /** Panel width out of 24; default 12. */
  readonly width?: number;
}

const quantile = (q: number, bucket: string, by = 'le'): string =>
  `histogram_quantile(${q}, sum by (${by}) (rate(${bucket}[${RATE}])))`;

const ROWS: readonly { readonly title: string; readonly panels: readonly PanelSpec[] }[] = [
  {
    title: 'Pipeline',
    panels: [
      {
        title: 'Throughput by topic',
        description: 'Records consumed per second from each signal topic, and scores produced.',
        unit: 'reqps',
        queries: [
          { expr: `sum by (topic) (rate(dmid_events_consumed_total[${RATE}]))`, legend: '{{topic}}' },
          { expr: `sum(rate(dmid_scores_emitted_total[${RATE}]))`, legend: 'scores' },
        ],
      },
      {
        title: 'End-to-end latency',
        description: 'Kafka record timestamp to the score that reflects it produced: p50, p95, p99.',
        unit: 's',
        queries: [0.5, 0.95, 0.99].map((q) => ({
          expr: quantile(q, 'dmid_ingest_to_score_seconds_bucket'),
          legend: `p${q * 100}`,
        })),
      },
      {
        title: 'Consumer lag',
        description:
          'Records behind the high watermark, summed per topic over the workers (KEDA scales on it).',
        unit: 'short',
        queries: [{ expr: 'sum by (topic) (dmid_consumer_lag)', legend: '{{topic}}' }],
      },
      {
        title: 'Dead letters by reason',
        description: 'Records sent to signals.dlq per second, by dlq.reason.',
        unit: 'reqps',
        queries: [
          {
            expr: `sum by (reason) (rate(dmid_events_dead_lettered_total[${RATE}])) > 0`,
            legend: '{{reason}}',
          },
        ],
      },
      {
        title: 'Scores by assurance level',
        description: 'Scores produced per second, by assurance level.',
        unit: 'reqps',
        queries: [
          {
            expr: `sum by (assurance_level) (rate(dmid_scores_emitted_total[${RATE}]))`,
            legend: '{{assurance_level}}',
          },
        ],
      },
      {
        title: 'Stage times (p99 per unit)',
        description: 'Where the time of a unit goes: decode, redis, features, scoring, produce, commit.',
        unit: 's',
        queries: [
          { expr: quantile(0.99, 'dmid_batch_stage_seconds_bucket', 'le, stage'), legend: '{{stage}}' },
        ],
      },
    ],
  },
  {
    title: 'Dependencies',
    panels: [
      {
        title: 'Redis and Kafka health',
        description:
          'Readiness checks at each scrape, the lowest over the pods: transport (Kafka), store (Redis), consumption (1 ok, 0 failing).',
        unit: 'short',
        queries: [{ expr: 'min by (check) (dmid_readiness_check)', legend: '{{check}}' }],
      },
      {
        title: 'Paused and not-ready pods',
        description: 'Pods whose consumption is paused (back-pressure, store down), and pods not ready.',
        unit: 'short',
        queries: [
          { expr: 'sum(dmid_consumption_paused)', legend: 'paused' },
          { expr: 'count(dmid_ready == 0)', legend: 'not ready' },
        ],
      },
    ],
  },
  {
    title: 'Ledger',
    panels: [
      {
        title: 'Anchors pending',
        description:
          'Anchors consumed by the ledger writers and waiting for their batch to be on the ledger.',
        unit: 'short',
        queries: [{ expr: 'sum(dmid_ledger_anchors_pending)', legend: 'pending' }],
      },
      {
        title: 'Ledger batch latency',
        description: "A batch's first anchor consumed to its root on the ledger: p50 and p99.",
        unit: 's',
        queries: [0.5, 0.99].map((q) => ({
          expr: quantile(q, 'dmid_ledger_batch_latency_seconds_bucket'),
          legend: `p${q * 100}`,
        })),
      },
    ],
  },
  {
    title: 'Relying parties',
    panels: [
      {
        title: 'Alert deliveries',
        description:
          'Webhook delivery attempts per second by result, and deliveries parked (sum over the pods).',
        unit: 'short',
        queries: [
          { expr: `sum by (result) (rate(dmid_alert_deliveries_total[${RATE}]))`, legend: '{{result}}' },
          { expr: 'sum(dmid_alert_deliveries_parked)', legend: 'parked' },
        ],
      },
      {
        title: 'Decision outcomes',
        description: 'Decisions answered per second, by outcome.',
        unit: 'reqps',
        queries: [{ expr: `sum by (outcome) (rate(dmid_decisions_total[${RATE}]))`, legend: '{{outcome}}' }],
      },
    ],
  },
];

function panel(spec: PanelSpec): TimeseriesBuilder {
  const builder = new TimeseriesBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .min(0)
    .legend(
      new VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.List)
        .placement(LegendPlacement.Bottom),
    )
    .height(8)
    .span(spec.width ?? 12);
  spec.queries.forEach((query, i) => {
    builder.withTarget(
      new DataqueryBuilder()
        .datasource(DATASOURCE)
        .expr(query.expr)
        .legendFormat(query.legend)
        .refId(String.fromCharCode(65 + i)),
    );
  });
  return builder;
}

/** The dashboard, as Grafana's JSON model. */
export function buildDashboard(): Dashboard {
  const builder = new DashboardBuilder('dmid')
    .uid(DASHBOARD_UID)
    .description(
      'dmid: throughput, latency, lag, dead letters, scores, dependencies, ledger, alerts, decisions.',
    )
    .tags(['dmid', 'generated'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'));
  for (const row of ROWS) {
    builder.withRow(new RowBuilder(row.title));
    for (const spec of row.panels) builder.withPanel(panel(spec));
  }
  return builder.build();
}

/** The text of deploy/grafana/dmid.json. */
export function dashboardJson(): string {
  return `${JSON.stringify(buildDashboard(), null, 2)}\n`;
}
