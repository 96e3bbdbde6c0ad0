/**
 * The relying-party routes, all behind an API key (client-auth.ts) and the client's rate limit:
 *
 *   POST   /v1/decisions                 {subjectId, policy} -> a decision record, anchored
 *   POST   /v1/relationships             {subjectId, kind, expiresAt} -> 201, the relationship
 *   DELETE /v1/relationships/:subjectId  -> 204
 *   PUT    /v1/subscription              {url} -> the subscription with its signing secret (shown once)
 *   DELETE /v1/subscription              -> 204
 *   GET    /v1/alerts/parked             -> this client's deliveries that ran out of attempts
 *   POST   /v1/alerts/parked/redeliver   -> queues them again
 *
 * Bodies are strict: an unknown property, a malformed subject id or a body over 1 KiB is refused with its
 * own error code. A subject without a live relationship with the caller answers 404 SUBJECT_NOT_FOUND,
 * exactly as a subject dmid does not know.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { AccessStore } from '../../access/access-store.js';
import { RELATIONSHIP_KINDS, type RelationshipKind } from '../../access/access-store.js';
import type { ClientRegistry } from '../../access/clients.js';
import type { RateLimiter } from '../../access/token-bucket.js';
import type { AlertDelivery } from '../../alerts/alert-delivery.js';
import type { AlertStore } from '../../alerts/alert-store.js';
import type { Logger } from '../../logger.js';
import type { DecisionService } from '../../policy/decision-service.js';
import { canRetry, DmidError, isDmidError } from '../../errors.js';
import { ERROR_BODY_SCHEMA, sendApiError, type ApiErrorCode } from '../api-errors.js';
import { withDeadline } from '../deadline.js';
import { auditRefusal, authenticate, clientOf } from '../client-auth.js';
import type { RelyingPartyMetrics } from '../relying-party-metrics.js';
import { refusalOf, type ScoreReadGuard } from './score-route.js';
import { DECISION_RESPONSE_SCHEMA, PARKED_RESPONSE_SCHEMA } from './relying-party-schemas.js';

export const DECISIONS_ROUTE = '/v1/decisions';
export const RELATIONSHIPS_ROUTE = '/v1/relationships';
export const SUBSCRIPTION_ROUTE = '/v1/subscription';
export const PARKED_ROUTE = '/v1/alerts/parked';

/** Longest relationship registered at once, days: consent is renewed, not granted forever. */
export const MAX_RELATIONSHIP_DAYS = 400;
const DAY_MS = 86_400_000;
/**
 * Longest a decision may take, ms: reads from Redis and the anchor acknowledged by Kafka (all in-sync
 * replicas). Past it the answer is 503 and no decision is returned: an unanchored one must not be relied on.
 */
const DECISION_TIMEOUT_MS = 5000;
const MAX_URL_LENGTH = 2048;

export interface RelyingPartyRouteDeps {
  readonly clients: ClientRegistry;
  readonly limiter: RateLimiter;
  readonly decisions: DecisionService;
  readonly access: AccessStore;
  readonly alerts: Pick<AlertStore, 'parked' | 'requeueParked'>;
  readonly delivery: Pick<AlertDelivery, 'wake'>;
  /** The audit log: decisions and refusals, no subject id. */
  readonly audit: Logger;
  readonly metrics: Pick<RelyingPartyMetrics, 'refused'>;
  readonly now: () => number;
}

const SUBJECT_ID = { type: 'string', pattern: '^[a-z2-7]{32}$' } as const;
const ERRORS = { '4xx': ERROR_BODY_SCHEMA, '5xx': ERROR_BODY_SCHEMA } as const;

const DECISION_BODY = {
  type: 'object',
  required: ['subjectId', 'policy'],
  additionalProperties: false,
  properties: { subjectId: SUBJECT_ID, policy: { type: 'string', pattern: '^[a-z][a-z0-9.-]{0,127}$' } },
} as const;

