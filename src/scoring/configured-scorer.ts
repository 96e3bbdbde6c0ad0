/**
 * The scorer configuration asks for (DMID_SCORER): the identity-fusion model (default), loaded and warmed
 * up before the worker starts, or the rules baseline. The model keeps the half-lives it was trained with
 * (its freshness inputs must mean what they meant in training); DMID_HALF_LIFE_HOURS still drives the
 * rules scorer and the decay of stored scores when they are read.
 */
import type { Config } from '../config.js';
import { createModelScorer } from './model/model-scorer.js';
import { createRulesScorer } from './rules-scorer.js';
import type { Scorer } from './scorer.js';

export async function createConfiguredScorer(
  config: Pick<Config, 'scoring' | 'halfLivesMs'>,
): Promise<Scorer> {
  if (config.scoring.scorer === 'rules') return createRulesScorer({ halfLivesMs: config.halfLivesMs });
  return createModelScorer(config.scoring.modelDir === null ? {} : { modelDir: config.scoring.modelDir });
}
