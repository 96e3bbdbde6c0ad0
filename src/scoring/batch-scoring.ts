/**
 * From a batch's state results to the scores to emit: subjects whose current state version was not
 * emitted yet get a score. A score already cached for exactly that version (computed before a crash) is
 * reused, so what is produced again is the same record; the others are scored in one batched call.
 */
import type { IdentityScore } from '../codec/types.js';
import { scoreIdFor } from '../anchor/ids.js';
import { extractFeatures } from '../features/extract-features.js';
import type { ApplyResult, CachedScore } from '../state/state-store.js';
import type { Scorer, ScoreInput, ScoreResult } from './scorer.js';

/** A score with the state result it belongs to. */
export interface ScoredState {
  readonly cached: CachedScore;
  readonly state: ApplyResult;
}

export interface ScoresToEmit {
  /** Newly computed scores: to be cached (saveScores), then produced as the cache decides. */
  readonly fresh: ScoredState[];
  /** Scores cached before for exactly the current version: produced again as they are. */
  readonly reused: ScoredState[];
  /** Time spent extracting features, seconds (for the per-stage cost breakdown). */
  readonly featureSeconds: number;
  /** Time of the one batched scoring call, seconds. */
  readonly scoringSeconds: number;
}

/** The contract's IdentityScore of a scorer result: fields in schema order, nothing else. */
export function toIdentityScore(result: ScoreResult, scoreId: string): IdentityScore {
  return {
    scoreId,
    subjectId: result.subjectId,
    computedAt: result.computedAt,
    confidence: result.confidence,
    assuranceLevel: result.assuranceLevel,
    dimensions: result.dimensions,
    reasons: result.reasons,
    modelVersion: result.modelVersion,
    triggerEventId: result.triggerEventId,
  };
}

/** What a batch's states need: scores to reuse, and the inputs of the ones to compute. */
interface ScoringPlan {
  readonly reused: ScoredState[];
  readonly toCompute: ApplyResult[];
  /** Input `i` is for `toCompute[i]`. */
  readonly inputs: ScoreInput[];
  /** Time spent extracting features, seconds. */
  readonly featureSeconds: number;
}

/** Sorts states into reused scores and inputs to score (features extracted at `nowMs`). */
function planScores(states: readonly ApplyResult[], nowMs: number): ScoringPlan {
  const reused: ScoredState[] = [];
  const toCompute: ApplyResult[] = [];
  for (const state of states) {
    if (state.version <= state.emittedVersion) continue;
    if (state.cached !== null && state.cached.version === state.version)
      reused.push({ cached: state.cached, state });
    else toCompute.push(state);
  }
  const featuresStart = performance.now();
  const inputs: ScoreInput[] = toCompute.map((state) => {
    if (state.lastEventId === null) throw new Error('a state with a version above 0 has a last event id');
    return {
      subjectId: state.subjectId,
      features: extractFeatures(state.evidence, nowMs),
      computedAtMs: nowMs,
      triggerEventId: state.lastEventId,
    };
  });
  return { reused, toCompute, inputs, featureSeconds: (performance.now() - featuresStart) / 1000 };
}

/** The new scores of a plan from the scorer's results (result `i` for `plan.toCompute[i]`), ids assigned. */
function freshScores(plan: ScoringPlan, results: readonly ScoreResult[]): ScoredState[] {
  if (results.length !== plan.toCompute.length) throw new Error('scorer results do not match its inputs');
  return results.map((result, i) => {
    const state = plan.toCompute[i];
    if (state === undefined) throw new Error('scorer returned more results than inputs');
    const cached = {
      version: state.version,
      score: toIdentityScore(result, scoreIdFor(state.subjectId, state.salt, state.version)),
    };
    return { cached, state };
  });
}

/** Plan, one scoring call and fresh scores in one step (a synchronous scorer called directly). */
export function scoresToEmit(states: readonly ApplyResult[], scorer: Scorer, nowMs: number): ScoresToEmit {
  const plan = planScores(states, nowMs);
  const scoringStart = performance.now();
  const results = plan.inputs.length === 0 ? [] : scorer.score(plan.inputs);
  const scoringSeconds = (performance.now() - scoringStart) / 1000;
  return {
    fresh: freshScores(plan, results),
    reused: plan.reused,
    featureSeconds: plan.featureSeconds,
    scoringSeconds,
  };
}
