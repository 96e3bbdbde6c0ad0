/**
 * The HTTP API: scores, probes and metrics, on fastify.
 *
 * Built from injected dependencies (store, metrics, readiness, logger, clock), so the embedded mode, the
 * worker and the tests run the same server. What it guarantees beyond the routes:
 * - error bodies are always `{ error: { code, message } }` from the closed list of api-errors.ts: no
 *   stack, no internal message, nothing echoed from the request;
 * - no subject id in any log line: fastify's own request logging is off (it logs URLs), each request is
 *   logged here by its route pattern, and the `req` serializer is replaced in case anything logs one;
 * - every response carries `x-request-id` (the caller's, when it is a safe token, else a new UUID) and
 *   `cache-control: no-store` (a score is only true at the moment it is read);
 * - it binds to 127.0.0.1 unless told otherwise (`DMID_API_HOST`).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import type { Tracer } from '@opentelemetry/api';
import { detectRawIdentifier } from '../privacy/pii-guard.js';
import { isWellFormedSubjectId } from '../privacy/pseudonymize.js';
import type { HalfLives } from '../scoring/decay.js';
import type { StateStore } from '../state/state-store.js';
import { codeOfBodyError, codeOfClientStatus, sendApiError } from './api-errors.js';
import { UNMATCHED_ROUTE, type DmidMetrics } from './metrics.js';
import type { ReadinessSource } from './readiness.js';
import { HEALTH_ROUTE, METRICS_ROUTE, READY_ROUTE, registerHealthRoutes } from './routes/health-routes.js';
import { registerConsentRoutes } from './routes/consent-routes.js';
import {
  receiptGuard,
  registerRelyingPartyRoutes,
  scoreReadGuard,
  type AccessGuardDeps,
  type RelyingPartyRouteDeps,
} from './routes/relying-party-routes.js';
import { registerScoreRoute } from './routes/score-route.js';
import { registerReceiptRoute } from './routes/receipt-route.js';
import type { ReceiptStore } from '../anchor/receipt-store.js';
import type { ConsoleDeps } from '../console/console-deps.js';
import { registerConsole } from '../console/console-routes.js';
import { registerHttpTracing } from '../telemetry/http-tracing.js';

/** Address the API binds to when none is given: loopback only. */
export const DEFAULT_API_HOST = '127.0.0.1';
/** Default longest wait for the store on a score read, ms. */
export const DEFAULT_STORE_TIMEOUT_MS = 1000;
/** Default longest wait for the readiness source, ms (below the 1 s default of Kubernetes probes). */
export const DEFAULT_READINESS_TIMEOUT_MS = 900;
/** Requests slower than this are cut by Node, ms: every route answers in milliseconds. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Bodies are small JSON objects (a decision request is under 100 bytes): a large one is refused unread. */
const BODY_LIMIT_BYTES = 1024;
/** Routes not logged per request (probes, scrapes). */
const QUIET_ROUTES: ReadonlySet<string> = new Set([HEALTH_ROUTE, READY_ROUTE, METRICS_ROUTE]);
/** A caller's request id is kept only if it is a short token of these characters. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface ApiServerOptions {
  /** Where scores are read from (only `readScore` is used). */
  readonly store: Pick<StateStore, 'readScore'>;
  /**
   * Where anchor receipts are read from; without it, or without relying parties (receipts are served only
   * to the party that received the record), `GET /v1/anchors/:anchorId/receipt` is not served.
   */
  readonly receipts?: Pick<ReceiptStore, 'readReceipt'>;
  readonly metrics: DmidMetrics;
  /** Whether this process is ready (Kafka, Redis, consumption); see readiness.ts. */
  readonly readiness: ReadinessSource;
  /** Half-lives the scores decay by: the same as the scorer's. */
  readonly halfLives: HalfLives;
  readonly logger: Logger;
  /** Clock, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
  /** Longest wait for the store on a score read, ms. Default {@link DEFAULT_STORE_TIMEOUT_MS}. */
  readonly storeTimeoutMs?: number;
  /** Longest wait for `readiness()`, ms. Default {@link DEFAULT_READINESS_TIMEOUT_MS}. */
  readonly readinessTimeoutMs?: number;
  /** The relying-party routes (decisions, relationships, alerts); absent: not served. */
  readonly relyingParties?: RelyingPartyRouteDeps;
  /**
   * Who may read scores and receipts in a process without the relying-party routes (the ledger writer):
   * API keys, relationships and receipt grants from the shared Redis. Absent there: scores are open
   * (a bare development server) and receipts are not served.
   */
  readonly accessGuards?: AccessGuardDeps;
  /** The operators' console under /console (src/console/); absent: not served (`DMID_CONSOLE=off`). */
  readonly console?: ConsoleDeps;
  /** Makes a span per request (src/telemetry/http-tracing.ts); absent: tracing off. */
  readonly tracer?: Tracer;
}

export interface ApiServer {
  /** Starts listening; `host` defaults to {@link DEFAULT_API_HOST}, port 0 picks a free port. */
  listen(host: string | undefined, port: number): Promise<{ url: string }>;
  /** Stops accepting connections and waits for requests in flight. */
  close(): Promise<void>;
  /** The fastify instance, for `app.inject` in tests. */
  readonly app: FastifyInstance;
}

