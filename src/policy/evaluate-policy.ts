/**
 * Policy evaluation: a pure function from a policy and a score (as it reads at the time of the decision)
 * to an outcome. The order is fixed and documented in docs/relying-parties.md:
 *  1. a reason code the policy lists in `denyReasons` is present: DENY;
 *  2. confidence below `denyBelowConfidence`: DENY;
 *  3. every other check (minimum confidence, minimum assurance, per dimension presence, sub-score and
 *     evidence age) is collected; a failing check with no step-up action: DENY; failing checks that all
 *     have one: STEP_UP, naming the actions; none failing: ALLOW.
 */
import type { AssuranceLevel, Dimension, DimensionScore, Reason } from '../codec/types.js';
import { ASSURANCE_LEVELS, DIMENSIONS, type Policy, type StepUpAction } from './policy-schema.js';

export type Outcome = 'ALLOW' | 'STEP_UP' | 'DENY';

/** Why a check failed. Closed list: relying parties branch on it. */
export type CheckCode =
  | 'DENY_REASON_PRESENT'
  | 'CONFIDENCE_BELOW_DENY_FLOOR'
  | 'CONFIDENCE_TOO_LOW'
  | 'ASSURANCE_TOO_LOW'
  | 'DIMENSION_MISSING'
  | 'DIMENSION_TOO_LOW'
  | 'EVIDENCE_STALE';

export interface FailedCheck {
  readonly code: CheckCode;
  /** The dimension checked, for the per-dimension checks. */
  readonly dimension: Dimension | null;
  /** The score's reason code, for DENY_REASON_PRESENT. */
  readonly reasonCode: string | null;
  /** What lifts it; null: nothing, the check denies. */
  readonly stepUp: StepUpAction | null;
}

/** What evaluation needs of a score: read (decayed) at the time of the decision. */
export interface EvaluatedScore {
  readonly confidence: number;
  readonly assuranceLevel: AssuranceLevel;
  readonly dimensions: readonly DimensionScore[];
  readonly reasons: readonly Reason[];
}

export interface Evaluation {
  readonly outcome: Outcome;
  /** Every failed check, in the order above. */
  readonly failed: readonly FailedCheck[];
  /** Actions that would lift a STEP_UP, without repeats; empty otherwise. */
  readonly stepUp: readonly StepUpAction[];
}

const HOUR_MS = 3_600_000;

function rank(level: AssuranceLevel): number {
  return ASSURANCE_LEVELS.indexOf(level);
}

function denyChecks(policy: Policy, score: EvaluatedScore): FailedCheck[] {
  const present = new Set(score.reasons.map((r) => r.code));
  const failed: FailedCheck[] = policy.rules.denyReasons
    .filter((code) => present.has(code))
    .map((code) => ({ code: 'DENY_REASON_PRESENT', dimension: null, reasonCode: code, stepUp: null }));
  const floor = policy.rules.denyBelowConfidence;
  if (floor !== undefined && score.confidence < floor) {
    failed.push({ code: 'CONFIDENCE_BELOW_DENY_FLOOR', dimension: null, reasonCode: null, stepUp: null });
  }
  return failed;
}

function dimensionCheck(
  policy: Policy,
  dimension: Dimension,
  scored: DimensionScore | undefined,
  nowMs: number,
): FailedCheck | null {
  const rule = policy.rules.dimensions[dimension];
  if (rule === undefined) return null;
  const base = { dimension, reasonCode: null, stepUp: rule.stepUp ?? null };
  if (scored === undefined || !scored.present || scored.evidenceAt === null) {
    return { ...base, code: 'DIMENSION_MISSING' };
  }
  if (nowMs - scored.evidenceAt > rule.maxEvidenceAgeHours * HOUR_MS)
    return { ...base, code: 'EVIDENCE_STALE' };
  if (scored.score < rule.minScore) return { ...base, code: 'DIMENSION_TOO_LOW' };
  return null;
}

function otherChecks(policy: Policy, score: EvaluatedScore, nowMs: number): FailedCheck[] {
  const { rules } = policy;
  const failed: FailedCheck[] = [];
  if (score.confidence < rules.minConfidence) {
    failed.push({
      code: 'CONFIDENCE_TOO_LOW',
      dimension: null,
      reasonCode: null,
      stepUp: rules.stepUp.confidence ?? null,
    });
  }
  if (rank(score.assuranceLevel) < rank(rules.minAssurance)) {
    failed.push({
      code: 'ASSURANCE_TOO_LOW',
      dimension: null,
      reasonCode: null,
      stepUp: rules.stepUp.assurance ?? null,
    });
  }
  for (const dimension of DIMENSIONS) {
    const scored = score.dimensions.find((d) => d.dimension === dimension);
    const check = dimensionCheck(policy, dimension, scored, nowMs);
    if (check !== null) failed.push(check);
  }
  return failed;
}

/** Decides `policy` on `score` as read at `nowMs` (epoch ms). */
export function evaluatePolicy(policy: Policy, score: EvaluatedScore, nowMs: number): Evaluation {
  const denied = denyChecks(policy, score);
  if (denied.length > 0) return { outcome: 'DENY', failed: denied, stepUp: [] };
  const failed = otherChecks(policy, score, nowMs);
  if (failed.some((check) => check.stepUp === null)) return { outcome: 'DENY', failed, stepUp: [] };
  if (failed.length === 0) return { outcome: 'ALLOW', failed, stepUp: [] };
  const actions = [...new Set(failed.flatMap((check) => (check.stepUp === null ? [] : [check.stepUp])))];
  return { outcome: 'STEP_UP', failed, stepUp: actions };
}

/** A reason as the relying party sees it: dimension and score reason code only where the policy shows them. */
export interface VisibleReason {
  readonly code: CheckCode;
  readonly dimension: Dimension | null;
  readonly reasonCode: string | null;
}

/** The failed checks, with what the policy does not let the party see left out (set to null). */
export function visibleReasons(policy: Policy, evaluation: Evaluation): VisibleReason[] {
  const dims = new Set<string>(policy.rules.visibility.dimensions);
  const codes = new Set(policy.rules.visibility.reasonCodes);
  return evaluation.failed.map((check) => ({
    code: check.code,
    dimension: check.dimension !== null && dims.has(check.dimension) ? check.dimension : null,
    reasonCode: check.reasonCode !== null && codes.has(check.reasonCode) ? check.reasonCode : null,
  }));
}