const RELATIONSHIP_BODY = {
  type: 'object',
  required: ['subjectId', 'kind', 'expiresAt'],
  additionalProperties: false,
  properties: {
    subjectId: SUBJECT_ID,
    kind: { type: 'string', enum: [...RELATIONSHIP_KINDS] },
    expiresAt: { type: 'integer' },
  },
} as const;

const SUBSCRIPTION_BODY = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: { url: { type: 'string', minLength: 1, maxLength: MAX_URL_LENGTH } },
} as const;

const SUBJECT_PARAMS = {
  type: 'object',
  required: ['subjectId'],
  additionalProperties: false,
  properties: { subjectId: SUBJECT_ID },
} as const;

/** A raw identifier (or a typo) as subjectId is refused before validation, never echoed or logged. */
function subjectGuard(pick: (request: { body: unknown; params: unknown }) => unknown) {
  return (
    request: { body: unknown; params: unknown },
    reply: Parameters<typeof sendApiError>[0],
    done: () => void,
  ): void => {
    const value = pick(request);
    if (value === undefined || refusalOf(value) === null) {
      done();
      return;
    }
    void sendApiError(reply, 'SUBJECT_ID_MALFORMED');
  };
}

function fieldOf(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  const field: unknown = Reflect.get(value, name);
  return field;
}

function isWebhookUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === ''
  );
}

