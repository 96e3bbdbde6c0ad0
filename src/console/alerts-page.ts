/**
 * The Alerts page: alerts raised (by kind) and delivery attempts (by result) as counted by this process
 * (/metrics), and the parked deliveries of every party subscribed to alerts, with "redeliver" (support).
 */
import type { FastifyInstance } from 'fastify';
import type { ConsoleDeps } from './console-deps.js';
import type { Guard } from './console-guard.js';
import { html, type Html } from './html.js';
import { page } from './layout.js';
import { figures } from './metric-figures.js';

async function alertsBody(deps: ConsoleDeps, mayRedeliver: boolean, message: Html | null): Promise<Html> {
  const rows = (await figures(deps.registry, 'dmid_alert')).map(
    (f) =>
      html`<tr>
        <td>${f.name}</td>
        <td>${f.labels}</td>
        <td>${f.value}</td>
      </tr>`,
  );
  const parties = deps.clients.all().filter((c) => c.alerts);
  const parked = await Promise.all(parties.map((c) => deps.alerts.parked(c.id)));
  const partyRows = parties.map((c, i) => {
    const count = parked[i]?.length ?? 0;
    const action =
      mayRedeliver && count > 0
        ? html`<form class="inline" method="post" action="/console/alerts/redeliver">
            <input type="hidden" name="clientId" value="${c.id}" /><button>redeliver</button>
          </form>`
        : html``;
    return html`<tr>
      <td>${c.id}</td>
      <td class="parked">${count}</td>
      <td>${action}</td>
    </tr>`;
  });
  return html`${message}
    <h2>Raised and delivered (this process)</h2>
    <table>
      <tr>
        <th>metric</th>
        <th>labels</th>
        <th>value</th>
      </tr>
      ${rows}
    </table>
    <h2>Parked, per party</h2>
    <table id="parked">
      <tr>
        <th>party</th>
        <th>parked</th>
        <th></th>
      </tr>
      ${partyRows}
    </table>`;
}

export function registerAlertsPage(app: FastifyInstance, deps: ConsoleDeps, guard: Guard): void {
  app.get('/console/alerts', { onRequest: guard('alerts') }, async (request, reply) => {
    const session = guard.session(request);
    const body = await alertsBody(deps, session.role === 'support', null);
    return reply.type('text/html').send(page('Alerts', guard.viewer(session), body));
  });
  app.post<{ Body: Record<string, string> }>(
    '/console/alerts/redeliver',
    { onRequest: guard('alerts') },
    async (request, reply) => {
      const session = guard.session(request);
      const party = deps.clients.byId(request.body.clientId ?? '');
      if (session.role !== 'support' || party === undefined || !party.alerts) return reply.code(404).send();
      const requeued = await deps.alerts.requeueParked(party.id, deps.now());
      if (requeued > 0) deps.delivery.wake();
      deps.audit.info(
        { audit: 'console-redeliver', clientId: session.client.id, party: party.id, requeued },
        'redeliver',
      );
      const body = await alertsBody(
        deps,
        true,
        html`<p class="notice">${requeued} deliveries of ${party.id} queued again.</p>`,
      );
      return reply.type('text/html').send(page('Alerts', guard.viewer(session), body));
    },
  );
}
