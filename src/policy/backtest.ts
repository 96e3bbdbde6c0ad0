/**
 * Backtesting a draft policy: what it would have decided on recorded scores, against the live version.
 * Each score is decided as it was when computed (no decay): the decision a party asking at that moment
 * would have had. Pure; `dmid policy backtest` feeds it identity.scores from Kafka.
 */
import type { IdentityScore } from '../codec/types.js';
import { evaluatePolicy, type Outcome } from './evaluate-policy.js';
import type { Policy } from './policy-schema.js';

export interface PolicyRef {
  readonly id: string;
  readonly version: string;
  readonly contentHash: string;
}

/** A subject whose latest decided score came out differently under the draft. */
export interface Flip {
  /** The pseudonym, as on identity.scores. */
  readonly subjectId: string;
  readonly live: Outcome;
  readonly draft: Outcome;
  readonly scoreId: string;
  readonly computedAt: number;
}

export interface BacktestReport {
  readonly draft: PolicyRef;
  readonly live: PolicyRef;
  /** Score records decided (each once per policy). */
  readonly scores: number;
  readonly subjects: number;
  readonly outcomes: { readonly draft: Record<Outcome, number>; readonly live: Record<Outcome, number> };
  /** Per subject, its latest score whose outcome differs; by subject id. */
  readonly flips: readonly Flip[];
}

export interface Backtest {
  add(score: IdentityScore): void;
  report(): BacktestReport;
}

const ref = (p: Policy): PolicyRef => ({
  id: p.rules.id,
  version: p.rules.version,
  contentHash: p.contentHash,
});
const zero = (): Record<Outcome, number> => ({ ALLOW: 0, STEP_UP: 0, DENY: 0 });

/** Accumulates scores one by one (a topic can be long); `report()` at the end. */
export function createBacktest(draft: Policy, live: Policy): Backtest {
  const outcomes = { draft: zero(), live: zero() };
  const latestFlip = new Map<string, Flip | null>();
  let scores = 0;
  return {
    add(score) {
      scores += 1;
      const d = evaluatePolicy(draft, score, score.computedAt).outcome;
      const l = evaluatePolicy(live, score, score.computedAt).outcome;
      outcomes.draft[d] += 1;
      outcomes.live[l] += 1;
      const held = latestFlip.get(score.subjectId);
      if (held !== undefined && held !== null && held.computedAt > score.computedAt) return;
      const flip =
        d === l
          ? null
          : {
              subjectId: score.subjectId,
              live: l,
              draft: d,
              scoreId: score.scoreId,
              computedAt: score.computedAt,
            };
      // A later score that agrees again does not undo an earlier flip: the report is about what changes.
      if (flip !== null || held === undefined) latestFlip.set(score.subjectId, flip);
    },
    report() {
      const flips = [...latestFlip.values()]
        .filter((f): f is Flip => f !== null)
        .sort((a, b) => (a.subjectId < b.subjectId ? -1 : a.subjectId > b.subjectId ? 1 : 0));
      return { draft: ref(draft), live: ref(live), scores, subjects: latestFlip.size, outcomes, flips };
    },
  };
}
