/**
 * What the alert side keeps: per subject, what the alert consumer last saw (to tell a new alert code or an
 * assurance drop from one that persists), and the durable queue of webhook deliveries: pending ones by due
 * time, and parked ones (out of attempts; kept and listed until a client asks for them again, never
 * dropped). Two adapters: Redis (redis-alert-store.ts) and the in-memory twin (memory-alert-store.ts).
 *
 * A delivery is claimed by moving its due time to the end of a lease, not by removing it: a process that
 * dies while delivering leaves it to be claimed again when the lease ends (at least once).
 */
import type { SeenScore } from './alert-detector.js';

/** Why the last attempt failed (no response text: a receiver's body is not ours to log). */
/**
 * Why an attempt failed, for the operator's log and metrics. A client is told only `DELIVERY_FAILED`
 * (relying-party-routes.ts): a status or a connect error would make the webhook a port scanner.
 */
export type DeliveryError =
  'HTTP_STATUS' | 'TIMEOUT' | 'CONNECTION_FAILED' | 'NO_SUBSCRIPTION' | 'ADDRESS_REFUSED';

export interface Delivery {
  /** `<alertId>:<clientId>`: one alert is delivered once per party. */
  readonly deliveryId: string;
  readonly alertId: string;
  readonly clientId: string;
  /** The webhook body, JSON text; signed anew at each attempt. */
  readonly body: string;
  readonly attempts: number;
  /** Epoch ms the delivery was queued. */
  readonly createdAt: number;
  readonly lastError: DeliveryError | null;
  /** HTTP status of the last attempt when it got one. */
  readonly lastStatus: number | null;
}

export interface AlertStore {
  /** What was last seen of each subject (null: nothing); result `i` is for input `i`. */
  readSeen(subjectIds: readonly string[]): Promise<(SeenScore | null)[]>;
  writeSeen(entries: readonly { readonly subjectId: string; readonly seen: SeenScore }[]): Promise<void>;
  /** Queues deliveries due at `dueAt`; a delivery id already pending is left as it is. */
  enqueue(deliveries: readonly Delivery[], dueAt: number): Promise<void>;
  /** Up to `limit` deliveries due at `nowMs`, leased until `leaseUntil` (claimed again after it). */
  claimDue(nowMs: number, leaseUntil: number, limit: number): Promise<Delivery[]>;
  /** Stores the delivery's new attempt count and error, due again at `dueAt`. */
  retry(delivery: Delivery, dueAt: number): Promise<void>;
  complete(deliveryId: string): Promise<void>;
  /** Moves a delivery out of the queue into the parked list. */
  park(delivery: Delivery): Promise<void>;
  /** The parked deliveries of a client, oldest first. */
  parked(clientId: string): Promise<Delivery[]>;
  /** Queues a client's parked deliveries again (attempts from 0), due at `nowMs`; returns how many. */
  requeueParked(clientId: string, nowMs: number): Promise<number>;
  close(): Promise<void>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ERRORS: readonly (DeliveryError | null)[] = [
  'HTTP_STATUS',
  'TIMEOUT',
  'CONNECTION_FAILED',
  'NO_SUBSCRIPTION',
  'ADDRESS_REFUSED',
  null,
];

export function parseDelivery(text: string): Delivery {
  const v: unknown = JSON.parse(text);
  if (
    isRecord(v) &&
    typeof v.deliveryId === 'string' &&
    typeof v.alertId === 'string' &&
    typeof v.clientId === 'string' &&
    typeof v.body === 'string' &&
    typeof v.attempts === 'number' &&
    typeof v.createdAt === 'number' &&
    (v.lastStatus === null || typeof v.lastStatus === 'number')
  ) {
    const lastError = ERRORS.find((e) => e === v.lastError);
    if (lastError !== undefined || v.lastError === null) {
      return {
        deliveryId: v.deliveryId,
        alertId: v.alertId,
        clientId: v.clientId,
        body: v.body,
        attempts: v.attempts,
        createdAt: v.createdAt,
        lastError: lastError ?? null,
        lastStatus: v.lastStatus,
      };
    }
  }
  throw new Error('alert store: a stored delivery does not have the stored shape');
}

export function parseSeen(text: string): SeenScore {
  const v: unknown = JSON.parse(text);
  if (
    isRecord(v) &&
    typeof v.computedAt === 'number' &&
    (v.assuranceLevel === 'NONE' ||
      v.assuranceLevel === 'LOW' ||
      v.assuranceLevel === 'SUBSTANTIAL' ||
      v.assuranceLevel === 'HIGH') &&
    Array.isArray(v.alertCodes) &&
    v.alertCodes.every((c) => typeof c === 'string')
  ) {
    return {
      computedAt: v.computedAt,
      assuranceLevel: v.assuranceLevel,
      alertCodes: v.alertCodes.map(String),
    };
  }
  throw new Error('alert store: a stored seen score does not have the stored shape');
}
