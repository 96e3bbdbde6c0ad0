/**
 * `GET /v1/anchors/:anchorId/receipt`: the receipt of one anchored record (format: docs/receipt.md), the
 * same JSON document the ledger writer produces to `identity.anchor-receipts`. Anyone holding it can check
 * it offline with `dmid receipt verify` and the ledger. A receipt names no subject: only the anchor, the
 * record's hash and the subject commitment, which cannot be linked to anyone without the subject's salt.
 *
 * 404 `RECEIPT_NOT_FOUND` when the anchor is unknown, its batch is not on the ledger yet, or it expired.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Receipt } from '../../anchor/receipt.js';
import type { ReceiptStore } from '../../anchor/receipt-store.js';
import { canRetry, DmidError, isDmidError } from '../../errors.js';
import { sendApiError } from '../api-errors.js';
import { withDeadline } from '../deadline.js';

export const RECEIPT_ROUTE = '/v1/anchors/:anchorId/receipt';

const ANCHOR_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface ReceiptRouteDeps {
  readonly receipts: Pick<ReceiptStore, 'readReceipt'>;
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
  try {
    receipt = await withDeadline(
      deps.receipts.readReceipt(anchorId),
      deps.storeTimeoutMs,
      () => new DmidError('DMID_REDIS_UNAVAILABLE', 'receipt read timed out'),
    );
  } catch (error) {
    if (!canRetry(error)) throw error;
    request.log.warn({ code: isDmidError(error) ? error.code : undefined }, 'receipt store unavailable');
    return sendApiError(reply, 'STORE_UNAVAILABLE');
  }
  if (receipt === null) return sendApiError(reply, 'RECEIPT_NOT_FOUND');
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(receipt));
}
