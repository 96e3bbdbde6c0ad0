/**
 * The operators' console under /console (docs/console.md), registered on the API server by one call when
 * `DMID_CONSOLE=on`. Server-rendered HTML, htmx for the parts that refresh, one script of our own for
 * the receipt check; every asset is served from this process (node_modules and src/console/assets), so
 * the console works without any network beyond the engine. A strict Content-Security-Policy allows
 * nothing else: no inline script or style, no other origin, no framing.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { walkChain } from '../anchor/ledger/file-chain.js';
import type { ConsoleDeps } from './console-deps.js';
import { createGuard, notFoundPage, sameOrigin } from './console-guard.js';
import { registerDeadLetterPage } from './dead-letter-page.js';
import { registerHealthPage } from './health-page.js';
import { html } from './html.js';
import { page, PAGES_OF } from './layout.js';
import { createOperatorSessions, SESSION_TTL_MS, sessionCookie } from './operator-sessions.js';
import { registerPolicyPage } from './policy-page.js';
import { registerAlertsPage } from './alerts-page.js';
import { registerSubjectPage } from './subject-page.js';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Forms carry a draft policy at most (64 KiB, the policy loader's own limit). */
const FORM_LIMIT_BYTES = 64 * 1024 + 1024;
const ASSET_DIR = fileURLToPath(new URL('../../src/console/assets/', import.meta.url));

function assets(): ReadonlyMap<string, { type: string; body: Buffer }> {
  const require = createRequire(import.meta.url);
  const js = 'text/javascript; charset=utf-8';
  return new Map([
    ['htmx.min.js', { type: js, body: readFileSync(require.resolve('htmx.org/dist/htmx.min.js')) }],
    ['verify.js', { type: js, body: readFileSync(`${ASSET_DIR}verify.js`) }],
    ['console.css', { type: 'text/css; charset=utf-8', body: readFileSync(`${ASSET_DIR}console.css`) }],
  ]);
}

function loginForm(message: string | null): string {
  return page(
    'Sign in',
    null,
    html`${message === null ? '' : html`<p class="error">${message}</p>`}
      <form method="post" action="/console/login">
        <p>
          <label>API key <input name="apiKey" type="password" size="48" autocomplete="off" required /></label>
        </p>
        <p>
          <label
            >Role
            <select name="role">
              <option>support</option>
              <option>auditor</option>
              <option>policy-author</option>
            </select></label
          >
        </p>
        <button>Sign in</button>
      </form>`,
  );
}

/** Serves the console on `app`, in its own plugin scope (its own body parser and headers). */
export function registerConsole(app: FastifyInstance, deps: ConsoleDeps): void {
  const files = assets();
  const sessions = createOperatorSessions(deps.clients, deps.now);
  const guard = createGuard(sessions);
  void app.register((scope, _options, done) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
    scope.addHook('onRequest', async (_request, reply) => {
      void reply.headers({
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'x-frame-options': 'DENY',
        // same-origin, not no-referrer: with no-referrer a form POST carries `Origin: null`, which the guard refuses.
        'referrer-policy': 'same-origin',
      });
    });
    scope.get<{ Params: { name: string } }>('/console/assets/:name', async (request, reply) => {
      const file = files.get(request.params.name);
      if (file === undefined) return notFoundPage(reply, null);
      return reply.header('cache-control', 'max-age=3600').type(file.type).send(file.body);
    });
    scope.get('/console', async (request, reply) => {
      const session = sessions.of(request);
      const first = session === null ? 'login' : (PAGES_OF[session.role][0] ?? 'health');
      return reply.code(303).header('location', `/console/${first}`).send();
    });
    scope.get('/console/login', async (_request, reply) => reply.type('text/html').send(loginForm(null)));
    scope.post<{ Body: Record<string, string> }>('/console/login', async (request, reply) => {
      if (!sameOrigin(request)) return reply.code(403).send();
      const signed = sessions.signIn(request.body.apiKey ?? '', request.body.role ?? '');
      if (signed === null) {
        deps.audit.info({ audit: 'console-sign-in', outcome: 'refused' }, 'console sign-in refused');
        return reply.code(401).type('text/html').send(loginForm('Unknown key, or no such role for it.'));
      }
      const { session, token } = signed;
      deps.audit.info(
        { audit: 'console-sign-in', clientId: session.client.id, role: session.role },
        'console sign-in',
      );
      return reply
        .code(303)
        .header('set-cookie', sessionCookie(token, SESSION_TTL_MS / 1000))
        .header('location', '/console')
        .send();
    });
    scope.post('/console/logout', async (request, reply) => {
      if (!sameOrigin(request)) return reply.code(403).send();
      sessions.signOut(request);
      return reply
        .code(303)
        .header('set-cookie', sessionCookie('', 0))
        .header('location', '/console/login')
        .send();
    });
    registerReceiptRoutes(scope, deps, guard);
    registerSubjectPage(scope, deps, guard);
    registerDeadLetterPage(scope, deps, guard);
    registerPolicyPage(scope, deps, guard);
    registerAlertsPage(scope, deps, guard);
    registerHealthPage(scope, deps, guard);
    done();
  });
}

/** The receipt and the ledger block it names, for verify.js: only for the subject open in the session. */
function registerReceiptRoutes(
  app: FastifyInstance,
  deps: ConsoleDeps,
  guard: ReturnType<typeof createGuard>,
): void {
  app.get<{ Params: { anchorId: string } }>(
    '/console/receipts/:anchorId',
    { onRequest: guard('subject') },
    async (request, reply) => {
      const session = guard.session(request);
      const open = session.subject;
      const anchorId = request.params.anchorId;
      // Only the receipts of the subject open in this session: an anchor id is not a licence.
      const mine =
        open !== null &&
        (deps.tap.scores(open.subjectId).some((s) => deps.tap.anchorOf(s.scoreId) === anchorId) ||
          deps.tap.decisionsAbout(open.subjectId).some((d) => d.anchorId === anchorId));
      const receipt = mine ? await deps.receipts.readReceipt(anchorId) : null;
      if (receipt === null) return reply.code(404).send({ error: 'RECEIPT_NOT_FOUND' });
      let block = null;
      if (deps.ledgerFile !== null && receipt.ledger.kind === 'file') {
        // The browser checks the block itself; a ledger this process cannot read leaves that step out.
        const text = await readFile(deps.ledgerFile, 'utf8').catch(() => '');
        block = walkChain(text).blocks[receipt.ledger.height] ?? null;
      }
      return reply.send({ receipt, block });
    },
  );
}
