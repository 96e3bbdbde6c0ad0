/**
 * `GET /v1/anchors/:anchorId/receipt`: the receipt of one anchored record (format: docs/receipt.md), the
 * same JSON document the ledger writer produces to `identity.anchor-receipts`. Anyone holding it can check
 * it offline with `dmid receipt verify` and the ledger (SHA-256 alone). A receipt names no subject: only
 * the anchor, the record's hash and the subject commitment, which cannot be linked to anyone without the
 * subject's salt.
 *
 * Who may fetch one: a relying party with an API key, for a record it received (a decision it made, a
 * score it read; the grant is written when the record is served). Otherwise a receipt would be an activity
 * oracle (that a person exists, how often they were scored, when).
 *
 * 404 `RECEIPT_NOT_FOUND` when the anchor is unknown, its batch is not on the ledger yet, it expired, or
 * the caller did not receive its record: the same answer, and the same reads, in every case.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Receipt } from '../../anchor/receipt.js';
import type { ReceiptStore } from '../../anchor/receipt-store.js';
import { canRetry, DmidError, isDmidError } from '../../errors.js';
import { sendApiError } from '../api-errors.js';
import { withDeadline } from '../deadline.js';

export const RECEIPT_ROUTE = '/v1/anchors/:anchorId/receipt';

const ANCHOR_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Who may read which receipt (relying-party-routes.ts). */
export interface ReceiptGuard {
  readonly onRequest: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;
  /** Whether the caller received the record `recordId`; audits the read when it did. */
  readonly entitled: (request: FastifyRequest, recordId: string) => Promise<boolean>;
}

/** What `entitled` is asked when there is no receipt: the same work as for a real one. */
const NO_RECORD = 'none';

export interface ReceiptRouteDeps {
  readonly receipts: Pick<ReceiptStore, 'readReceipt'>;
  readonly guard: ReceiptGuard;
  /** Longest wait for the store, ms, before answering 503 `STORE_UNAVAILABLE`. */
  readonly storeTimeoutMs: number;
}

interface ReceiptRequest {
  Params: { anchorId: string };
  Querystring: Record<string, never>;
}

/** No query parameters (as on the score route). */
const QUERY_SCHEMA = { type: 'object', additionalProperties: false, properties: {} } as const;

export function registerReceiptRoute(app: FastifyInstance, deps: ReceiptRouteDeps): void {
  app.get<ReceiptRequest>(RECEIPT_ROUTE, {
    schema: { querystring: QUERY_SCHEMA },
    onRequest: deps.guard.onRequest,
    handler: (request, reply) => handleReceipt(request, reply, deps),
  });
}

async function handleReceipt(
  request: FastifyRequest<ReceiptRequest>,
  reply: FastifyReply,
  deps: ReceiptRouteDeps,
): Promise<Receipt | FastifyReply> {
  const { anchorId } = request.params;
  if (!ANCHOR_ID.test(anchorId)) return sendApiError(reply, 'ANCHOR_ID_MALFORMED');
  let receipt: Receipt | null;
  let entitled: boolean;
  try {
    [receipt, entitled] = await withDeadline(
      readEntitled(request, anchorId, deps),
      deps.storeTimeoutMs,
      () => new DmidError('DMID_REDIS_UNAVAILABLE', 'receipt read timed out'),
    );
  } catch (error) {
    if (!canRetry(error)) throw error;
    request.log.warn({ code: isDmidError(error) ? error.code : undefined }, 'receipt store unavailable');
    return sendApiError(reply, 'STORE_UNAVAILABLE');
  }
  if (receipt === null || !entitled) return sendApiError(reply, 'RECEIPT_NOT_FOUND');
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(receipt));
}

async function readEntitled(
  request: FastifyRequest,
  anchorId: string,
  deps: ReceiptRouteDeps,
): Promise<[Receipt | null, boolean]> {
  const receipt = await deps.receipts.readReceipt(anchorId);
  const recordId = receipt?.anchor.recordId ?? NO_RECORD;
  return [receipt, await deps.guard.entitled(request, recordId)];
}
