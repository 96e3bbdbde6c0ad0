/**
 * Everyday activity: one event of a given kind for a subject, from their state. While an attacker
 * controls the identity, everyday events are theirs: fixes from where they are, captures of their face.
 */
import type { SignalKind } from '../codec/types.js';
import type { ValidEvent } from './events.js';
import {
  captureRecord,
  everydayChannel,
  everydaySource,
  fixRecord,
  genuineCapture,
  impostorCapture,
  registryRecord,
  telecomRecord,
} from './records.js';
import { emit, type SimContext } from './sim-context.js';
import { advancePosition, attackerAt, type SubjectState } from './subject-state.js';

/**
 * An everyday event of `kind` at `t`, or null when the subject cannot produce one now (a location fix
 * while in the air): the engine then gives the slot to someone else.
 */
export function everydayEvent(
  ctx: SimContext,
  state: SubjectState,
  kind: SignalKind,
  t: number,
): ValidEvent | null {
  const { prng } = ctx;
  const attacker = attackerAt(state, t);
  const truth = { label: attacker === null ? 'genuine' : 'attack', step: null } as const;
  switch (kind) {
    case 'location': {
      if (t < state.inFlightUntil) return null;
      const point = attacker?.point ?? advancePosition(state, prng, t);
      return emit(state, kind, fixRecord(prng, state, t, point, everydaySource(prng)), truth);
    }
    case 'telecom':
      return emit(state, kind, telecomRecord(prng, state, t), truth);
    case 'biometric': {
      const values =
        attacker === null
          ? genuineCapture(prng, state)
          : impostorCapture(prng, attacker.matchMin, attacker.matchMax);
      const record = captureRecord(prng, state, t, everydayChannel(prng, state), values);
      return emit(state, kind, record, truth);
    }
    case 'registry':
      return emit(state, kind, registryRecord(prng, state, t), truth);
  }
}
