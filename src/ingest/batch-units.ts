/**
 * Partition batches handed to the worker at the same time, handled as one unit.
 *
 * The transport fetches once for all of a member's partitions and hands each partition's records to its own
 * `eachBatch` call, all in the same turn of the event loop, then waits for every call before it fetches
 * again. Under live load each partition's batch holds a handful of records, so a worker that handled each
 * batch on its own paid a Redis round trip, a scoring call and a produce per handful: measured on this
 * project's 2-core machine, CPU per event under open-loop load was about three times that of draining a
 * backlog, and the worker fell behind at half of its own maximum. Gathered, a fetch costs one state apply,
 * one scoring call, one score save, one produce and one mark, whatever the number of partitions.
 *
 * A unit closes at the next `setImmediate` (after the calls of this turn) or as soon as it holds
 * `maxRecords` records, so a large backlog fetch becomes several units in flight together: the Redis and
 * broker work of one overlaps the CPU work of the next.
 */

export interface UnitMember<T> {
  readonly item: T;
  /** Records this item stands for (what `maxRecords` counts). */
  readonly records: number;
}

/** Hands `item` to the unit being gathered; resolves once that whole unit was handled. */
export type UnitGatherer<T> = (item: T, records: number) => Promise<void>;

export function createUnitGatherer<T>(
  handleUnit: (items: readonly T[]) => Promise<void>,
  maxRecords: number,
): UnitGatherer<T> {
  if (!(maxRecords >= 1)) throw new RangeError(`maxRecords must be at least 1, got ${maxRecords}`);
  let pending: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let pendingRecords = 0;

  const close = (): void => {
    if (pending.length === 0) return;
    const members = pending;
    pending = [];
    pendingRecords = 0;
    handleUnit(members.map((m) => m.item)).then(
      () => {
        for (const m of members) m.resolve();
      },
      (error: unknown) => {
        for (const m of members) m.reject(error);
      },
    );
  };

  return (item, records) =>
    new Promise<void>((resolve, reject) => {
      if (pending.length === 0) setImmediate(close);
      pending.push({ item, resolve, reject });
      pendingRecords += records;
      if (pendingRecords >= maxRecords) close();
    });
}
