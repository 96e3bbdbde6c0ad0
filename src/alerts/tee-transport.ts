/**
 * The embedded mode's second consumer group: the in-process log has one group per transport, so the
 * records the scoring worker writes to `identity.scores` are also appended to the alert consumer's own
 * in-process log. With Kafka, the alert consumer is a real consumer group and needs none of this.
 */
import type { Transport } from '../ingest/transport.js';

/** `base`, whose records sent to `topic` are also sent to `copyTo`. */
export function teeTransport(base: Transport, topic: string, copyTo: Pick<Transport, 'send'>): Transport {
  return {
    run: (options) => base.run(options),
    async send(batches, consumed) {
      await base.send(batches, consumed);
      const copies = batches.filter((b) => b.topic === topic && b.records.length > 0);
      if (copies.length > 0) await copyTo.send(copies);
    },
    stop: () => base.stop(),
    status: () => base.status(),
  };
}
