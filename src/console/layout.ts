/** The page frame: navigation by role, the local scripts, nothing from another origin. */
import type { OperatorRole } from '../access/clients.js';
import { html, type Html } from './html.js';

export interface Viewer {
  readonly clientId: string;
  readonly role: OperatorRole;
}

/** The pages each role may open (the server checks again on every request). */
export const PAGES_OF: Readonly<Record<OperatorRole, readonly string[]>> = {
  support: ['subject', 'dead-letters', 'alerts', 'health'],
  auditor: ['dead-letters', 'alerts', 'health', 'policies'],
  'policy-author': ['policies', 'health'],
};

const TITLES: Readonly<Record<string, string>> = {
  subject: 'Subject',
  'dead-letters': 'Dead letters',
  policies: 'Policies',
  alerts: 'Alerts',
  health: 'Health',
};

export function page(title: string, viewer: Viewer | null, body: Html): string {
  const nav =
    viewer === null
      ? html``
      : html`${PAGES_OF[viewer.role].map((p) => html`<a href="/console/${p}">${TITLES[p]}</a>`)}
          <span class="who">${viewer.clientId} · ${viewer.role}</span>
          <form class="inline" method="post" action="/console/logout"><button>Sign out</button></form>`;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta
          name="htmx-config"
          content='{"includeIndicatorStyles":false,"allowEval":false,"selfRequestsOnly":true}'
        />
        <title>${title} · dmid console</title>
        <link rel="stylesheet" href="/console/assets/console.css" />
        <script src="/console/assets/htmx.min.js" defer></script>
        <script src="/console/assets/verify.js" defer></script>
      </head>
      <body>
        <header><strong>dmid console</strong> ${nav}</header>
        <main>
          <h1>${title}</h1>
          ${body}
        </main>
      </body>
    </html>`.text;
}
