/**
 * `GET /v1/subjects/:subjectId/score`: a subject's cached score, decayed to the time of the request.
 *
 * The body is an IdentityScore of the contract (the same field names as on `identity.scores`) read at
 * the time of the request, by the decay rule (src/scoring/decay.ts): `computedAt` is that time, and
 * `confidence`, `assuranceLevel`, each dimension's `weight` and the `<DIM>_STALE` reasons are what they
 * are at that time. `scoreId` and `triggerEventId` still name the record the pipeline produced, and one
 * added field says when that was:
 *
 * - `scoredAt` (epoch ms): the `computedAt` of the stored score, i.e. when the pipeline last scored the
 *   subject. `computedAt - scoredAt` is how long the score has been decaying.
 *
 * A subject id that is not a pseudonym (wrong shape, or a raw identifier such as a resident ID number,
 * a mobile number or an e-mail address) is refused with 400 `SUBJECT_ID_MALFORMED`, before anything is
 * read and without the value ever being echoed or logged.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdentityScore } from '../../codec/types.js';
import { canRetry, DmidError, isDmidError } from '../../errors.js';
import { detectRawIdentifier } from '../../privacy/pii-guard.js';
import { isWellFormedSubjectId } from '../../privacy/pseudonymize.js';
import { decayScore, type HalfLives } from '../../scoring/decay.js';
import type { StateStore } from '../../state/state-store.js';
import { ERROR_BODY_SCHEMA, sendApiError } from '../api-errors.js';
import { withDeadline } from '../deadline.js';
import type { DmidMetrics, SubjectIdRefusal } from '../metrics.js';

export const SCORE_ROUTE = '/v1/subjects/:subjectId/score';

/** What the score route returns: the contract's IdentityScore, decayed, plus `scoredAt`. */
export interface ScoreResponse extends IdentityScore {
  /** Epoch ms at which the pipeline computed the stored score (its `computedAt` on identity.scores). */
  readonly scoredAt: number;
}

export interface ScoreRouteDeps {
  readonly store: Pick<StateStore, 'readScore'>;
  readonly metrics: DmidMetrics;
  readonly halfLives: HalfLives;
  readonly now: () => number;
  /** Longest wait for the store, ms, before answering 503 `STORE_UNAVAILABLE`. */
  readonly storeTimeoutMs: number;
  /**
   * Access control when relying parties are configured (relying-party-routes.ts): who is calling, and
   * whether it may read this subject's raw score. Absent: the route is open (no clients configured).
   */
  readonly guard?: ScoreReadGuard;
}

/** Authenticates in `onRequest`; `check` answers null (read it) or the error to send instead. */
export interface ScoreReadGuard {
  readonly onRequest: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;
  readonly check: (
    request: FastifyRequest,
    subjectId: string,
  ) => Promise<'SCOPE_MISSING' | 'SUBJECT_NOT_FOUND' | null>;
  /** After a permitted read: `scoreId` of the score served, or null (none cached). Audits it. */
  readonly served: (request: FastifyRequest, subjectId: string, scoreId: string | null) => Promise<void>;
}

interface ScoreRequest {
  Params: { subjectId: string };
  Querystring: Record<string, never>;
}

const DIMENSION_SCHEMA = {
  type: 'object',
  required: ['dimension', 'score', 'present', 'evidenceAt', 'weight'],
  additionalProperties: false,
  properties: {
    dimension: { type: 'string' },
    score: { type: 'number' },
    present: { type: 'boolean' },
    evidenceAt: { type: ['integer', 'null'] },
    weight: { type: 'number' },
  },
} as const;

const REASON_SCHEMA = {
  type: 'object',
  required: ['code', 'dimension', 'impact'],
  additionalProperties: false,
  properties: {
    code: { type: 'string' },
    dimension: { type: 'string' },
    impact: { type: 'number' },
    logOdds: { type: 'number' },
  },
} as const;

/** JSON schema of {@link ScoreResponse}, in the contract's field order; fast-json-stringify compiles it. */
export const SCORE_RESPONSE_SCHEMA = {
  type: 'object',
  required: [
    'scoreId',
    'subjectId',
    'computedAt',
    'confidence',
    'assuranceLevel',
    'dimensions',
    'reasons',
    'modelVersion',
    'triggerEventId',
    'scoredAt',
  ],
  additionalProperties: false,
  properties: {
    scoreId: { type: 'string' },
    subjectId: { type: 'string' },
    computedAt: { type: 'integer' },
    confidence: { type: 'number' },
    assuranceLevel: { type: 'string', enum: ['NONE', 'LOW', 'SUBSTANTIAL', 'HIGH'] },
    dimensions: { type: 'array', items: DIMENSION_SCHEMA },
    reasons: { type: 'array', items: REASON_SCHEMA },
    modelVersion: { type: 'string' },
    triggerEventId: { type: 'string' },
    scoredAt: { type: 'integer' },
  },
} as const;

