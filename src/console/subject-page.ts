/**
 * The Subject page: one subject at a time, opened with a stated purpose (subject-access.ts). Shows the
 * confidence and the four sub-scores over time, each score's reason codes and contributions, the
 * evidence age per dimension, the decisions made about the subject and by whom, and a receipt "verify"
 * per score and decision (assets/verify.js). The subject id travels in the POST body and the session,
 * never in a URL (URLs end up in logs and browser history).
 */
import type { FastifyInstance } from 'fastify';
import type { IdentityScore, Reason } from '../codec/types.js';
import { isWellFormedSubjectId } from '../privacy/pseudonymize.js';
import type { ConsoleDeps } from './console-deps.js';
import { html, type Html } from './html.js';
import { page } from './layout.js';
import { type OperatorSession } from './operator-sessions.js';
import { authorizeSubjectView, MAX_PURPOSE_LENGTH } from './subject-access.js';
import { lineChart } from './svg-chart.js';
import type { Guard } from './console-guard.js';

const COLOURS = ['#1d2430', '#2f6fde', '#d9822b', '#11703a', '#a23bbf'];

function openForm(message: Html | null): Html {
  return html`${message}
    <form method="post" action="/console/subject">
      <p>
        <label>Subject pseudonym <input name="subjectId" size="36" maxlength="32" required /></label>
      </p>
      <p>
        <label
          >Purpose (recorded in the access log)
          <input name="purpose" size="60" maxlength="${MAX_PURPOSE_LENGTH}" required
        /></label>
      </p>
      <button>Open</button>
    </form>`;
}

const iso = (ms: number | null): string => (ms === null ? '—' : new Date(ms).toISOString());

/** The reason's exact contribution in log-odds (0 from the rules scorer, which has none to give). */
function contributionOf(reason: Reason): Html {
  return reason.logOdds === 0 ? html`` : html`, log-odds ${reason.logOdds.toFixed(3)}`;
}

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

function verifyCell(anchorId: string | undefined): Html {
  if (anchorId === undefined) return html`<td>—</td>`;
  return html`<td>
    <button type="button" data-verify="${anchorId}">verify</button> <span class="verify-result"></span>
  </td>`;
}

function timeline(deps: ConsoleDeps, scores: readonly IdentityScore[]): Html {
  const rows = [...scores].reverse().map((s) => {
    const reasons = s.reasons.map(
      (r) =>
        html`<div>
          <code>${r.code}</code> (${r.dimension}) impact ${r.impact.toFixed(3)}${contributionOf(r)}
        </div>`,
    );
    const dims = s.dimensions.map((d) => html`${d.dimension} ${d.score.toFixed(3)}`);
    return html`<tr class="score-row">
      <td class="mono">${iso(s.computedAt)}</td>
      <td>${s.confidence.toFixed(3)}</td>
      <td>${s.assuranceLevel}</td>
      <td class="mono">${dims.map((d) => html`${d}<br />`)}</td>
      <td class="reasons">${reasons}</td>
      ${verifyCell(deps.tap.anchorOf(s.scoreId))}
    </tr>`;
  });
  const names = ['confidence', ...(scores[0]?.dimensions.map((d) => d.dimension) ?? [])];
  const chart = lineChart(
    names.map((name, i) => ({
      name,
      colour: COLOURS[i] ?? '#555',
      points: scores.map((s): [number, number] => [
        s.computedAt,
        name === 'confidence' ? s.confidence : (s.dimensions.find((d) => d.dimension === name)?.score ?? 0),
      ]),
    })),
    1,
    'confidence and sub-scores over time',
  );
  return html`${chart}
    <table id="timeline">
      <tr>
        <th>computed</th>
        <th>confidence</th>
        <th>assurance</th>
        <th>sub-scores</th>
        <th>reasons</th>
        <th>receipt</th>
      </tr>
      ${rows}
    </table>`;
}

async function subjectBody(deps: ConsoleDeps, session: OperatorSession): Promise<Html> {
  const open = session.subject;
  if (open === null) return openForm(null);
  const recorded = deps.tap.scores(open.subjectId);
  const latest = recorded.at(-1) ?? (await deps.store.readScore(open.subjectId))?.score;
  if (latest === undefined) return openForm(html`<p class="error">Subject not found.</p>`);
  const scores = recorded.length > 0 ? recorded : [latest];
  const now = deps.now();
  const ages = latest.dimensions.map(
    (d) =>
      html`<tr>
        <td>${d.dimension}</td>
        <td>${d.present ? 'yes' : 'no'}</td>
        <td>${d.evidenceAt === null ? '—' : age(now - d.evidenceAt)}</td>
      </tr>`,
  );
  const decisions = deps.tap.decisionsAbout(open.subjectId).map(
    (d) =>
      html`<tr>
        <td class="mono">${iso(d.decidedAt)}</td>
        <td>${d.clientId}</td>
        <td>${d.policy}</td>
        <td>${d.outcome}</td>
        ${verifyCell(d.anchorId)}
      </tr>`,
  );
  return html`<p>
      Subject <code id="subject-id">${open.subjectId}</code>, opened for: <em>${open.purpose}</em>
    </p>
    <h2>Confidence and sub-scores</h2>
    ${timeline(deps, scores)}
    <h2>Evidence age</h2>
    <table>
      <tr>
        <th>dimension</th>
        <th>present</th>
        <th>age</th>
      </tr>
      ${ages}
    </table>
    <h2>Decisions</h2>
    <table id="decisions">
      <tr>
        <th>decided</th>
        <th>by</th>
        <th>policy</th>
        <th>outcome</th>
        <th>receipt</th>
      </tr>
      ${decisions}
    </table>
    <h2>Open another subject</h2>
    ${openForm(null)}`;
}

export function registerSubjectPage(app: FastifyInstance, deps: ConsoleDeps, guard: Guard): void {
  app.get('/console/subject', { onRequest: guard('subject') }, async (request, reply) => {
    const session = guard.session(request);
    return reply
      .type('text/html')
      .send(page('Subject', guard.viewer(session), await subjectBody(deps, session)));
  });
  app.post<{ Body: Record<string, string> }>(
    '/console/subject',
    { onRequest: guard('subject') },
    async (request, reply) => {
      const session = guard.session(request);
      // One subject at a time: opening another closes the previous one, whatever the outcome.
      session.subject = null;
      const subjectId = (request.body.subjectId ?? '').trim();
      const purpose = request.body.purpose ?? '';
      const outcome = isWellFormedSubjectId(subjectId)
        ? await authorizeSubjectView(deps, session, subjectId, purpose)
        : 'not-found';
      // A consented subject dmid has no score of is answered like any unknown subject.
      const known =
        outcome === 'granted' &&
        (deps.tap.scores(subjectId).length > 0 || (await deps.store.readScore(subjectId)) !== null);
      if (known) {
        session.subject = { subjectId, purpose: purpose.trim() };
        return reply.code(303).header('location', '/console/subject').send();
      }
      const message =
        outcome === 'purpose-missing'
          ? html`<p class="error">State the purpose of this view (at least a few words).</p>`
          : html`<p class="error">Subject not found.</p>`;
      return reply
        .code(outcome === 'purpose-missing' ? 400 : 404)
        .type('text/html')
        .send(page('Subject', guard.viewer(session), openForm(message)));
    },
  );
}
