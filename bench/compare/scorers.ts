/**
 * The scorers a benchmark contender can run, by name: `rules` (the baseline) or `model` (the learned
 * fusion model, loaded and warmed up before the contender starts consuming).
 */
import { createRulesScorer } from '../../src/scoring/rules-scorer.js';
import type { Scorer } from '../../src/scoring/scorer.js';

export const SCORER_NAMES = ['rules', 'model'] as const;

export function createScorerByName(name: string): Promise<Scorer> {
  if (name === 'rules') return Promise.resolve(createRulesScorer());
  if (name === 'model')
    return Promise.reject(new Error('the model scorer is not wired into the benchmark yet'));
  return Promise.reject(new Error(`unknown scorer ${name} (use ${SCORER_NAMES.join(' or ')})`));
}