export function registerRelyingPartyRoutes(app: FastifyInstance, deps: RelyingPartyRouteDeps): void {
  const onRequest = authenticate(deps);
  const refuse = (route: string, clientId: string, code: ApiErrorCode): void =>
    auditRefusal(deps, route, clientId, code);

  app.post<{ Body: { subjectId: string; policy: string } }>(DECISIONS_ROUTE, {
    schema: { body: DECISION_BODY, response: { 200: DECISION_RESPONSE_SCHEMA, ...ERRORS } },
    onRequest,
    preValidation: subjectGuard((r) => fieldOf(r.body, 'subjectId')),
    handler: async (request, reply) => {
      const client = clientOf(request);
      let result;
      try {
        result = await withDeadline(
          deps.decisions.decide(client, request.body.subjectId, request.body.policy),
          DECISION_TIMEOUT_MS,
          () => new DmidError('DMID_REDIS_UNAVAILABLE', 'decision timed out'),
        );
      } catch (error) {
        if (!canRetry(error)) throw error;
        // Only the code: a store error's cause may carry a Redis command, and with it a subject's key.
        request.log.warn({ code: isDmidError(error) ? error.code : undefined }, 'decision unavailable');
        return sendApiError(reply, 'DECISION_UNAVAILABLE');
      }
      if (result.kind === 'decided')
        return { ...result.record, recordHash: result.recordHash, anchorId: result.anchorId };
      const code: ApiErrorCode =
        result.kind === 'policy-not-found'
          ? 'POLICY_NOT_FOUND'
          : result.kind === 'policy-not-allowed'
            ? 'POLICY_NOT_ALLOWED'
            : 'SUBJECT_NOT_FOUND';
      refuse(DECISIONS_ROUTE, client.id, code);
      return sendApiError(reply, code);
    },
  });

  app.post<{ Body: { subjectId: string; kind: RelationshipKind; expiresAt: number } }>(RELATIONSHIPS_ROUTE, {
    schema: { body: RELATIONSHIP_BODY, response: ERRORS },
    onRequest,
    preValidation: subjectGuard((r) => fieldOf(r.body, 'subjectId')),
    handler: async (request, reply) => {
      const client = clientOf(request);
      const { subjectId, kind, expiresAt } = request.body;
      const t = deps.now();
      if (expiresAt <= t || expiresAt > t + MAX_RELATIONSHIP_DAYS * DAY_MS) {
        return sendApiError(reply, 'RELATIONSHIP_EXPIRY_INVALID');
      }
      await deps.access.putRelationship(subjectId, client.id, { kind, expiresAt });
      deps.audit.info(
        { audit: 'relationship', clientId: client.id, kind, expiresAt },
        'relationship registered',
      );
      return reply.code(201).send({ subjectId, kind, expiresAt });
    },
  });

  app.delete<{ Params: { subjectId: string } }>(`${RELATIONSHIPS_ROUTE}/:subjectId`, {
    schema: { params: SUBJECT_PARAMS, response: ERRORS },
    onRequest,
    preValidation: subjectGuard((r) => fieldOf(r.params, 'subjectId')),
    handler: async (request, reply) => {
      const client = clientOf(request);
      // 204 whether or not there was one: the answer says nothing about the subject.
      await deps.access.removeRelationship(request.params.subjectId, client.id);
      deps.audit.info({ audit: 'relationship-ended', clientId: client.id }, 'relationship ended');
      return reply.code(204).send();
    },
  });

  app.put<{ Body: { url: string } }>(SUBSCRIPTION_ROUTE, {
    schema: { body: SUBSCRIPTION_BODY, response: ERRORS },
    onRequest,
    handler: async (request, reply) => {
      const client = clientOf(request);
      if (!client.alerts) {
        refuse(SUBSCRIPTION_ROUTE, client.id, 'SCOPE_MISSING');
        return sendApiError(reply, 'SCOPE_MISSING');
      }
      if (!isWebhookUrl(request.body.url)) return sendApiError(reply, 'WEBHOOK_URL_INVALID');
      // A new secret at every PUT: registering again is how a client rotates it.
      const subscription = { url: request.body.url, secret: randomBytes(32).toString('hex') };
      await deps.access.putSubscription(client.id, subscription);
      deps.audit.info({ audit: 'subscription', clientId: client.id }, 'subscription registered');
      return subscription;
    },
  });

  app.delete(SUBSCRIPTION_ROUTE, {
    schema: { response: ERRORS },
    onRequest,
    handler: async (request, reply) => {
      await deps.access.removeSubscription(clientOf(request).id);
      return reply.code(204).send();
    },
  });

  app.get(PARKED_ROUTE, {
    schema: { response: { 200: PARKED_RESPONSE_SCHEMA, ...ERRORS } },
    onRequest,
    handler: async (request) => {
      const parked = await deps.alerts.parked(clientOf(request).id);
      return {
        parked: parked.map((d) => ({
          deliveryId: d.deliveryId,
          alertId: d.alertId,
          attempts: d.attempts,
          createdAt: d.createdAt,
          lastError: d.lastError,
          lastStatus: d.lastStatus,
          alert: JSON.parse(d.body) as unknown,
        })),
      };
    },
  });

  app.post(`${PARKED_ROUTE}/redeliver`, {
    schema: { response: ERRORS },
    onRequest,
    handler: async (request) => {
      const requeued = await deps.alerts.requeueParked(clientOf(request).id, deps.now());
      if (requeued > 0) deps.delivery.wake();
      return { requeued };
    },
  });
}

/**
 * The score route with relying parties configured: a client needs the `readRawScores` scope, and a live
 * relationship with the subject; without one it is answered like an unknown subject.
 */
export function scoreReadGuard(deps: RelyingPartyRouteDeps): ScoreReadGuard {
  return {
    onRequest: authenticate(deps),
    async check(request, subjectId) {
      const client = clientOf(request);
      const route = request.routeOptions.url ?? '';
      if (!client.readRawScores) {
        auditRefusal(deps, route, client.id, 'SCOPE_MISSING');
        return 'SCOPE_MISSING';
      }
      if ((await deps.access.liveRelationship(subjectId, client.id, deps.now())) === null) {
        auditRefusal(deps, route, client.id, 'SUBJECT_NOT_FOUND');
        return 'SUBJECT_NOT_FOUND';
      }
      return null;
    },
  };
}
