/**
 * The schema of a policy pack (`policies/*.yaml`): what a regulator approves, as data.
 *
 * A policy states the minimum confidence and assurance, per dimension a minimum sub-score and a maximum
 * evidence age, the reason codes that deny outright, what a relying party can do to lift a failing check
 * (a step-up action; a failing check without one denies), and which dimensions and reason codes the party
 * may see. Unknown keys are refused everywhere: a misspelt rule must not be silently ignored.
 */
import { z } from 'zod';
import type { AssuranceLevel, Dimension } from '../codec/types.js';

export const DIMENSIONS = [
  'TELECOM',
  'LOCATION',
  'BIOMETRIC',
  'REGISTRY',
] as const satisfies readonly Dimension[];
export const ASSURANCE_LEVELS = [
  'NONE',
  'LOW',
  'SUBSTANTIAL',
  'HIGH',
] as const satisfies readonly AssuranceLevel[];

/** What a relying party can do to lift a failing check. Closed list: parties build flows on it. */
export const STEP_UP_ACTIONS = [
  'FRESH_BIOMETRIC_CAPTURE',
  'REGISTRY_RECHECK',
  'TELECOM_RECHECK',
  'LOCATION_CHECK',
  'IN_PERSON_VERIFICATION',
] as const;
export type StepUpAction = (typeof STEP_UP_ACTIONS)[number];

const POLICY_ID = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;
const SEMVER = /^\d{1,4}\.\d{1,4}\.\d{1,4}$/;
const REASON_CODE = /^[A-Z][A-Z0-9_]{2,63}$/;

const fraction = z.number().min(0).max(1);
const stepUp = z.enum(STEP_UP_ACTIONS);

const dimensionRule = z.strictObject({
  /** Lowest acceptable sub-score, 0..1. */
  minScore: fraction,
  /** Oldest acceptable evidence, hours; older evidence fails the check as stale. */
  maxEvidenceAgeHours: z.number().positive().max(87_600),
  /** What lifts a failure of this dimension; absent: a failure denies. */
  stepUp: stepUp.optional(),
});

export const POLICY_SCHEMA = z
  .strictObject({
    id: z.string().regex(POLICY_ID, 'expected dotted lower-case words, e.g. hospital.outpatient-checkin'),
    version: z.string().regex(SEMVER, 'expected MAJOR.MINOR.PATCH'),
    /** live: decides and answers; shadow: decided next to the live version of its id and logged only. */
    mode: z.enum(['live', 'shadow']),
    title: z.string().min(1).max(200),
    description: z.string().min(1).max(4000).optional(),
    minConfidence: fraction,
    /** Below this confidence the answer is DENY whatever could be stepped up. */
    denyBelowConfidence: fraction.optional(),
    minAssurance: z.enum(ASSURANCE_LEVELS),
    denyReasons: z.array(z.string().regex(REASON_CODE)).max(64),
    dimensions: z.partialRecord(z.enum(DIMENSIONS), dimensionRule),
    stepUp: z.strictObject({ confidence: stepUp.optional(), assurance: stepUp.optional() }).default({}),
    visibility: z.strictObject({
      dimensions: z.array(z.enum(DIMENSIONS)).max(4),
      reasonCodes: z.array(z.string().regex(REASON_CODE)).max(128),
    }),
  })
  .refine((p) => p.denyBelowConfidence === undefined || p.denyBelowConfidence <= p.minConfidence, {
    message: 'denyBelowConfidence must not exceed minConfidence',
    path: ['denyBelowConfidence'],
  });

export type PolicyRules = z.infer<typeof POLICY_SCHEMA>;
export type DimensionRule = z.infer<typeof dimensionRule>;

/** A loaded policy: its validated rules, and the hash that names exactly these rules. */
export interface Policy {
  readonly rules: PolicyRules;
  /** Lower-case hex SHA-256 of the canonical JSON of `rules` (comments and layout do not count). */
  readonly contentHash: string;
  /** File it was loaded from, for messages. */
  readonly source: string;
}
