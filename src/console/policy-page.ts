/**
 * The Policies page: the packs served (id, version, content hash, live or shadow), and a backtest of a
 * draft pasted into the form, over a time range of the scores this process recorded (console-tap.ts),
 * with src/policy/backtest.ts: the draft against the live policy of the same id. The backtest runs in
 * slices between requests (the event loop keeps serving) and the page polls its progress with htmx.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { isDmidError } from '../errors.js';
import type { IdentityScore } from '../codec/types.js';
import { createBacktest, type BacktestReport } from '../policy/backtest.js';
import { parsePolicy } from '../policy/policy-loader.js';
import type { ConsoleDeps } from './console-deps.js';
import type { Guard } from './console-guard.js';
import { html, type Html } from './html.js';
import { page } from './layout.js';

const SLICE = 2_000;
const MAX_JOBS = 20;

interface Job {
  readonly id: string;
  readonly clientId: string;
  done: number;
  readonly total: number;
  report: BacktestReport | null;
}

function packs(deps: ConsoleDeps): Html {
  const rows = deps.policies.all().map((p) => {
    const live = deps.policies.live(p.rules.id) === p;
    return html`<tr>
      <td>${p.rules.id}</td>
      <td>${p.rules.version}</td>
      <td>${live ? 'live' : 'shadow'}</td>
      <td class="mono">${p.contentHash}</td>
    </tr>`;
  });
  return html`<table id="packs">
    <tr>
      <th>policy</th>
      <th>version</th>
      <th></th>
      <th>content hash</th>
    </tr>
    ${rows}
  </table>`;
}

function backtestForm(message: Html | null): Html {
  return html`<h2>Backtest a draft</h2>
    ${message}
    <form method="post" action="/console/policies/backtest">
      <p>
        <label>Draft policy (YAML)<br /><textarea name="draft" rows="14" required></textarea></label>
      </p>
      <p>
        <label>From (UTC) <input name="from" type="datetime-local" step="1" /></label>
        <label>to <input name="to" type="datetime-local" step="1" /></label> (empty: all recorded scores)
      </p>
      <button>Run backtest</button>
    </form>`;
}

function jobView(job: Job): Html {
  const report = job.report;
  if (report === null) {
    return html`<div
      id="job"
      hx-get="/console/policies/backtest/${job.id}"
      hx-trigger="every 300ms"
      hx-swap="outerHTML"
    >
      <progress max="${job.total}" value="${job.done}"></progress> ${job.done} / ${job.total} scores
    </div>`;
  }
  const outcomes = (['ALLOW', 'STEP_UP', 'DENY'] as const).map(
    (o) =>
      html`<tr>
        <td>${o}</td>
        <td>${report.outcomes.live[o]}</td>
        <td>${report.outcomes.draft[o]}</td>
      </tr>`,
  );
  const flips = report.flips.slice(0, 200).map(
    (f) =>
      html`<tr class="flip">
        <td class="mono">${f.subjectId}</td>
        <td>${f.live}</td>
        <td>${f.draft}</td>
      </tr>`,
  );
  return html`<div id="job">
    <progress max="${job.total}" value="${job.done}"></progress> done: ${report.scores} scores of
    ${report.subjects} subjects; draft ${report.draft.id}@${report.draft.version} against live
    ${report.live.version}.
    <table id="outcomes">
      <tr>
        <th>outcome</th>
        <th>live</th>
        <th>draft</th>
      </tr>
      ${outcomes}
    </table>
    <h3>${report.flips.length} flipped pseudonyms</h3>
    <table id="flips">
      <tr>
        <th>subject</th>
        <th>live</th>
        <th>draft</th>
      </tr>
      ${flips}
    </table>
  </div>`;
}

function timeOf(text: string | undefined): number | null {
  if (text === undefined || text === '') return null;
  const ms = Date.parse(`${text}Z`);
  return Number.isFinite(ms) ? ms : null;
}

export function registerPolicyPage(app: FastifyInstance, deps: ConsoleDeps, guard: Guard): void {
  const jobs = new Map<string, Job>();
  const render = (request: Parameters<Guard['session']>[0], body: Html): string => {
    const session = guard.session(request);
    const author = session.role === 'policy-author';
    return page('Policies', guard.viewer(session), html`${packs(deps)}${author ? body : html``}`);
  };
  app.get('/console/policies', { onRequest: guard('policies') }, async (request, reply) =>
    reply.type('text/html').send(render(request, backtestForm(null))),
  );
  app.post<{ Body: Record<string, string> }>(
    '/console/policies/backtest',
    { onRequest: guard('policies'), bodyLimit: 70_000 },
    async (request, reply) => {
      const session = guard.session(request);
      if (session.role !== 'policy-author') return reply.code(404).send();
      let draft;
      try {
        draft = parsePolicy(request.body.draft ?? '', 'the draft');
      } catch (error) {
        const message = isDmidError(error) ? error.message : 'the draft is not a policy';
        return reply
          .code(400)
          .type('text/html')
          .send(render(request, backtestForm(html`<p class="error">${message}</p>`)));
      }
      const live = deps.policies.live(draft.rules.id);
      if (live === undefined) {
        const message = html`<p class="error">
          No live policy ${draft.rules.id} to compare the draft with.
        </p>`;
        return reply
          .code(400)
          .type('text/html')
          .send(render(request, backtestForm(message)));
      }
      const from = timeOf(request.body.from) ?? 0;
      const to = timeOf(request.body.to) ?? Number.MAX_SAFE_INTEGER;
      const scores: IdentityScore[] = [];
      for (const s of deps.tap.allScores()) if (s.computedAt >= from && s.computedAt <= to) scores.push(s);
      const job: Job = {
        id: randomUUID(),
        clientId: session.client.id,
        done: 0,
        total: scores.length,
        report: null,
      };
      if (jobs.size >= MAX_JOBS) jobs.delete(jobs.keys().next().value ?? '');
      jobs.set(job.id, job);
      const backtest = createBacktest(draft, live);
      const step = (): void => {
        const end = Math.min(job.done + SLICE, scores.length);
        for (let i = job.done; i < end; i += 1) backtest.add(scores[i] as IdentityScore);
        job.done = end;
        if (end < scores.length) setImmediate(step);
        else job.report = backtest.report();
      };
      step();
      deps.audit.info(
        {
          audit: 'console-backtest',
          clientId: session.client.id,
          policy: draft.rules.id,
          scores: scores.length,
        },
        'backtest',
      );
      return reply.type('text/html').send(render(request, html`${jobView(job)}${backtestForm(null)}`));
    },
  );
  app.get<{ Params: { id: string } }>(
    '/console/policies/backtest/:id',
    { onRequest: guard('policies') },
    async (request, reply) => {
      const job = jobs.get(request.params.id);
      if (job === undefined || job.clientId !== guard.session(request).client.id)
        return reply.code(404).send();
      return reply.type('text/html').send(jobView(job).text);
    },
  );
}
