/** The in-memory twin of the Redis alert store (embedded mode, unit tests). */
import type { SeenScore } from './alert-detector.js';
import type { AlertStore, Delivery } from './alert-store.js';

export function createMemoryAlertStore(): AlertStore {
  const seen = new Map<string, SeenScore>();
  const pending = new Map<string, { delivery: Delivery; dueAt: number }>();
  const parked = new Map<string, Delivery>();
  return {
    readSeen: (ids) => Promise.resolve(ids.map((id) => seen.get(id) ?? null)),
    writeSeen(entries) {
      for (const { subjectId, seen: s } of entries) seen.set(subjectId, s);
      return Promise.resolve();
    },
    enqueue(deliveries, dueAt) {
      for (const delivery of deliveries) {
        if (!pending.has(delivery.deliveryId)) pending.set(delivery.deliveryId, { delivery, dueAt });
      }
      return Promise.resolve();
    },
    claimDue(nowMs, leaseUntil, limit) {
      const due = [...pending.values()]
        .filter((p) => p.dueAt <= nowMs)
        .sort((a, b) => a.dueAt - b.dueAt)
        .slice(0, limit);
      for (const p of due) p.dueAt = leaseUntil;
      return Promise.resolve(due.map((p) => p.delivery));
    },
    retry(delivery, dueAt) {
      pending.set(delivery.deliveryId, { delivery, dueAt });
      return Promise.resolve();
    },
    complete(deliveryId) {
      pending.delete(deliveryId);
      return Promise.resolve();
    },
    park(delivery) {
      pending.delete(delivery.deliveryId);
      parked.set(delivery.deliveryId, delivery);
      return Promise.resolve();
    },
    parked: (clientId) =>
      Promise.resolve(
        [...parked.values()].filter((d) => d.clientId === clientId).sort((a, b) => a.createdAt - b.createdAt),
      ),
    requeueParked(clientId, nowMs) {
      let count = 0;
      for (const [id, delivery] of parked) {
        if (delivery.clientId !== clientId) continue;
        parked.delete(id);
        pending.set(id, { delivery: { ...delivery, attempts: 0 }, dueAt: nowMs });
        count += 1;
      }
      return Promise.resolve(count);
    },
    close: () => Promise.resolve(),
  };
}