const PARAMS_SCHEMA = {
  type: 'object',
  required: ['subjectId'],
  additionalProperties: false,
  properties: { subjectId: { type: 'string', pattern: '^[a-z2-7]{32}$' } },
} as const;

/** No query parameters: a typo such as `?at=` must not silently return the score of now. */
const QUERY_SCHEMA = { type: 'object', additionalProperties: false, properties: {} } as const;

/**
 * Why a subject id is refused, or null when it is a well-formed pseudonym. Checked in preValidation so
 * that raw identifiers are counted apart from typos; the params schema says the same for documentation
 * and as a backstop.
 */
export function refusalOf(subjectId: unknown): SubjectIdRefusal | null {
  if (typeof subjectId !== 'string') return 'SUBJECT_ID_MALFORMED';
  if (detectRawIdentifier(subjectId) !== null) return 'PII_IN_SUBJECT_ID';
  return isWellFormedSubjectId(subjectId) ? null : 'SUBJECT_ID_MALFORMED';
}

/** The response body: the decayed score in the contract's shape, plus `scoredAt`. */
export function toScoreResponse(stored: IdentityScore, atMs: number, halfLives: HalfLives): ScoreResponse {
  const decayed = decayScore(stored, atMs, halfLives);
  return {
    scoreId: decayed.scoreId,
    subjectId: decayed.subjectId,
    computedAt: decayed.computedAt,
    confidence: decayed.confidence,
    assuranceLevel: decayed.assuranceLevel,
    dimensions: decayed.dimensions,
    reasons: decayed.reasons,
    modelVersion: decayed.modelVersion,
    triggerEventId: decayed.triggerEventId,
    scoredAt: stored.computedAt,
  };
}

/** Registers the score route on `app`. */
export function registerScoreRoute(app: FastifyInstance, deps: ScoreRouteDeps): void {
  app.get<ScoreRequest>(SCORE_ROUTE, {
    schema: {
      params: PARAMS_SCHEMA,
      querystring: QUERY_SCHEMA,
      response: { 200: SCORE_RESPONSE_SCHEMA, '4xx': ERROR_BODY_SCHEMA, '5xx': ERROR_BODY_SCHEMA },
    },
    ...(deps.guard === undefined ? {} : { onRequest: deps.guard.onRequest }),
    preValidation: (request, reply, done) => {
      const refusal = refusalOf(request.params.subjectId);
      if (refusal === null) {
        done();
        return;
      }
      deps.metrics.subjectIdsRefused.inc(refusal);
      // The kind of identifier is enough to act on; the value must not reach a log line.
      if (refusal === 'PII_IN_SUBJECT_ID') {
        request.log.warn('score request refused: raw identifier as subjectId');
      }
      // Answering from a callback hook without calling `done` ends the request here (fastify docs).
      void sendApiError(reply, 'SUBJECT_ID_MALFORMED');
    },
    handler: (request, reply) => handleScore(request, reply, deps),
  });
}

async function handleScore(
  request: FastifyRequest<ScoreRequest>,
  reply: FastifyReply,
  deps: ScoreRouteDeps,
): Promise<ScoreResponse | FastifyReply> {
  if (deps.guard !== undefined) {
    const refusal = await deps.guard.check(request, request.params.subjectId);
    if (refusal !== null) return sendApiError(reply, refusal);
  }
  let cached;
  try {
    cached = await withDeadline(
      deps.store.readScore(request.params.subjectId),
      deps.storeTimeoutMs,
      () => new DmidError('DMID_REDIS_UNAVAILABLE', 'score read timed out'),
    );
  } catch (error) {
    if (!canRetry(error)) throw error;
    // Only the code: a store error's cause may carry the Redis command, and with it the subject's key.
    request.log.warn({ code: isDmidError(error) ? error.code : undefined }, 'score store unavailable');
    return sendApiError(reply, 'STORE_UNAVAILABLE');
  }
  await deps.guard?.served(request, request.params.subjectId, cached?.score.scoreId ?? null);
  if (cached === null) return sendApiError(reply, 'SUBJECT_NOT_FOUND');
  return toScoreResponse(cached.score, deps.now(), deps.halfLives);
}
