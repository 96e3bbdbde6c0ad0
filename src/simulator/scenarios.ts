/**
 * The episode of every scenario, by id: the function that starts it at the subject's `episodeAt`.
 * Ordinary subjects have no episode (their travel is scheduled by trips.ts).
 */
import {
  deceasedIdentity,
  impossibleTravel,
  presentationAttack,
  simSwapTakeover,
  staleIdentity,
  syntheticIdentity,
} from './attack-scenarios.js';
import { flight, nameTransliteration, newPhone, poorCapture, returningResident } from './benign-scenarios.js';
import type { ValidEvent } from './events.js';
import type { ScenarioId } from './scenario-catalogue.js';
import type { SimContext } from './sim-context.js';
import type { SubjectState } from './subject-state.js';

/** Starts an episode at slot time `t`: changes the subject's state, schedules steps, returns the first event. */
export type EpisodeStart = (ctx: SimContext, state: SubjectState, t: number) => ValidEvent;

export const EPISODES: Readonly<Record<Exclude<ScenarioId, 'ordinary'>, EpisodeStart>> = {
  'sim-swap-takeover': simSwapTakeover,
  'impossible-travel': impossibleTravel,
  'presentation-attack': presentationAttack,
  'synthetic-identity': syntheticIdentity,
  'deceased-identity': deceasedIdentity,
  'stale-identity': staleIdentity,
  flight,
  'new-phone': newPhone,
  'poor-capture': poorCapture,
  'name-transliteration': nameTransliteration,
  'returning-resident': returningResident,
};