/** Builds the API server (not yet listening). */
export function createApiServer(options: ApiServerOptions): ApiServer {
  const logger: FastifyBaseLogger = options.logger.child(
    { component: 'api' },
    // fastify's own `req` serializer logs the URL, and a score URL holds a subject id.
    { serializers: { req: (req: FastifyRequest) => ({ method: req.method, route: routeOf(req) }) } },
  );
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIdOf,
    bodyLimit: BODY_LIMIT_BYTES,
    requestTimeout: REQUEST_TIMEOUT_MS,
    // Unknown query parameters must be refused, not silently stripped (fastify's default).
    ajv: { customOptions: { removeAdditional: false } },
    frameworkErrors: (error, request, reply) => {
      // The default answers echo the path, which may hold a subject id or a raw identifier. Only the
      // score route has a parameter, so a too long one is a malformed subject id.
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      if (tooLong) options.metrics.subjectIdsRefused.inc('SUBJECT_ID_MALFORMED');
      void reply.header('x-request-id', request.id);
      void sendApiError(reply, tooLong ? 'SUBJECT_ID_MALFORMED' : 'BAD_REQUEST');
    },
  });
  addHooks(app, options.metrics);
  if (options.tracer !== undefined) registerHttpTracing(app, options.tracer, routeOf);
  const guards: AccessGuardDeps | undefined = options.relyingParties ?? options.accessGuards;
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((_request, reply) => sendApiError(reply, 'ROUTE_NOT_FOUND'));
  registerScoreRoute(app, {
    store: options.store,
    metrics: options.metrics,
    halfLives: options.halfLives,
    now: options.now ?? Date.now,
    storeTimeoutMs: options.storeTimeoutMs ?? DEFAULT_STORE_TIMEOUT_MS,
    ...(guards === undefined ? {} : { guard: scoreReadGuard(guards) }),
  });
  if (options.relyingParties !== undefined) {
    registerRelyingPartyRoutes(app, options.relyingParties);
    registerConsentRoutes(app, options.relyingParties);
  }
  // Receipts are for the parties that received their records: without guards, nobody may read one.
  if (options.receipts !== undefined && guards !== undefined) {
    registerReceiptRoute(app, {
      receipts: options.receipts,
      guard: receiptGuard(guards),
      storeTimeoutMs: options.storeTimeoutMs ?? DEFAULT_STORE_TIMEOUT_MS,
    });
  }
  if (options.console !== undefined) registerConsole(app, options.console);
  registerHealthRoutes(app, {
    readiness: options.readiness,
    metrics: options.metrics,
    readinessTimeoutMs: options.readinessTimeoutMs ?? DEFAULT_READINESS_TIMEOUT_MS,
    logger,
  });
  return {
    app,
    listen: async (host, port) => {
      const url = await app.listen({ host: host ?? DEFAULT_API_HOST, port });
      return { url };
    },
    close: () => app.close(),
  };
}

/** The route pattern a request matched (never its URL), or {@link UNMATCHED_ROUTE}. */
function routeOf(request: FastifyRequest): string {
  return request.is404 ? UNMATCHED_ROUTE : (request.routeOptions.url ?? UNMATCHED_ROUTE);
}

/**
 * The id of a request: the caller's `x-request-id` when it is a short safe token that is neither a
 * subject id nor a raw identifier (it is logged with every line of the request), else a new UUID.
 */
function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  if (
    typeof given === 'string' &&
    SAFE_REQUEST_ID.test(given) &&
    !isWellFormedSubjectId(given) &&
    detectRawIdentifier(given) === null
  ) {
    return given;
  }
  return randomUUID();
}

function addHooks(app: FastifyInstance, metrics: DmidMetrics): void {
  app.addHook('onRequest', async (request, reply) => {
    void reply.headers({
      'x-request-id': request.id,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = routeOf(request);
    const seconds = reply.elapsedTime / 1000;
    metrics.httpRequests.observe(route, request.method, reply.statusCode, seconds);
    if (QUIET_ROUTES.has(route)) return;
    request.log.info(
      { method: request.method, route, statusCode: reply.statusCode, durationMs: reply.elapsedTime },
      'request',
    );
  });
}

/**
 * Turns any error into a body of the closed list. Validation errors become 400s by what failed; client
 * errors raised by fastify keep their 4xx class; anything else is a 500 whose details go to the log only.
 */
function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error.validation !== undefined) {
    if (error.validationContext === 'params') return sendApiError(reply, 'SUBJECT_ID_MALFORMED');
    if (error.validationContext === 'querystring') return sendApiError(reply, 'QUERY_PARAMETER_UNKNOWN');
    if (error.validationContext === 'body') return sendApiError(reply, codeOfBodyError(error.validation));
    return sendApiError(reply, 'BAD_REQUEST');
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return sendApiError(reply, codeOfClientStatus(status));
  // Name and stack only: an error's own properties (ioredis puts the command there) may hold a key.
  request.log.error({ error: { type: error.name, stack: error.stack } }, 'request failed');
  return sendApiError(reply, 'INTERNAL_ERROR');
}
