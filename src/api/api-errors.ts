/**
 * The closed list of error codes the HTTP API answers with, and the one function that sends them.
 *
 * Every error body is `{ "error": { "code", "message" } }`. Codes are stable (clients branch on them, so
 * none is renamed or reused); messages are fixed text per code, so nothing from the request (a subject id,
 * a query parameter name) and nothing internal (a stack, a Redis error) ever reaches a response.
 */
import type { FastifyReply } from 'fastify';

interface ApiErrorSpec {
  readonly status: number;
  /** Whether the same request may succeed later (503s). */
  readonly retriable: boolean;
  readonly message: string;
}

export const API_ERRORS = {
  SUBJECT_ID_MALFORMED: {
    status: 400,
    retriable: false,
    message:
      'subjectId must be a pseudonym: 32 characters of lower-case base32 (see `dmid pseudonymize`), never a raw identifier',
  },
  ANCHOR_ID_MALFORMED: {
    status: 400,
    retriable: false,
    message: 'anchorId must be a lower-case UUID (the anchorId of an AnchorEvent)',
  },
  QUERY_PARAMETER_UNKNOWN: {
    status: 400,
    retriable: false,
    message: 'this route takes no query parameters',
  },
  BAD_REQUEST: { status: 400, retriable: false, message: 'the request is not valid' },
  BODY_PROPERTY_UNKNOWN: {
    status: 400,
    retriable: false,
    message: 'the request body has a property this route does not take',
  },
  BODY_INVALID: {
    status: 400,
    retriable: false,
    message: 'the request body does not match the schema of this route (see docs/relying-parties.md)',
  },
  RELATIONSHIP_EXPIRY_INVALID: {
    status: 400,
    retriable: false,
    message: 'expiresAt must be in the future and at most 400 days ahead (epoch milliseconds)',
  },
  WEBHOOK_URL_INVALID: {
    status: 400,
    retriable: false,
    message: 'url must be an https URL without credentials to a public address, at most 2048 characters',
  },
  CONSENT_TOKEN_INVALID: {
    status: 400,
    retriable: false,
    message: 'consentToken is not a consent token signed by a configured enrolment authority',
  },
  UNAUTHENTICATED: {
    status: 401,
    retriable: false,
    message: 'a valid API key is required: Authorization: Bearer <key>',
  },
  POLICY_NOT_ALLOWED: { status: 403, retriable: false, message: 'this client may not use this policy' },
  SCOPE_MISSING: { status: 403, retriable: false, message: "this client's scopes do not allow this request" },
  POLICY_NOT_FOUND: { status: 404, retriable: false, message: 'no live policy with this id' },
  ROUTE_NOT_FOUND: { status: 404, retriable: false, message: 'no such route' },
  SUBJECT_NOT_FOUND: {
    status: 404,
    retriable: false,
    message: 'no current score for this subject: unknown, or its cached score expired',
  },
  RECEIPT_NOT_FOUND: {
    status: 404,
    retriable: false,
    message: 'no receipt for this anchor: unknown, its batch not on the ledger yet, or expired',
  },
  PAYLOAD_TOO_LARGE: { status: 413, retriable: false, message: 'the request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retriable: false, message: 'unsupported content type' },
  RATE_LIMITED: {
    status: 429,
    retriable: true,
    message: 'too many requests from this client; retry after the Retry-After seconds',
  },
  INTERNAL_ERROR: { status: 500, retriable: false, message: 'internal error' },
  DECISION_UNAVAILABLE: {
    status: 503,
    retriable: true,
    message: 'the decision could not be read or anchored in time; nothing was decided, retry later',
  },
  STORE_UNAVAILABLE: {
    status: 503,
    retriable: true,
    message: 'the score store is unavailable; retry later',
  },
} as const satisfies Record<string, ApiErrorSpec>;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** The error body of every failed request. */
export interface ApiErrorBody {
  readonly error: { readonly code: ApiErrorCode; readonly message: string };
}

/** Seconds a client is told to wait before retrying a retriable error. */
export const RETRY_AFTER_SECONDS = 1;

/** JSON schema of {@link ApiErrorBody}, for the response schemas of every route. */
export const ERROR_BODY_SCHEMA = {
  type: 'object',
  required: ['error'],
  additionalProperties: false,
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      additionalProperties: false,
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

/**
 * Sends the error of `code`: its status, its fixed message, and `Retry-After` when retriable
 * (`retryAfterSeconds`, default {@link RETRY_AFTER_SECONDS}).
 */
export function sendApiError(
  reply: FastifyReply,
  code: ApiErrorCode,
  retryAfterSeconds: number = RETRY_AFTER_SECONDS,
): FastifyReply {
  const spec: ApiErrorSpec = API_ERRORS[code];
  if (spec.retriable) void reply.header('retry-after', String(retryAfterSeconds));
  const body: ApiErrorBody = { error: { code, message: spec.message } };
  return reply.code(spec.status).type('application/json; charset=utf-8').send(body);
}

/** The API error code for a framework error of status `status` (body limits, content types, bad URLs). */
export function codeOfClientStatus(status: number): ApiErrorCode {
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  if (status === 404) return 'ROUTE_NOT_FOUND';
  return 'BAD_REQUEST';
}

/**
 * The API error code for a request body that failed its JSON schema (ajv stops at the first error): an
 * unknown property, a malformed subject id, or anything else the schema refuses.
 */
export function codeOfBodyError(
  errors: readonly { readonly keyword: string; readonly instancePath: string }[],
): ApiErrorCode {
  if (errors.some((e) => e.keyword === 'additionalProperties')) return 'BODY_PROPERTY_UNKNOWN';
  if (errors.some((e) => e.instancePath === '/subjectId')) return 'SUBJECT_ID_MALFORMED';
  return 'BODY_INVALID';
}
