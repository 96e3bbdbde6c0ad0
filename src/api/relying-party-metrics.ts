/**
 * Metrics of the relying-party side, registered on the engine's registry next to the others. Label values
 * come from closed sets: policy ids of the loaded packs, outcomes, API error codes, alert kinds, delivery
 * results. No subject id, no client key.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AlertKind } from '../codec/types.js';

export type DeliveryResult = 'delivered' | 'retried' | 'parked';

export interface RelyingPartyMetrics {
  decided(policy: string, outcome: string): void;
  refused(code: string): void;
  alertRaised(kind: AlertKind): void;
  delivery(result: DeliveryResult): void;
}

/** Metrics that go nowhere (tests, benches). */
export const NO_RELYING_PARTY_METRICS: RelyingPartyMetrics = {
  decided: () => undefined,
  refused: () => undefined,
  alertRaised: () => undefined,
  delivery: () => undefined,
};

export function createRelyingPartyMetrics(registry: Registry): RelyingPartyMetrics {
  const registers = [registry];
  const decisions = new Counter({
    name: 'dmid_decisions_total',
    help: 'Decisions answered, by policy and outcome.',
    labelNames: ['policy', 'outcome'],
    registers,
  });
  const refusals = new Counter({
    name: 'dmid_relying_party_refusals_total',
    help: 'Relying-party requests refused, by API error code (401, 403, 404, 429).',
    labelNames: ['code'],
    registers,
  });
  const alerts = new Counter({
    name: 'dmid_alerts_raised_total',
    help: 'Alerts produced to identity.alerts, by kind.',
    labelNames: ['kind'],
    registers,
  });
  const deliveries = new Counter({
    name: 'dmid_alert_deliveries_total',
    help: 'Webhook delivery attempts, by result (delivered, retried, parked).',
    labelNames: ['result'],
    registers,
  });
  const parked = new Gauge({
    name: 'dmid_alert_deliveries_parked',
    help: 'Deliveries parked by this process since it started (listed by GET /v1/alerts/parked).',
    registers,
  });
  return {
    decided: (policy, outcome) => decisions.inc({ policy, outcome }),
    refused: (code) => refusals.inc({ code }),
    alertRaised: (kind) => alerts.inc({ kind }),
    delivery(result) {
      deliveries.inc({ result });
      if (result === 'parked') parked.inc();
    },
  };
}
