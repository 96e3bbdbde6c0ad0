/**
 * The scenarios of the simulator: their ids, ground-truth labels, the dimensions they touch and the
 * evidence each promises. This page is the contract between the simulator, the pipeline's tests and the
 * labelled-data generator of the learned model: an id is never renamed, and what a scenario promises is
 * held by test/unit/simulator/scenarios.test.ts.
 *
 * Labels are per event (`ValidEvent.label`, events.ts): `attack` when, at that moment, someone other than
 * the subject is behind the identity; `genuine` otherwise. A subject with an attack scenario lives an
 * ordinary, genuine life before its episode. Every event of an episode names its step
 * (`ValidEvent.step`), `<scenario id>/<step>` (`sim-swap-takeover/far-fix`); ordinary subjects' flights
 * are `trip/depart`, `trip/arrive`, `trip/return-depart`, `trip/return-arrive`.
 */
import type { Dimension } from '../codec/types.js';

export const ATTACK_SCENARIOS = [
  'sim-swap-takeover',
  'impossible-travel',
  'presentation-attack',
  'synthetic-identity',
  'deceased-identity',
  'stale-identity',
] as const;

export const BENIGN_SCENARIOS = [
  'flight',
  'new-phone',
  'poor-capture',
  'name-transliteration',
  'returning-resident',
] as const;

export type AttackScenarioId = (typeof ATTACK_SCENARIOS)[number];
export type BenignScenarioId = (typeof BENIGN_SCENARIOS)[number];
/** `ordinary`: a subject with no scenario, living an ordinary life (which may include trips by air). */
export type ScenarioId = 'ordinary' | AttackScenarioId | BenignScenarioId;

export const SCENARIO_IDS: readonly ScenarioId[] = ['ordinary', ...ATTACK_SCENARIOS, ...BENIGN_SCENARIOS];

export type Label = 'genuine' | 'attack';

export interface ScenarioSpec {
  readonly id: ScenarioId;
  /** The label of the scenario's episode events. */
  readonly label: Label;
  /** Dimensions whose evidence the episode changes: the per-dimension auxiliary labels of the model. */
  readonly dimensions: readonly Dimension[];
  /** What the episode does and the evidence it promises. */
  readonly summary: string;
}

