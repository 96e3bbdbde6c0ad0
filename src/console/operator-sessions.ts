/**
 * Operator sign-in: an operator pastes its client's API key once, chooses one of its roles, and gets a
 * session cookie (random, HttpOnly, SameSite=Strict, path /console). Sessions live in this process only
 * and end after {@link SESSION_TTL_MS}: a restart signs everyone out, which is the safe direction.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Client, ClientRegistry, OperatorRole } from '../access/clients.js';

export const SESSION_COOKIE = 'dmid_console';
export const SESSION_TTL_MS = 8 * 3_600_000;
const MAX_SESSIONS = 10_000;

/** The subject a support operator has open, with the purpose they stated for it. */
export interface OpenSubject {
  readonly subjectId: string;
  readonly purpose: string;
}

export interface OperatorSession {
  readonly client: Client;
  readonly role: OperatorRole;
  readonly expiresAt: number;
  subject: OpenSubject | null;
}

export interface OperatorSessions {
  /** A new session for `apiKey` in `role`; null when the key is unknown or lacks that role. */
  signIn(apiKey: string, role: string): { token: string; session: OperatorSession } | null;
  of(request: FastifyRequest): OperatorSession | null;
  signOut(request: FastifyRequest): void;
}

function cookieOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [name, value] = part.trim().split('=', 2);
    if (name === SESSION_COOKIE && value !== undefined && /^[0-9a-f]{64}$/.test(value)) return value;
  }
  return undefined;
}

export function sessionCookie(token: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${token}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}`;
}

export function createOperatorSessions(clients: ClientRegistry, now: () => number): OperatorSessions {
  const sessions = new Map<string, OperatorSession>();
  const live = (token: string | undefined): OperatorSession | null => {
    if (token === undefined) return null;
    const session = sessions.get(token);
    if (session === undefined) return null;
    if (session.expiresAt <= now()) {
      sessions.delete(token);
      return null;
    }
    return session;
  };
  return {
    signIn(apiKey, role) {
      const client = clients.byApiKey(apiKey);
      const granted = client?.operator?.find((r) => r === role);
      if (client === undefined || granted === undefined) return null;
      if (sessions.size >= MAX_SESSIONS) {
        for (const [token, s] of sessions) if (s.expiresAt <= now()) sessions.delete(token);
        const oldest = sessions.keys().next().value;
        if (sessions.size >= MAX_SESSIONS && oldest !== undefined) sessions.delete(oldest);
      }
      const token = randomBytes(32).toString('hex');
      const session: OperatorSession = {
        client,
        role: granted,
        expiresAt: now() + SESSION_TTL_MS,
        subject: null,
      };
      sessions.set(token, session);
      return { token, session };
    },
    of: (request) => live(cookieOf(request)),
    signOut(request) {
      const token = cookieOf(request);
      if (token !== undefined) sessions.delete(token);
    },
  };
}

/** Answers a request without a session: pages go to the sign-in form, htmx fragments are told to. */
export function toSignIn(reply: FastifyReply): FastifyReply {
  return reply.code(303).header('location', '/console/login').header('hx-redirect', '/console/login').send();
}
