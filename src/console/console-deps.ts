/** What the console is built from: the engine's own parts, passed in (src/engine.ts wires them). */
import type { AccessStore } from '../access/access-store.js';
import type { ClientRegistry } from '../access/clients.js';
import type { AlertDelivery } from '../alerts/alert-delivery.js';
import type { AlertStore } from '../alerts/alert-store.js';
import type { ReceiptStore } from '../anchor/receipt-store.js';
import type { LatencyWindow } from '../api/latency-window.js';
import type { Codec } from '../codec/codec.js';
import type { TopicRecords } from '../ingest/transport.js';
import type { AccessAudit } from '../audit/access-audit.js';
import type { Logger } from '../logger.js';
import type { PolicySet } from '../policy/policy-loader.js';
import type { StateStore } from '../state/state-store.js';
import type { Registry } from 'prom-client';
import type { ConsoleTap } from './console-tap.js';

export interface ConsoleDeps {
  readonly clients: ClientRegistry;
  readonly access: Pick<AccessStore, 'liveRelationship'>;
  readonly store: Pick<StateStore, 'readScore'>;
  readonly receipts: Pick<ReceiptStore, 'readReceipt'>;
  /** The file ledger the receipts name (for the in-browser check); null: an EVM ledger, not read here. */
  readonly ledgerFile: string | null;
  readonly tap: ConsoleTap;
  /** Produces records (a requeued dead letter goes back to its source topic). */
  readonly send: (batches: readonly TopicRecords[]) => Promise<void>;
  readonly codec: Codec;
  readonly policies: PolicySet;
  readonly alerts: Pick<AlertStore, 'parked' | 'requeueParked'>;
  readonly delivery: Pick<AlertDelivery, 'wake'>;
  /** The engine's metric registry: the Health page shows the figures /metrics serves. */
  readonly registry: Registry;
  readonly window: LatencyWindow;
  /** The audit log (subject views with their purpose, requeues, redeliveries). */
  readonly audit: Logger;
  /** The subjects' access log: a granted subject view is written to it. */
  readonly accessLog: Pick<AccessAudit, 'record'>;
  readonly now: () => number;
}
