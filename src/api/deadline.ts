/**
 * A deadline on a promise. The API must answer a probe or a score request quickly even when Redis hangs
 * (ioredis queues commands while it reconnects), so every dependency call it makes is bounded.
 */

/**
 * Resolves or rejects as `work` does, or rejects with `onTimeout()` after `ms` milliseconds, whichever
 * comes first. `work` keeps running after a timeout; a later rejection of it is handled (by the race), so
 * it never becomes an unhandled rejection.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
