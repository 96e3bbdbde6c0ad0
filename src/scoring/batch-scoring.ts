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

export function scoresToEmit(states: readonly ApplyResult[], scorer: Scorer, nowMs: number): ScoresToEmit {
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
  const scoringStart = performance.now();
  const results = inputs.length === 0 ? [] : scorer.score(inputs);
  const scoringEnd = performance.now();
  const fresh: ScoredState[] = [];
  results.forEach((result, i) => {
    const state = toCompute[i];
    if (state === undefined) throw new Error('scorer returned more results than inputs');
    const cached = {
      version: state.version,
      score: toIdentityScore(result, scoreIdFor(state.subjectId, state.version)),
    };
    fresh.push({ cached, state });
  });
  return {
    fresh,
    reused,
    featureSeconds: (scoringStart - featuresStart) / 1000,
    scoringSeconds: (scoringEnd - scoringStart) / 1000,
  };
}
