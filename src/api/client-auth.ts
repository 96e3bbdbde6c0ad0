/**
 * Who is calling: the relying-party client of a request's API key (`Authorization: Bearer <key>`), then
 * its rate limit. Runs as the first hook of every relying-party route, before the body is read: a caller
 * without a key learns nothing else, and a client over its limit costs no parsing.
 *
 * A request without a valid key is limited too, per source address (`addr:<ip>`), so guessing keys or
 * hammering the API unauthenticated costs the same tokens as calling it; the limiter is shared by every
 * API process when it lives in Redis (redis-rate-limiter.ts).
 */
import { hash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Client, ClientRegistry } from '../access/clients.js';
import type { RateLimiter } from '../access/token-bucket.js';
import type { Logger } from '../logger.js';
import { sendApiError, type ApiErrorCode } from './api-errors.js';
import type { RelyingPartyMetrics } from './relying-party-metrics.js';

const clients = new WeakMap<FastifyRequest, Client>();

export interface ClientAuthDeps {
  readonly clients: ClientRegistry;
  readonly limiter: RateLimiter;
  /** The audit log: refusals, by route and code, never the key. */
  readonly audit: Logger;
  readonly metrics: Pick<RelyingPartyMetrics, 'refused'>;
}

/** Writes a refusal to the audit log (route, client, code: no subject id, no key) and counts it. */
export function auditRefusal(
  deps: Pick<ClientAuthDeps, 'audit' | 'metrics'>,
  route: string | undefined,
  clientId: string | null,
  code: ApiErrorCode,
): void {
  deps.audit.info({ audit: 'refused', route, clientId, code }, 'refused');
  deps.metrics.refused(code);
}

/** The API key of `Authorization: Bearer <key>`, or undefined. */
function bearerKey(request: FastifyRequest): string | undefined {
  const match = /^Bearer ([A-Za-z0-9._~+/=-]{1,256})$/.exec(request.headers.authorization ?? '');
  return match?.[1];
}

/** The onRequest hook of relying-party routes: 401 without a known key, 429 over the client's limit. */
export function authenticate(deps: ClientAuthDeps) {
  // Answering from an async hook: send, then return the reply (fastify docs, "Respond to a request from a hook").
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const route = request.routeOptions.url;
    const key = bearerKey(request);
    const client = key === undefined ? undefined : deps.clients.byApiKey(key);
    if (client === undefined) {
      const limited = await limitBySource(deps, request, reply, route);
      if (limited !== undefined) return limited;
      auditRefusal(deps, route, null, 'UNAUTHENTICATED');
      return sendApiError(reply, 'UNAUTHENTICATED');
    }
    const taken = await deps.limiter.take(`client:${client.id}`);
    if (!taken.ok) {
      auditRefusal(deps, route, client.id, 'RATE_LIMITED');
      return sendApiError(reply, 'RATE_LIMITED', taken.retryAfterSeconds);
    }
    clients.set(request, client);
    return undefined;
  };
}

/**
 * Takes a token of the request's source address; answers 429 and returns the reply when there is none.
 * Used for requests that have no client: without a valid key, and the person's own consent routes.
 */
export async function limitBySource(
  deps: Pick<ClientAuthDeps, 'limiter' | 'audit' | 'metrics'>,
  request: FastifyRequest,
  reply: FastifyReply,
  route: string | undefined,
): Promise<FastifyReply | undefined> {
  // The address hashed: a Redis key is no place for it.
  const taken = await deps.limiter.take(`addr:${hash('sha256', request.ip, 'hex').slice(0, 32)}`);
  if (taken.ok) return undefined;
  auditRefusal(deps, route, null, 'RATE_LIMITED');
  return sendApiError(reply, 'RATE_LIMITED', taken.retryAfterSeconds);
}

/** The client `authenticate` found for this request; a route without the hook is a bug. */
export function clientOf(request: FastifyRequest): Client {
  const client = clients.get(request);
  if (client === undefined) throw new Error('client-auth: route registered without authenticate');
  return client;
}
