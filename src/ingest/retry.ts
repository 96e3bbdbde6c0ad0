/**
 * Retrying a batch while a dependency is down. Only errors that say they can be retried (a DmidError
 * with canRetry: Redis or Kafka unreachable) are retried; bugs and bad input are not. Waits double from
 * `minDelayMs` to `maxDelayMs`, heartbeating so the consumer group keeps this member, and give up at once
 * when the worker is stopping (the batch is then not committed and is redelivered).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { canRetry } from '../errors.js';

export interface RetryOptions {
  /** First wait, milliseconds. Default 100. */
  readonly minDelayMs?: number;
  /** Longest wait, milliseconds. Default 5000. */
  readonly maxDelayMs?: number;
}

export interface RetryHooks {
  readonly stopping: () => boolean;
  readonly heartbeat: () => Promise<void>;
  /** Called before each wait: the pipeline is paused. */
  readonly onRetry: (error: unknown, attempt: number, delayMs: number) => void;
  /** Called when an attempt succeeds after failures: the pipeline runs again. */
  readonly onRecovered: () => void;
}

export async function withRetry<T>(
  work: () => Promise<T>,
  hooks: RetryHooks,
  options: RetryOptions = {},
): Promise<T> {
  const maxDelay = options.maxDelayMs ?? 5000;
  let delay = options.minDelayMs ?? 100;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await work();
      if (attempt > 1) hooks.onRecovered();
      return result;
    } catch (error) {
      if (!canRetry(error) || hooks.stopping()) throw error;
      hooks.onRetry(error, attempt, delay);
      await sleep(delay);
      await hooks.heartbeat().catch(() => undefined);
      delay = Math.min(delay * 2, maxDelay);
    }
  }
}
