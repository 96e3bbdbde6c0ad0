/**
 * Who may open which console page: a signed-in operator whose role lists the page (layout.ts PAGES_OF).
 * Without a session: to the sign-in form. With a role that lacks the page: 404, like a page that is not
 * there. A POST whose Origin is another site is refused (the cookie is SameSite=Strict as well).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { html } from './html.js';
import { page, PAGES_OF, type Viewer } from './layout.js';
import { toSignIn, type OperatorSession, type OperatorSessions } from './operator-sessions.js';

type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

export interface Guard {
  (pageName: string): Hook;
  /** The session the guard let through; a route without the guard is a bug. */
  session(request: FastifyRequest): OperatorSession;
  viewer(session: OperatorSession): Viewer;
}

const admitted = new WeakMap<FastifyRequest, OperatorSession>();

export function sameOrigin(request: FastifyRequest): boolean {
  if (request.method === 'GET') return true;
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = request.headers.origin;
  return origin === undefined || origin === `${request.protocol}://${request.headers.host ?? ''}`;
}

export function notFoundPage(reply: FastifyReply, viewer: Viewer | null): FastifyReply {
  return reply
    .code(404)
    .type('text/html')
    .send(page('Not found', viewer, html`<p>Not found.</p>`));
}

export function createGuard(sessions: OperatorSessions): Guard {
  const viewer = (session: OperatorSession): Viewer => ({ clientId: session.client.id, role: session.role });
  const guard =
    (pageName: string): Hook =>
    async (request, reply) => {
      if (!sameOrigin(request)) return reply.code(403).send();
      const session = sessions.of(request);
      if (session === null) return toSignIn(reply);
      if (!PAGES_OF[session.role].includes(pageName)) return notFoundPage(reply, viewer(session));
      admitted.set(request, session);
      return undefined;
    };
  return Object.assign(guard, {
    session(request: FastifyRequest): OperatorSession {
      const session = admitted.get(request);
      if (session === undefined) throw new Error('console: route registered without its guard');
      return session;
    },
    viewer,
  });
}
