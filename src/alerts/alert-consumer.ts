/**
 * The alert consumer: its own consumer group on `identity.scores`, apart from the scoring workers. For each
 * batch: decode the scores, compare each with what was last seen of its subject (alert-detector.ts),
 * produce the alerts to `identity.alerts`, queue one webhook delivery per party that has a live
 * relationship with the subject, may receive alerts and has a subscription, then remember what was seen.
 * Offsets are committed after all of that, so a crash raises the same alerts again (same ids), never none.
 */
import type { AccessStore } from '../access/access-store.js';
import type { ClientRegistry } from '../access/clients.js';
import type { Codec } from '../codec/codec.js';
import type { IdentityAlert, IdentityScore } from '../codec/types.js';
import { isDmidError } from '../errors.js';
import { withRetry } from '../ingest/retry.js';
import type { InboundBatch, Transport } from '../ingest/transport.js';
import type { Logger } from '../logger.js';
import { detectAlert, seenOf, type SeenScore } from './alert-detector.js';
import type { AlertDelivery } from './alert-delivery.js';
import type { AlertStore, Delivery } from './alert-store.js';

export interface AlertConsumerDeps {
  /** Consumes `topics.scores` (under the alert group) and receives the alerts. */
  readonly transport: Transport;
  readonly codec: Codec;
  readonly alerts: AlertStore;
  readonly access: AccessStore;
  readonly clients: ClientRegistry;
  readonly delivery: Pick<AlertDelivery, 'wake'>;
  readonly topics: { readonly scores: string; readonly alerts: string };
  readonly logger: Logger;
  /**
   * Scores computed longer ago than this raise no alert, only update what was seen, ms. Default 15 min:
   * a new consumer group starts at the oldest score, and a death recorded last year is no news.
   */
  readonly maxAlertAgeMs?: number;
  /** Counts alerts raised, by kind. Default: nowhere. */
  readonly onAlert?: (kind: IdentityAlert['kind']) => void;
  readonly now?: () => number;
}

/** Default of {@link AlertConsumerDeps.maxAlertAgeMs}. */
export const DEFAULT_MAX_ALERT_AGE_MS = 15 * 60_000;

export interface AlertConsumer {
  run(): Promise<void>;
  stop(): Promise<void>;
}

/** The JSON body of a webhook: the alert record's fields, as on identity.alerts. */
export function webhookBody(alert: IdentityAlert): string {
  return JSON.stringify({
    alertId: alert.alertId,
    kind: alert.kind,
    subjectId: alert.subjectId,
    reasonCodes: alert.reasonCodes,
    previousAssuranceLevel: alert.previousAssuranceLevel,
    assuranceLevel: alert.assuranceLevel,
    scoreId: alert.scoreId,
    computedAt: alert.computedAt,
  });
}

/** The scores of a batch grouped by subject, in offset order; undecodable records are counted out. */
function decodeScores(batch: InboundBatch, codec: Codec, logger: Logger): Map<string, IdentityScore[]> {
  const bySubject = new Map<string, IdentityScore[]>();
  let undecodable = 0;
  for (const record of batch.records) {
    if (record.value === null) continue;
    try {
      const score = codec.decode('score', record.value);
      bySubject.set(score.subjectId, [...(bySubject.get(score.subjectId) ?? []), score]);
    } catch (error) {
      if (!isDmidError(error)) throw error;
      undecodable += 1;
    }
  }
  if (undecodable > 0) logger.warn({ topic: batch.topic, undecodable }, 'score records that do not decode');
  return bySubject;
}

export function createAlertConsumer(deps: AlertConsumerDeps): AlertConsumer {
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ component: 'alert-consumer' });
  let stopping = false;

  async function alertsOf(bySubject: Map<string, IdentityScore[]>): Promise<{
    alerts: IdentityAlert[];
    seen: { subjectId: string; seen: SeenScore }[];
  }> {
    const subjects = [...bySubject.keys()];
    const previous = await deps.alerts.readSeen(subjects);
    const oldest = now() - (deps.maxAlertAgeMs ?? DEFAULT_MAX_ALERT_AGE_MS);
    const alerts: IdentityAlert[] = [];
    const seen: { subjectId: string; seen: SeenScore }[] = [];
    subjects.forEach((subjectId, i) => {
      let last = previous[i] ?? null;
      for (const score of bySubject.get(subjectId) ?? []) {
        // A redelivered or older score says nothing new.
        if (last !== null && score.computedAt <= last.computedAt) continue;
        const alert = score.computedAt < oldest ? null : detectAlert(last, score);
        if (alert !== null) alerts.push(alert);
        last = seenOf(score);
      }
      if (last !== null && last !== previous[i]) seen.push({ subjectId, seen: last });
    });
    return { alerts, seen };
  }

  async function deliveriesOf(alerts: readonly IdentityAlert[], at: number): Promise<Delivery[]> {
    const deliveries: Delivery[] = [];
    for (const alert of alerts) {
      const parties = await deps.access.liveParties(alert.subjectId, at);
      for (const clientId of parties) {
        if (deps.clients.byId(clientId)?.alerts !== true) continue;
        if ((await deps.access.subscription(clientId)) === null) continue;
        deliveries.push({
          deliveryId: `${alert.alertId}:${clientId}`,
          alertId: alert.alertId,
          clientId,
          body: webhookBody(alert),
          attempts: 0,
          createdAt: at,
          lastError: null,
          lastStatus: null,
        });
      }
    }
    return deliveries;
  }

  async function process(bySubject: Map<string, IdentityScore[]>): Promise<void> {
    const { alerts, seen } = await alertsOf(bySubject);
    if (alerts.length > 0) {
      const records = alerts.map((a) => ({ key: a.subjectId, value: deps.codec.encode('alert', a) }));
      await deps.transport.send([{ topic: deps.topics.alerts, records }]);
      const at = now();
      const deliveries = await deliveriesOf(alerts, at);
      await deps.alerts.enqueue(deliveries, at);
      if (deliveries.length > 0) deps.delivery.wake();
      for (const alert of alerts) deps.onAlert?.(alert.kind);
      log.info({ alerts: alerts.length, deliveries: deliveries.length }, 'alerts raised');
    }
    await deps.alerts.writeSeen(seen);
  }

  async function handle(batch: InboundBatch): Promise<void> {
    const bySubject = decodeScores(batch, deps.codec, log);
    if (bySubject.size === 0) return;
    await withRetry(() => process(bySubject), {
      stopping: () => stopping,
      heartbeat: batch.heartbeat,
      onRetry: (error, attempt, delayMs) =>
        log.warn(
          { code: isDmidError(error) ? error.code : undefined, attempt, delayMs },
          'alert batch failed; retrying',
        ),
      onRecovered: () => undefined,
    });
  }

  return {
    async run() {
      try {
        await deps.transport.run({ topics: [deps.topics.scores], handle });
      } catch (error) {
        if (!stopping) throw error;
      }
    },
    async stop() {
      stopping = true;
      await deps.transport.stop();
    },
  };
}
