/**
 * The Dead letters page: counts by reason, source topic and provider since this process started, the
 * latest letters with their headers as they are on `signals.dlq` (a letter refused for a raw identifier
 * carries no key or value there, and none here), and "requeue" for a letter whose cause was fixed: the
 * original record is produced again to its source topic with a `dlq.requeued-from` header. Requeueing is
 * idempotent per letter: a second click produces nothing.
 */
import type { FastifyInstance } from 'fastify';
import type { ConsoleDeps } from './console-deps.js';
import type { Guard } from './console-guard.js';
import { html, type Html } from './html.js';
import { page } from './layout.js';

export const REQUEUED_HEADER = 'dlq.requeued-from';

function countTable(title: string, counts: ReadonlyMap<string, number>): Html {
  const rows = [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(
      ([k, n]) =>
        html`<tr>
          <td>${k}</td>
          <td>${n}</td>
        </tr>`,
    );
  return html`<table class="counts">
    <tr>
      <th>${title}</th>
      <th>letters</th>
    </tr>
    ${rows}
  </table>`;
}

function lettersBody(deps: ConsoleDeps, requeued: ReadonlySet<string>, mayRequeue: boolean): Html {
  const counts = deps.tap.letterCounts();
  const rows = [...deps.tap.letters()]
    .reverse()
    .slice(0, 50)
    .map((l) => {
      const headers = Object.entries(l.headers).map(([k, v]) => html`<div><code>${k}</code>: ${v}</div>`);
      const action = requeued.has(l.id)
        ? html`requeued`
        : l.value === null || !mayRequeue
          ? html`—`
          : html`<button
              hx-post="/console/dead-letters/requeue"
              hx-vals="${JSON.stringify({ id: l.id })}"
              hx-target="#letters"
              hx-swap="outerHTML"
            >
              requeue
            </button>`;
      return html`<tr class="letter" data-id="${l.id}">
        <td class="mono">${l.id}</td>
        <td>${l.reason}</td>
        <td>${l.provider}</td>
        <td>${headers}</td>
        <td>${action}</td>
      </tr>`;
    });
  return html`<div
    id="letters"
    hx-get="/console/dead-letters/fragment"
    hx-trigger="every 5s"
    hx-swap="outerHTML"
  >
    <p>${counts.total} dead letters since this process started.</p>
    <div class="count-tables">
      ${countTable('reason', counts.byReason)} ${countTable('source topic', counts.byTopic)}
      ${countTable('provider', counts.byProvider)}
    </div>
    <h2>Latest letters</h2>
    <table>
      <tr>
        <th>letter</th>
        <th>reason</th>
        <th>provider</th>
        <th>headers (as on the topic)</th>
        <th></th>
      </tr>
      ${rows}
    </table>
  </div>`;
}

export function registerDeadLetterPage(app: FastifyInstance, deps: ConsoleDeps, guard: Guard): void {
  const requeued = new Set<string>();
  const mayRequeue = (role: string): boolean => role === 'support';
  app.get('/console/dead-letters', { onRequest: guard('dead-letters') }, async (request, reply) => {
    const session = guard.session(request);
    const body = lettersBody(deps, requeued, mayRequeue(session.role));
    return reply.type('text/html').send(page('Dead letters', guard.viewer(session), body));
  });
  app.get('/console/dead-letters/fragment', { onRequest: guard('dead-letters') }, async (request, reply) => {
    const session = guard.session(request);
    return reply.type('text/html').send(lettersBody(deps, requeued, mayRequeue(session.role)).text);
  });
  app.post<{ Body: Record<string, string> }>(
    '/console/dead-letters/requeue',
    { onRequest: guard('dead-letters') },
    async (request, reply) => {
      const session = guard.session(request);
      const letter = deps.tap.letter(request.body.id ?? '');
      if (!mayRequeue(session.role) || letter === undefined || letter.value === null) {
        return reply
          .code(404)
          .type('text/html')
          .send(lettersBody(deps, requeued, mayRequeue(session.role)).text);
      }
      if (!requeued.has(letter.id)) {
        // Marked before the send: two clicks in flight produce one record.
        requeued.add(letter.id);
        try {
          await deps.send([
            {
              topic: letter.topic,
              records: [{ key: letter.key, value: letter.value, headers: { [REQUEUED_HEADER]: letter.id } }],
            },
          ]);
        } catch (error) {
          requeued.delete(letter.id);
          throw error;
        }
        deps.audit.info(
          { audit: 'console-requeue', clientId: session.client.id, letter: letter.id, reason: letter.reason },
          'dead letter requeued',
        );
      }
      return reply.type('text/html').send(lettersBody(deps, requeued, mayRequeue(session.role)).text);
    },
  );
}
