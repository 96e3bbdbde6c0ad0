/**
 * The scorers a benchmark can run, by name: `rules` (the baseline) or `model` (the learned fusion model
 * shipped in models/, loaded and warmed up before anything is consumed).
 */
import { createModelScorer } from '../../src/scoring/model/model-scorer.js';
import { createRulesScorer } from '../../src/scoring/rules-scorer.js';
import type { Scorer } from '../../src/scoring/scorer.js';

export const SCORER_NAMES = ['rules', 'model'] as const;
export type ScorerName = (typeof SCORER_NAMES)[number];

export function isScorerName(name: string): name is ScorerName {
  return (SCORER_NAMES as readonly string[]).includes(name);
}

export async function createScorerByName(name: string): Promise<Scorer> {
  if (name === 'rules') return createRulesScorer();
  if (name === 'model') return createModelScorer();
  throw new Error(`unknown scorer ${name} (use ${SCORER_NAMES.join(' or ')})`);
}
