/**
 * Cuts a stream of anchors into ledger batches: a batch closes when it holds `maxItems` or when
 * `maxDelayMs` passed since its first item, whichever comes first. Batches are flushed one after another,
 * in the order they closed (the ledger is a chain). `add` resolves when every batch holding one of its
 * items was flushed, so the caller (a consumed Kafka batch) commits its offsets only after its anchors are
 * on the ledger; it rejects when one of those flushes failed.
 */

export interface BatcherOptions<T> {
  /** Most items per batch. */
  readonly maxItems: number;
  /** Longest wait from a batch's first item to its flush, milliseconds. */
  readonly maxDelayMs: number;
  /** Writes one batch; `firstInMs` is when its first item arrived (epoch ms). */
  readonly flush: (items: T[], firstInMs: number) => Promise<void>;
  /** Told the number of items waiting (added, not yet flushed) whenever it changes. */
  readonly onPending?: (count: number) => void;
  readonly now?: () => number;
}

export interface Batcher<T> {
  add(items: readonly T[]): Promise<void>;
  /** Closes the open batch now (on stop: no need to wait for its timer). */
  cut(): void;
  /** Items added and not yet flushed. */
  pending(): number;
}

interface OpenBatch<T> {
  readonly items: T[];
  readonly firstInMs: number;
  readonly done: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout | undefined;
}

export function createBatcher<T>(options: BatcherOptions<T>): Batcher<T> {
  if (!Number.isSafeInteger(options.maxItems) || options.maxItems < 1) {
    throw new RangeError('batcher: maxItems must be a positive integer');
  }
  if (!Number.isFinite(options.maxDelayMs) || options.maxDelayMs < 0) {
    throw new RangeError('batcher: maxDelayMs must be a non-negative number');
  }
  const now = options.now ?? Date.now;
  let open: OpenBatch<T> | undefined;
  let chain: Promise<void> = Promise.resolve();
  let waiting = 0;

  const report = (delta: number): void => {
    waiting += delta;
    options.onPending?.(waiting);
  };

  function start(): OpenBatch<T> {
    let resolve = (): void => undefined;
    let reject = (_error: unknown): void => undefined;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Every waiter gets the rejection through its own `add`; this keeps an unwaited one from crashing Node.
    done.catch(() => undefined);
    const batch: OpenBatch<T> = { items: [], firstInMs: now(), done, resolve, reject, timer: undefined };
    batch.timer = setTimeout(cut, options.maxDelayMs);
    return batch;
  }

  function cut(): void {
    const batch = open;
    if (batch === undefined) return;
    open = undefined;
    clearTimeout(batch.timer);
    chain = chain.then(async () => {
      try {
        await options.flush(batch.items, batch.firstInMs);
        batch.resolve();
      } catch (error) {
        batch.reject(error);
      } finally {
        report(-batch.items.length);
      }
    });
  }

  return {
    add(items) {
      const touched = new Set<Promise<void>>();
      for (const item of items) {
        open ??= start();
        open.items.push(item);
        touched.add(open.done);
        if (open.items.length >= options.maxItems) cut();
      }
      report(items.length);
      return Promise.all(touched).then(() => undefined);
    },
    cut,
    pending: () => waiting,
  };
}
