/**
 * The confidence caps of the contract: a DECEASED or SUSPENDED registry status caps confidence at 0.05,
 * a presentation attack not followed by a later live capture at 0.10. A cap is carried by its reason code,
 * so a stored score still carries it when it is read and decayed later.
 */
import type { Reason } from '../codec/types.js';
import { CAP_PRESENTATION_ATTACK, CAP_REGISTRY_STATUS } from './rules-constants.js';

/** The cap a reason code imposes on confidence, or 1 (no cap). */
export function capOf(code: string): number {
  switch (code) {
    case 'REG_DECEASED':
    case 'REG_SUSPENDED':
      return CAP_REGISTRY_STATUS;
    case 'BIO_PRESENTATION_ATTACK':
      return CAP_PRESENTATION_ATTACK;
    default:
      return 1;
  }
}

/** The lowest cap among `reasons`, or 1 when none caps. */
export function capOfReasons(reasons: readonly Reason[]): number {
  let cap = 1;
  for (const reason of reasons) cap = Math.min(cap, capOf(reason.code));
  return cap;
}
