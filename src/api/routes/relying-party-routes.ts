/**
 * The relying-party routes, all behind an API key (client-auth.ts) and the client's rate limit:
 *
 *   POST   /v1/decisions                 {subjectId, policy} -> a decision record, anchored
 *   (relationships: consent-routes.ts; receipts: receipt-route.ts)
 *   PUT    /v1/subscription              {url} -> the subscription with its signing secret (shown once)
 *   DELETE /v1/subscription              -> 204
 *   GET    /v1/alerts/parked             -> this client's deliveries that ran out of attempts
 *   POST   /v1/alerts/parked/redeliver   -> queues them again
 *
 * Bodies are strict: an unknown property, a malformed subject id or a body over 1 KiB is refused with its
 * own error code. A subject without a live relationship with the caller answers 404 SUBJECT_NOT_FOUND,
 * exactly as a subject dmid does not know. Every decision and score read goes to the subject's access log
 * (src/audit/), and entitles the party to the receipt of what it received. A webhook URL must be https to
 * a public address (src/alerts/webhook-target.ts), and a failed delivery is told to the client only as
 * `DELIVERY_FAILED`.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessStore, Relationship } from '../../access/access-store.js';
import type { ClientRegistry } from '../../access/clients.js';
import type { ConsentDeps } from '../../access/consent.js';
import type { RateLimiter } from '../../access/token-bucket.js';
import type { AlertDelivery } from '../../alerts/alert-delivery.js';
import type { AlertStore } from '../../alerts/alert-store.js';
import { resolveTarget, type WebhookTargetPolicy } from '../../alerts/webhook-target.js';
import type { AccessAudit } from '../../audit/access-audit.js';
import type { Logger } from '../../logger.js';
import type { DecisionService } from '../../policy/decision-service.js';
import { canRetry, DmidError, isDmidError } from '../../errors.js';
import { ERROR_BODY_SCHEMA, sendApiError, type ApiErrorCode } from '../api-errors.js';
import { withDeadline } from '../deadline.js';
import { auditRefusal, authenticate, clientOf } from '../client-auth.js';
import type { RelyingPartyMetrics } from '../relying-party-metrics.js';
import type { ReceiptGuard } from './receipt-route.js';
import type { ScoreReadGuard } from './score-route.js';
import { DECISION_RESPONSE_SCHEMA, PARKED_RESPONSE_SCHEMA } from './relying-party-schemas.js';
import { fieldOf, subjectGuard, SUBJECT_ID } from './route-guards.js';

export const DECISIONS_ROUTE = '/v1/decisions';
export const SUBSCRIPTION_ROUTE = '/v1/subscription';
export const PARKED_ROUTE = '/v1/alerts/parked';

/** How long a party may fetch the receipt of a record it received, ms (the receipts' own life). */
const RECEIPT_GRANT_MS = 400 * 86_400_000;
/** What a client sees of a failed delivery: no status, no connect error (they would map the inside). */
export const DELIVERY_FAILED = 'DELIVERY_FAILED';
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
  /** Proofs that make relationships: consent tokens, in-person captures. */
  readonly consent: ConsentDeps;
  /** Every access to a subject, for the person (`dmid subject access-log`). */
  readonly accessLog: AccessAudit;
  /** Where webhooks may go. */
  readonly targets: WebhookTargetPolicy;
  readonly alerts: Pick<AlertStore, 'parked' | 'requeueParked'>;
  readonly delivery: Pick<AlertDelivery, 'wake'>;
  /** The audit log: decisions and refusals, no subject id. */
  readonly audit: Logger;
  readonly metrics: Pick<RelyingPartyMetrics, 'refused'>;
  readonly now: () => number;
}

const ERRORS = { '4xx': ERROR_BODY_SCHEMA, '5xx': ERROR_BODY_SCHEMA } as const;

const DECISION_BODY = {
  type: 'object',
  required: ['subjectId', 'policy'],
  additionalProperties: false,
  properties: { subjectId: SUBJECT_ID, policy: { type: 'string', pattern: '^[a-z][a-z0-9.-]{0,127}$' } },
} as const;

const SUBSCRIPTION_BODY = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: { url: { type: 'string', minLength: 1, maxLength: MAX_URL_LENGTH } },
} as const;

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

  app.put<{ Body: { url: string } }>(SUBSCRIPTION_ROUTE, {
    schema: { body: SUBSCRIPTION_BODY, response: ERRORS },
    onRequest,
    handler: async (request, reply) => {
      const client = clientOf(request);
      if (!client.alerts) {
        refuse(SUBSCRIPTION_ROUTE, client.id, 'SCOPE_MISSING');
        return sendApiError(reply, 'SCOPE_MISSING');
      }
      // Checked here for a clear answer, and again at every delivery (what a name resolves to changes).
      if (!(await resolveTarget(request.body.url, deps.targets)).ok) {
        return sendApiError(reply, 'WEBHOOK_URL_INVALID');
      }
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
          lastError: d.lastError === null ? null : DELIVERY_FAILED,
          lastStatus: null,
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
/** What the score and receipt guards need: a process serving no decisions (the ledger writer) has these. */
export type AccessGuardDeps = Pick<
  RelyingPartyRouteDeps,
  'clients' | 'limiter' | 'access' | 'accessLog' | 'audit' | 'metrics' | 'now'
>;

export function scoreReadGuard(deps: AccessGuardDeps): ScoreReadGuard {
  const relationships = new WeakMap<FastifyRequest, Relationship>();
  return {
    onRequest: authenticate(deps),
    async check(request, subjectId) {
      const client = clientOf(request);
      const route = request.routeOptions.url ?? '';
      if (!client.readRawScores) {
        auditRefusal(deps, route, client.id, 'SCOPE_MISSING');
        return 'SCOPE_MISSING';
      }
      const relationship = await deps.access.liveRelationship(subjectId, client.id, deps.now());
      if (relationship === null) {
        auditRefusal(deps, route, client.id, 'SUBJECT_NOT_FOUND');
        return 'SUBJECT_NOT_FOUND';
      }
      relationships.set(request, relationship);
      return null;
    },
    async served(request, subjectId, scoreId) {
      const client = clientOf(request);
      const t = deps.now();
      const purpose = relationships.get(request)?.purpose ?? null;
      await deps.accessLog.record(
        {
          subjectId,
          party: client.id,
          purpose,
          action: 'SCORE_READ',
          outcome: scoreId === null ? 'NO_SCORE' : 'SERVED',
          ref: scoreId,
          at: t,
        },
        scoreId === null ? undefined : { receiptGrantUntil: t + RECEIPT_GRANT_MS },
      );
      deps.audit.info({ audit: 'score-read', clientId: client.id, served: scoreId !== null }, 'score read');
    },
  };
}

/** The receipt route's guard: an API key, and a grant for the record (written when it was served). */
export function receiptGuard(deps: AccessGuardDeps): ReceiptGuard {
  return {
    onRequest: authenticate(deps),
    async entitled(request, recordId) {
      const client = clientOf(request);
      const grant = await deps.access.receiptGrant(client.id, recordId);
      if (grant === null) {
        auditRefusal(deps, request.routeOptions.url, client.id, 'RECEIPT_NOT_FOUND');
        return false;
      }
      await deps.accessLog.record({
        subjectId: grant.subjectId,
        party: client.id,
        purpose: grant.purpose,
        action: 'RECEIPT_READ',
        outcome: 'SERVED',
        ref: recordId,
        at: deps.now(),
      });
      deps.audit.info({ audit: 'receipt-read', clientId: client.id }, 'receipt read');
      return true;
    },
  };
}
