/**
 * When a score raises an alert: a pure function of what the alert consumer last saw of the subject and
 * the new score. An alert is raised when an alert code appears that the previous score did not carry
 * (a subject's first score counts every alert code it carries), or when the assurance level falls.
 * Codes that persist (a SIM swap stays recent for 7 days) raise nothing again.
 */
import { deterministicUuid } from '../anchor/ids.js';
import type { AssuranceLevel, IdentityAlert, IdentityScore } from '../codec/types.js';

/** Reason codes that raise an alert when they appear. */
export const ALERT_CODES: readonly string[] = [
  'TEL_SIM_SWAP_RECENT',
  'BIO_PRESENTATION_ATTACK',
  'REG_DECEASED',
  'REG_SUSPENDED',
];

const LEVELS: readonly AssuranceLevel[] = ['NONE', 'LOW', 'SUBSTANTIAL', 'HIGH'];

/** What the alert consumer remembers of a subject's latest score. */
export interface SeenScore {
  readonly computedAt: number;
  readonly assuranceLevel: AssuranceLevel;
  readonly alertCodes: readonly string[];
}

export function seenOf(score: IdentityScore): SeenScore {
  const present = new Set(score.reasons.map((r) => r.code));
  return {
    computedAt: score.computedAt,
    assuranceLevel: score.assuranceLevel,
    alertCodes: ALERT_CODES.filter((code) => present.has(code)),
  };
}

/** The alert `score` raises after `previous` (null: the first score seen), or null. */
export function detectAlert(previous: SeenScore | null, score: IdentityScore): IdentityAlert | null {
  const now = seenOf(score);
  const before = new Set(previous?.alertCodes ?? []);
  const appeared = now.alertCodes.filter((code) => !before.has(code));
  const dropped =
    previous !== null && LEVELS.indexOf(score.assuranceLevel) < LEVELS.indexOf(previous.assuranceLevel);
  if (appeared.length === 0 && !dropped) return null;
  return {
    // From the score: a redelivered score raises the same alert, which receivers drop as a duplicate.
    alertId: deterministicUuid(`alert:${score.scoreId}`),
    subjectId: score.subjectId,
    kind: appeared.length > 0 ? 'DENY_CODE_APPEARED' : 'ASSURANCE_DROPPED',
    reasonCodes: appeared,
    previousAssuranceLevel: previous?.assuranceLevel ?? null,
    assuranceLevel: score.assuranceLevel,
    scoreId: score.scoreId,
    computedAt: score.computedAt,
  };
}
