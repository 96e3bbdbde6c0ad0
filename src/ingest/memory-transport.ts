/**
 * The embedded mode's transport: an in-process partitioned log with one consumer group, so that the same
 * worker runs with no Kafka. Records are keyed to partitions by a hash of the key (the same key always
 * lands on the same partition), handed out per partition in offset order, and committed after the handler
 * resolved, like the Kafka transport.
 *
 * Memory stays bounded: consumed topics drop records once committed; topics nobody consumes here (scores,
 * anchors, dead letters) keep only their newest `retainRecords` records, for inspection.
 */
import type { InboundBatch, RunOptions, TopicRecords, Transport, TransportStatus } from './transport.js';

export interface MemoryTransportOptions {
  /** Partitions per topic. Default 12. */
  readonly partitions?: number;
  /** Most records handed to the handler in one batch. Default 500. */
  readonly maxBatchRecords?: number;
  /** Records kept per partition of a topic that is not consumed. Default 10,000. */
  readonly retainRecords?: number;
  readonly now?: () => number;
}

interface StoredRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly offset: number;
  readonly timestampMs: number;
}

interface Partition {
  /** Records from offset `base` on. */
  records: StoredRecord[];
  base: number;
  next: number;
  committed: number;
}

export interface MemoryTransport extends Transport {
  /** Records currently held for a partition of a topic, oldest first (tests, the status line). */
  records(topic: string, partition?: number): readonly StoredRecord[];
  /** Records appended to a topic since start. */
  appended(topic: string): number;
}

/** FNV-1a: cheap, stable, and spreads pseudonymous subject ids evenly. */
function partitionOf(key: string | null, partitions: number, roundRobin: () => number): number {
  if (key === null) return roundRobin() % partitions;
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % partitions;
}

export function createMemoryTransport(options: MemoryTransportOptions = {}): MemoryTransport {
  const partitionCount = options.partitions ?? 12;
  const maxBatch = options.maxBatchRecords ?? 500;
  const retain = options.retainRecords ?? 10_000;
  const now = options.now ?? Date.now;
  const topics = new Map<string, Partition[]>();
  const appendedCount = new Map<string, number>();
  const consumed = new Set<string>();
  let wake: (() => void) | undefined;
  let stopped = false;
  let running: Promise<void> | undefined;
  let counter = 0;
  let state: TransportStatus = { ok: true, detail: 'ready' };

  const topic = (name: string): Partition[] => {
    let partitions = topics.get(name);
    if (partitions === undefined) {
      partitions = Array.from({ length: partitionCount }, () => ({
        records: [],
        base: 0,
        next: 0,
        committed: 0,
      }));
      topics.set(name, partitions);
    }
    return partitions;
  };

  function append(name: string, records: TopicRecords['records']): void {
    const partitions = topic(name);
    for (const r of records) {
      const p = partitions[partitionOf(r.key, partitionCount, () => counter++)];
      if (p === undefined) throw new RangeError('partition out of range');
      p.records.push({
        key: r.key === null ? null : Buffer.from(r.key),
        value: r.value,
        headers: r.headers ?? {},
        offset: p.next,
        timestampMs: now(),
      });
      p.next += 1;
      if (!consumed.has(name) && p.records.length > retain) trim(p, p.next - retain);
    }
    appendedCount.set(name, (appendedCount.get(name) ?? 0) + records.length);
    wake?.();
  }

  function trim(p: Partition, upTo: number): void {
    if (upTo <= p.base) return;
    p.records.splice(0, upTo - p.base);
    p.base = upTo;
  }

  /** The next batch of any partition with uncommitted records, round-robin over partitions. */
  function nextBatch(
    names: readonly string[],
    cursor: { i: number },
  ): { name: string; index: number; p: Partition } | null {
    const all = names.flatMap((name) => topic(name).map((p, index) => ({ name, index, p })));
    for (let step = 0; step < all.length; step++) {
      const candidate = all[(cursor.i + step) % all.length];
      if (candidate !== undefined && candidate.p.committed < candidate.p.next) {
        cursor.i = (cursor.i + step + 1) % all.length;
        return candidate;
      }
    }
    return null;
  }

  async function handleOne(run: RunOptions, name: string, index: number, p: Partition): Promise<void> {
    const from = p.committed - p.base;
    const slice = p.records.slice(from, from + maxBatch);
    const batch: InboundBatch = {
      topic: name,
      partition: index,
      records: slice.map((r) => ({
        key: r.key,
        value: r.value,
        offset: String(r.offset),
        timestampMs: r.timestampMs,
      })),
      highWatermark: String(p.next),
      heartbeat: () => Promise.resolve(),
    };
    await run.handle(batch);
    p.committed += slice.length;
    trim(p, p.committed);
  }

  async function loop(run: RunOptions): Promise<void> {
    for (const name of run.topics) consumed.add(name);
    const cursor = { i: 0 };
    state = { ok: true, detail: 'consuming' };
    while (!stopped) {
      const next = nextBatch(run.topics, cursor);
      if (next === null) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      await handleOne(run, next.name, next.index, next.p);
    }
  }

  return {
    run(run) {
      if (running !== undefined) throw new Error('memory transport: run() called twice');
      running = loop(run).catch((error: unknown) => {
        state = { ok: false, detail: 'batch handling failed' };
        throw error;
      });
      return running;
    },
    send(batches) {
      for (const b of batches) append(b.topic, b.records);
      return Promise.resolve();
    },
    async stop() {
      stopped = true;
      wake?.();
      await running?.catch(() => undefined);
      state = { ok: false, detail: 'stopped' };
    },
    status: () => state,
    records: (name, partition) =>
      partition === undefined
        ? topic(name).flatMap((p) => p.records)
        : (topic(name)[partition]?.records ?? []),
    appended: (name) => appendedCount.get(name) ?? 0,
  };
}
