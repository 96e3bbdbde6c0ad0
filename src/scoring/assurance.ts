/**
 * Assurance levels (NONE < LOW < SUBSTANTIAL < HIGH) by an ordered list of named rules: the first rule
 * whose conditions hold sets the level, and its name goes with the score for audit.
 *
 * The rules read only what a stored score keeps (confidence, reason codes, the biometric evidence time),
 * so the level of a cached score can be re-derived when it is decayed to a later time; every condition
 * only gets harder to meet as time passes, so a later read never has a higher level.
 */
import type { AssuranceLevel, Reason } from '../codec/types.js';
import { severityOf } from './reasons.js';
import { MS_PER_HOUR } from '../features/feature-constants.js';
import {
  ASSURANCE_HIGH_MAX_BIO_AGE_MS,
  ASSURANCE_HIGH_MIN_CONFIDENCE,
  ASSURANCE_LOW_MIN_CONFIDENCE,
  ASSURANCE_SUBSTANTIAL_MIN_CONFIDENCE,
} from './rules-constants.js';

/** One assurance rule: its name, the level it sets, and its conditions in words. */
export interface AssuranceRule {
  readonly name: string;
  readonly level: AssuranceLevel;
  readonly summary: string;
}

/** The rules, in the order they are tried. */
export const ASSURANCE_RULES = {
  registryStatusCap: {
    name: 'registry-status-cap',
    level: 'NONE',
    summary: 'REG_DECEASED or REG_SUSPENDED: NONE, whatever else is known (contract).',
  },
  presentationAttackCap: {
    name: 'presentation-attack-cap',
    level: 'NONE',
    summary: 'BIO_PRESENTATION_ATTACK: NONE until a later live capture.',
  },
  high: {
    name: 'high-verified-fresh-biometric',
    level: 'HIGH',
    summary: `Confidence ≥ ${ASSURANCE_HIGH_MIN_CONFIDENCE}, REG_VERIFIED, BIO_STRONG_MATCH no older than ${ASSURANCE_HIGH_MAX_BIO_AGE_MS / MS_PER_HOUR} h, no risk or caution reason.`,
  },
  substantial: {
    name: 'substantial-verified-bound',
    level: 'SUBSTANTIAL',
    summary: `Confidence ≥ ${ASSURANCE_SUBSTANTIAL_MIN_CONFIDENCE}, REG_VERIFIED, and BIO_STRONG_MATCH or TEL_KYC_MATCH, no risk reason.`,
  },
  low: {
    name: 'low-confidence',
    level: 'LOW',
    summary: `Confidence ≥ ${ASSURANCE_LOW_MIN_CONFIDENCE}.`,
  },
  none: { name: 'none-otherwise', level: 'NONE', summary: 'Nothing above holds.' },
} as const satisfies Record<string, AssuranceRule>;

/**
 * The assurance rule that applies to a score: `confidence` (capped) at `atMs` (epoch ms), its `reasons`,
 * and `biometricEvidenceAt` (epoch ms of the newest capture, or null).
 */
export function assuranceOf(
  confidence: number,
  reasons: readonly Reason[],
  biometricEvidenceAt: number | null,
  atMs: number,
): AssuranceRule {
  let registryCap = false;
  let attackCap = false;
  let risk = false;
  let caution = false;
  let verified = false;
  let strongBio = false;
  let kyc = false;
  for (const { code } of reasons) {
    const severity = severityOf(code);
    if (code === 'REG_DECEASED' || code === 'REG_SUSPENDED') registryCap = true;
    else if (code === 'BIO_PRESENTATION_ATTACK') attackCap = true;
    else if (code === 'REG_VERIFIED') verified = true;
    else if (code === 'BIO_STRONG_MATCH') strongBio = true;
    else if (code === 'TEL_KYC_MATCH') kyc = true;
    else if (severity === 'risk') risk = true;
    else if (severity === 'caution') caution = true;
  }
  if (registryCap) return ASSURANCE_RULES.registryStatusCap;
  if (attackCap) return ASSURANCE_RULES.presentationAttackCap;
  const bioFresh =
    biometricEvidenceAt !== null && atMs - biometricEvidenceAt <= ASSURANCE_HIGH_MAX_BIO_AGE_MS;
  if (confidence >= ASSURANCE_HIGH_MIN_CONFIDENCE && verified && strongBio && bioFresh && !risk && !caution) {
    return ASSURANCE_RULES.high;
  }
  if (confidence >= ASSURANCE_SUBSTANTIAL_MIN_CONFIDENCE && verified && (strongBio || kyc) && !risk) {
    return ASSURANCE_RULES.substantial;
  }
  if (confidence >= ASSURANCE_LOW_MIN_CONFIDENCE) return ASSURANCE_RULES.low;
  return ASSURANCE_RULES.none;
}

/**
 * The rule name a decayed read reports when it keeps the level the score was computed with because the
 * rules above would give a higher one (possible only for a score from another scorer, e.g. a model).
 */
export const AS_COMPUTED_RULE = 'as-computed';

const LEVEL_RANK: Readonly<Record<AssuranceLevel, number>> = { NONE: 0, LOW: 1, SUBSTANTIAL: 2, HIGH: 3 };

/** True when level `a` is strictly higher than level `b`. */
export function isHigherLevel(a: AssuranceLevel, b: AssuranceLevel): boolean {
  return LEVEL_RANK[a] > LEVEL_RANK[b];
}

/** The docs/scoring.md table of assurance rules, in the order they are tried. */
export function assuranceRuleTable(): string {
  const rows = Object.values(ASSURANCE_RULES).map(
    (rule) => `| \`${rule.name}\` | ${rule.level} | ${rule.summary} |`,
  );
  return ['| rule (first that holds) | level | conditions |', '|---|---|---|', ...rows].join('\n');
}