/** Every scenario, by id. */
export const SCENARIOS: Readonly<Record<ScenarioId, ScenarioSpec>> = {
  ordinary: {
    id: 'ordinary',
    label: 'genuine',
    dimensions: [],
    summary:
      'No episode: location fixes around home and work, carrier reports, kiosk and app captures, ' +
      'registry checks; may fly somewhere now and then (travel habit).',
  },
  'sim-swap-takeover': {
    id: 'sim-swap-takeover',
    label: 'attack',
    dimensions: ['TELECOM', 'LOCATION', 'BIOMETRIC'],
    summary:
      'A fraudster ports the number to a new SIM: a carrier report with simSwappedAt 20 min to 6 h ' +
      'before it and a new handset after the swap; minutes later a fix from a city at least 500 km ' +
      'away; then 1 to 3 failed mobile face captures (match < 0.45, live). For 6 to 48 h the number ' +
      "is the fraudster's: fixes come from there and captures fail. Quiet variant (30%): the fraudster " +
      'is in the same city: no far fix, one failed capture (telecom and biometric only).',
  },
  'impossible-travel': {
    id: 'impossible-travel',
    label: 'attack',
    dimensions: ['LOCATION', 'BIOMETRIC'],
    summary:
      'A cloned or spoofed device: a GNSS fix at home, then 3 to 30 minutes later a fix of good ' +
      'accuracy (≤ 100 m) from a city at least 1,000 km away (> 900 km/h from the fix before), then ' +
      '1 or 2 mobile captures of a look-alike (match 0.3 to 0.75, live); in 30% (location-only ' +
      'variant) no capture.',
  },
  'presentation-attack': {
    id: 'presentation-attack',
    label: 'attack',
    dimensions: ['BIOMETRIC'],
    summary:
      "A photo, screen or mask of the subject's face at a kiosk or in the app: 1 to 3 captures with " +
      'liveness < 0.4 and a high match (0.6 to 0.95, it is their face); the first is always flagged ' +
      'by PAD, later ones in 85% of cases.',
  },
  'synthetic-identity': {
    id: 'synthetic-identity',
    label: 'attack',
    dimensions: ['REGISTRY', 'TELECOM'],
    summary:
      'An identity made up from nothing, active from 2 to 60 days before its episode: registry record ' +
      'not found (60%) or found with name match < 0.6 and/or a wrong birth date; prepaid or VOIP ' +
      'number held for < 90 days, KYC NONE or PARTIAL. Captures match well (the fraudster enrolled ' +
      'their own face). Every event of the subject is an attack.',
  },
  'deceased-identity': {
    id: 'deceased-identity',
    label: 'attack',
    dimensions: ['REGISTRY', 'BIOMETRIC'],
    summary:
      'The subject dies 2 to 30 days before the episode (silence); the civil registry then reports ' +
      'DECEASED (document no longer valid), and from 10 minutes to 6 hours later the identity is used ' +
      'again: carrier reports, fixes, captures of someone else (match 0.3 to 0.75). Every registry ' +
      'check after that says DECEASED.',
  },
  'stale-identity': {
    id: 'stale-identity',
    label: 'attack',
    dimensions: ['TELECOM', 'LOCATION', 'BIOMETRIC', 'REGISTRY'],
    summary:
      'No event at all for 45 to 150 days, then a claim at a branch or kiosk by someone else (match ' +
      '0.35 to 0.8, live) with a fresh prepaid number (tenure < 21 days); the impostor stays 1 to 10 ' +
      'days, then silence again. Same-line variant (30%): the impostor holds the old line and handset, ' +
      'so telecom looks genuine (biometric and the silence only). Old evidence exists only when the ' +
      'stream has a history that long.',
  },
  flight: {
    id: 'flight',
    label: 'genuine',
    dimensions: ['LOCATION'],
    summary:
      'A flight to a city at least 800 km away: a GNSS fix before departure, none in the air, one ' +
      'on arrival; the two imply 500 to 900 km/h (door-to-door speed of an airliner, not impossible). ' +
      'Back by air 1 to 10 days later.',
  },
  'new-phone': {
    id: 'new-phone',
    label: 'genuine',
    dimensions: ['TELECOM'],
    summary:
      'A new handset with the same SIM: a carrier report with deviceChangedAt 30 min to 48 h before ' +
      'it and no recent SIM swap or port.',
  },
  'poor-capture': {
    id: 'poor-capture',
    label: 'genuine',
    dimensions: ['BIOMETRIC'],
    summary:
      'Bad light or a worn fingerprint reader: 1 to 3 captures of the real subject with quality ' +
      '< 0.45, match 0.45 to 0.7, live (liveness ≥ 0.55), no PAD flag.',
  },
  'name-transliteration': {
    id: 'name-transliteration',
    label: 'genuine',
    dimensions: ['REGISTRY'],
    summary:
      'The registry holds the name in another romanisation or character variant: every check finds ' +
      'the record with name match 0.8 to 0.9, birth date matching, ACTIVE.',
  },
  'returning-resident': {
    id: 'returning-resident',
    label: 'genuine',
    dimensions: ['TELECOM', 'LOCATION', 'BIOMETRIC', 'REGISTRY'],
    summary:
      'The look-alike of a stale identity: away (abroad, in hospital) for 45 to 150 days without any ' +
      'event, then back: a strong live capture (match ≥ 0.85) at a branch or kiosk, sometimes with a ' +
      'new number, then an ordinary life again.',
  },
};

/** Relative weights of scenarios within their group (attacks, benign surprises); 0 disables one. */
export type ScenarioMix = Readonly<Partial<Record<AttackScenarioId | BenignScenarioId, number>>>;

/** Weights of `ids` from `mix`, 1 for those it does not name. */
export function mixWeights(
  ids: readonly (AttackScenarioId | BenignScenarioId)[],
  mix: ScenarioMix,
): number[] {
  return ids.map((id) => {
    const weight = mix[id] ?? 1;
    if (!Number.isFinite(weight) || weight < 0) {
      throw new RangeError(`scenarioMix: the weight of ${id} must be a finite number >= 0`);
    }
    return weight;
  });
}

export function isAttackScenario(id: ScenarioId): id is AttackScenarioId {
  return (ATTACK_SCENARIOS as readonly string[]).includes(id);
}
