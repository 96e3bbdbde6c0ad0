/**
 * One scoring call for the batches a worker handles at the same time.
 *
 * The worker handles many partitions at once, each batch holding a handful of subjects. The learned model
 * costs a fixed amount per call on top of its cost per row (measured on this project's 2-core machine,
 * wasm backend: 1 row 0.42 ms, 100 rows 1.0 ms, 500 rows 3.1 ms), so one call per partition batch would
 * spend most of its time in call overhead. Calls made in the same turn of the event loop are gathered and
 * scored together at the next `setImmediate`; each caller gets its own results, in order. The rules scorer
 * gains nothing from this but loses nothing either.
 */
import type { Scorer, ScoreInput, ScoreResult } from './scorer.js';

export interface ScoredBatch {
  readonly results: ScoreResult[];
  /** This caller's share of the one scoring call (by rows), seconds: the `scoring` stage time. */
  readonly seconds: number;
}

export interface CoalescingScorer {
  /** Scores `inputs` together with the other calls of this turn; result `i` belongs to input `i`. */
  score(inputs: readonly ScoreInput[]): Promise<ScoredBatch>;
}

interface PendingCall {
  readonly inputs: readonly ScoreInput[];
  readonly resolve: (batch: ScoredBatch) => void;
  readonly reject: (error: unknown) => void;
}

export function createCoalescingScorer(scorer: Scorer): CoalescingScorer {
  let pending: PendingCall[] = [];

  const flush = (): void => {
    const calls = pending;
    pending = [];
    const all = calls.flatMap((c) => c.inputs);
    const start = performance.now();
    let results: ScoreResult[];
    try {
      results = scorer.score(all);
      if (results.length !== all.length)
        throw new Error(`scorer ${scorer.name} returned ${results.length} results for ${all.length} inputs`);
    } catch (error) {
      // A scorer is pure: a failure is a bug, and every batch of this call fails with it.
      for (const call of calls) call.reject(error);
      return;
    }
    const seconds = (performance.now() - start) / 1000;
    let offset = 0;
    for (const call of calls) {
      const n = call.inputs.length;
      call.resolve({ results: results.slice(offset, offset + n), seconds: (seconds * n) / all.length });
      offset += n;
    }
  };

  return {
    score(inputs) {
      if (inputs.length === 0) return Promise.resolve({ results: [], seconds: 0 });
      return new Promise((resolve, reject) => {
        if (pending.length === 0) setImmediate(flush);
        pending.push({ inputs, resolve, reject });
      });
    },
  };
}
