/**
 * Delivers queued alerts as signed webhooks: claims due deliveries, POSTs each to its client's subscription
 * URL with a fresh signature, and on failure retries with exponential backoff (0.5 s doubling, at most
 * 5 min between attempts); after `maxAttempts` the delivery is parked (kept and listed, never dropped).
 * Runs in every API process; the lease on claimed deliveries keeps two processes from sending one at once.
 */
import type { AccessStore } from '../access/access-store.js';
import type { Logger } from '../logger.js';
import type { AlertStore, Delivery, DeliveryError } from './alert-store.js';
import { postWebhook } from './webhook-post.js';
import { SIGNATURE_HEADER, signatureHeader } from './webhook-signer.js';
import { resolveTarget, type WebhookTargetPolicy } from './webhook-target.js';

export interface AlertDeliveryOptions {
  readonly alerts: AlertStore;
  readonly access: Pick<AccessStore, 'subscription'>;
  readonly logger: Logger;
  /** Where webhooks may go (https, public addresses, development hosts). */
  readonly targets: WebhookTargetPolicy;
  /** Time a receiver has to answer, ms. Default 2000. */
  readonly timeoutMs?: number;
  /** Attempts before a delivery is parked. Default 12. */
  readonly maxAttempts?: number;
  /** First retry delay, ms; doubles per attempt. Default 500. */
  readonly backoffBaseMs?: number;
  /** Longest retry delay, ms. Default 300,000 (5 min). */
  readonly backoffMaxMs?: number;
  /** How often the queue is polled when nothing wakes the loop, ms. Default 250. */
  readonly pollMs?: number;
  /** Counts attempts by result. Default: nowhere. */
  readonly onResult?: (result: 'delivered' | 'retried' | 'parked') => void;
  readonly now?: () => number;
}

export interface AlertDelivery {
  start(): void;
  /** Looks at the queue now (new deliveries were queued). */
  wake(): void;
  /** Finishes the attempts in flight and stops. */
  stop(): Promise<void>;
}

/** Deliveries attempted at once. */
const CLAIM_LIMIT = 32;

type AttemptResult = { ok: true } | { ok: false; error: DeliveryError; status: number | null };

export function retryDelayMs(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
}

export function createAlertDelivery(options: AlertDeliveryOptions): AlertDelivery {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 2000;
  const maxAttempts = options.maxAttempts ?? 12;
  const baseMs = options.backoffBaseMs ?? 500;
  const maxMs = options.backoffMaxMs ?? 300_000;
  const pollMs = options.pollMs ?? 250;
  const log = options.logger.child({ component: 'alert-delivery' });
  let stopped = true;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  let woken = false;

  async function attempt(delivery: Delivery): Promise<AttemptResult> {
    const subscription = await options.access.subscription(delivery.clientId);
    if (subscription === null) return { ok: false, error: 'NO_SUBSCRIPTION', status: null };
    // Checked again at every attempt: what the host resolves to may have changed since registration.
    const checked = await resolveTarget(subscription.url, options.targets);
    if (!checked.ok) return { ok: false, error: 'ADDRESS_REFUSED', status: null };
    const headers = {
      'content-type': 'application/json',
      [SIGNATURE_HEADER]: signatureHeader(subscription.secret, now(), delivery.body),
      'dmid-delivery-id': delivery.deliveryId,
    };
    const result = await postWebhook(checked.target, headers, delivery.body, timeoutMs);
    if (result.kind === 'timeout') return { ok: false, error: 'TIMEOUT', status: null };
    if (result.kind === 'connection-failed') return { ok: false, error: 'CONNECTION_FAILED', status: null };
    if (result.status >= 200 && result.status < 300) return { ok: true };
    return { ok: false, error: 'HTTP_STATUS', status: result.status };
  }

  async function deliver(delivery: Delivery): Promise<void> {
    const result = await attempt(delivery);
    if (result.ok) {
      await options.alerts.complete(delivery.deliveryId);
      options.onResult?.('delivered');
      log.info(
        { alertId: delivery.alertId, clientId: delivery.clientId, attempts: delivery.attempts + 1 },
        'alert delivered',
      );
      return;
    }
    const next: Delivery = {
      ...delivery,
      attempts: delivery.attempts + 1,
      lastError: result.error,
      lastStatus: result.status,
    };
    const fields = {
      alertId: delivery.alertId,
      clientId: delivery.clientId,
      attempts: next.attempts,
      error: result.error,
    };
    if (next.attempts >= maxAttempts) {
      await options.alerts.park(next);
      options.onResult?.('parked');
      log.warn(fields, 'alert delivery parked');
      return;
    }
    await options.alerts.retry(next, now() + retryDelayMs(next.attempts, baseMs, maxMs));
    options.onResult?.('retried');
    log.debug(fields, 'alert delivery failed; retrying');
  }

  async function runOnce(): Promise<number> {
    const t = now();
    const due = await options.alerts.claimDue(t, t + timeoutMs * 2 + 1000, CLAIM_LIMIT);
    await Promise.all(due.map((d) => deliver(d)));
    return due.length;
  }

  async function run(): Promise<void> {
    while (!stopped) {
      let handled = 0;
      try {
        handled = await runOnce();
      } catch (error) {
        // The queue is durable: a store that is down delays deliveries, it loses none.
        log.warn({ code: error instanceof Error ? error.name : 'unknown' }, 'alert queue unavailable');
      }
      if (handled === CLAIM_LIMIT || stopped) continue;
      if (woken) {
        woken = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = undefined;
      woken = false;
    }
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      loop = run();
    },
    wake() {
      woken = true;
      wakeUp?.();
    },
    async stop() {
      stopped = true;
      wakeUp?.();
      await loop;
    },
  };
}
