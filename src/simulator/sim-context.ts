/**
 * What everyday activity and scenario steps get from the stream engine: the stream's random numbers, a
 * way to schedule later steps, and the one function that wraps a record into a {@link ValidEvent}.
 */
import type { SignalByKind, SignalKind } from '../codec/types.js';
import type { ValidEvent, ValidEventOf } from './events.js';
import type { Prng } from './prng.js';
import type { Label } from './scenario-catalogue.js';
import type { SubjectState } from './subject-state.js';

/**
 * A scheduled step. It runs at the first slot of the stream at or after the time it was scheduled for,
 * with that slot's time `t` (so its record's observedAt is `t`), and yields one event or none.
 */
export type StepRun = (t: number) => ValidEvent | null;

export interface SimContext {
  /** The stream's generator: draws happen in event order, so the stream replays from its seed. */
  readonly prng: Prng;
  /** Runs `run` at the first slot at or after `at` (epoch ms). Steps due at the same time run in order. */
  schedule(at: number, run: StepRun): void;
}

export interface EventTruth {
  readonly label: Label;
  /** Scenario step name; null for everyday activity. */
  readonly step: string | null;
}

/**
 * Wraps a record of the subject into a valid event observed at `record.observedAt`. Built as one object
 * literal with a fixed field order: every event then shares one hidden class, which keeps the hot path
 * (and avsc's field reads when encoding) monomorphic.
 */
export function emit<K extends SignalKind>(
  state: SubjectState,
  kind: K,
  record: SignalByKind[K],
  truth: EventTruth,
): ValidEventOf<K> {
  return {
    valid: true,
    at: record.observedAt,
    subjectIndex: state.subject.index,
    kind,
    record,
    scenario: state.subject.scenario,
    label: truth.label,
    step: truth.step,
    claim: kind === 'biometric',
  };
}
