/**
 * Probes and the scrape endpoint.
 *
 * - `GET /healthz`: liveness. Touches no dependency, so a Redis or Kafka outage never gets the process
 *   restarted (a restart would not bring them back); it fails only when the event loop cannot answer.
 * - `GET /readyz`: 200 when the injected readiness says ready and every check is ok, else 503 (Kafka or
 *   Redis unreachable, consumption paused), with the checks in the body either way.
 * - `GET /metrics`: prom-client's text format, after recording a fresh readiness report in it.
 *
 * None of them logs per request (probes and scrapes would drown the log); `/readyz` logs when readiness
 * changes instead. Query parameters are ignored here: probes and scrapers may add their own.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { ERROR_BODY_SCHEMA } from '../api-errors.js';
import type { DmidMetrics } from '../metrics.js';
import { evaluateReadiness, READINESS_SCHEMA, type ReadinessSource } from '../readiness.js';

export const HEALTH_ROUTE = '/healthz';
export const READY_ROUTE = '/readyz';
export const METRICS_ROUTE = '/metrics';

export interface HealthRouteDeps {
  readonly readiness: ReadinessSource;
  readonly metrics: DmidMetrics;
  /** Longest wait for `readiness()`, ms; a slower answer counts as not ready. */
  readonly readinessTimeoutMs: number;
  readonly logger: FastifyBaseLogger;
}

const HEALTH_SCHEMA = {
  type: 'object',
  required: ['status'],
  additionalProperties: false,
  properties: { status: { type: 'string' } },
} as const;

/** Registers `/healthz`, `/readyz` and `/metrics` on `app`. */
export function registerHealthRoutes(app: FastifyInstance, deps: HealthRouteDeps): void {
  app.get(HEALTH_ROUTE, { schema: { response: { 200: HEALTH_SCHEMA } } }, () => ({ status: 'ok' }));

  let lastReady: boolean | undefined;
  app.get(
    READY_ROUTE,
    { schema: { response: { 200: READINESS_SCHEMA, 503: READINESS_SCHEMA, '5xx': ERROR_BODY_SCHEMA } } },
    async (_request, reply) => {
      const report = await evaluateReadiness(deps.readiness, deps.readinessTimeoutMs);
      if (report.ready !== lastReady) {
        // Names only: details come from the worker and belong in the probe response, not in every log.
        const failing = Object.keys(report.checks).filter((name) => report.checks[name]?.ok !== true);
        if (report.ready) deps.logger.info('ready');
        else deps.logger.warn({ failing }, 'not ready');
        lastReady = report.ready;
      }
      return reply.code(report.ready ? 200 : 503).send(report);
    },
  );

  app.get(METRICS_ROUTE, async (_request, reply) => {
    // Kafka and Redis health in every scrape, bounded in time like the probe.
    deps.metrics.readiness.record(await evaluateReadiness(deps.readiness, deps.readinessTimeoutMs));
    const text = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(text);
  });
}
