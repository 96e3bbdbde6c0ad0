/**
 * The Health page: throughput, end-to-end latency percentiles, dead letters and ledger pending, the
 * figures /metrics serves, as small charts sampled each time the page refreshes (htmx, every 2 s), and
 * the table of every dmid counter and gauge.
 */
import type { FastifyInstance } from 'fastify';
import type { ConsoleDeps } from './console-deps.js';
import type { Guard } from './console-guard.js';
import { html, type Html } from './html.js';
import { page } from './layout.js';
import { figures, total } from './metric-figures.js';
import { lineChart } from './svg-chart.js';

const SAMPLES = 90;

interface Sample {
  readonly at: number;
  readonly eventsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly pending: number;
}

export function registerHealthPage(app: FastifyInstance, deps: ConsoleDeps, guard: Guard): void {
  const samples: Sample[] = [];
  const body = async (): Promise<Html> => {
    const snap = deps.window.snapshot();
    const rows = await figures(deps.registry, 'dmid_');
    const pending = total(rows, 'dmid_ledger_anchors_pending');
    samples.push({
      at: deps.now(),
      eventsPerSecond: snap.eventsPerSecond,
      p50: snap.p50Ms ?? 0,
      p99: snap.p99Ms ?? 0,
      pending,
    });
    if (samples.length > SAMPLES) samples.shift();
    const series = (name: string, colour: string, pick: (s: Sample) => number) => ({
      name,
      colour,
      points: samples.map((s): [number, number] => [s.at, pick(s)]),
    });
    const table = rows.map(
      (f) =>
        html`<tr>
          <td>${f.name}</td>
          <td>${f.labels}</td>
          <td>${f.value}</td>
        </tr>`,
    );
    const ms = (v: number | null): string => (v === null ? '—' : `${v.toFixed(1)} ms`);
    return html`<div id="health" hx-get="/console/health/fragment" hx-trigger="every 2s" hx-swap="outerHTML">
      <table id="figures">
        <tr>
          <th>events/s</th>
          <th>p50</th>
          <th>p99</th>
          <th>dead letters (window)</th>
          <th>ledger pending</th>
        </tr>
        <tr>
          <td>${snap.eventsPerSecond.toFixed(0)}</td>
          <td>${ms(snap.p50Ms)}</td>
          <td>${ms(snap.p99Ms)}</td>
          <td>${snap.deadLetteredInWindow}</td>
          <td>${pending}</td>
        </tr>
      </table>
      ${lineChart([series('events/s', '#2f6fde', (s) => s.eventsPerSecond)], null, 'throughput')}
      ${lineChart([series('p50 ms', '#11703a', (s) => s.p50), series('p99 ms', '#b3261e', (s) => s.p99)], null, 'latency')}
      ${lineChart([series('ledger pending', '#d9822b', (s) => s.pending)], null, 'ledger pending')}
      <h2>Counters and gauges (as on /metrics)</h2>
      <table>
        <tr>
          <th>metric</th>
          <th>labels</th>
          <th>value</th>
        </tr>
        ${table}
      </table>
    </div>`;
  };
  app.get('/console/health', { onRequest: guard('health') }, async (request, reply) => {
    const session = guard.session(request);
    return reply.type('text/html').send(page('Health', guard.viewer(session), await body()));
  });
  app.get('/console/health/fragment', { onRequest: guard('health') }, async (_request, reply) =>
    reply.type('text/html').send((await body()).text),
  );
}
