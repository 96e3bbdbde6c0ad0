/**
 * Decision records: what a relying party is told, in a form anyone holding it can hash again.
 *
 * The record is exactly the body `POST /v1/decisions` answers, without `recordHash` and `anchorId`:
 * `recordHash` = SHA-256 of the record's canonical JSON (canonical-json.ts), and an AnchorEvent with
 * `anchoredRecord: DECISION` commits to that hash on `identity.anchors`, so the decision is provable later
 * (the ledger receipt of the anchor proves the record existed at that time, unchanged).
 */
import { createHash } from 'node:crypto';
import { subjectCommitment } from '../anchor/commitment.js';
import { deterministicUuid } from '../anchor/ids.js';
import type { AnchorEvent, AssuranceLevel, Dimension, IdentityScore } from '../codec/types.js';
import { canonicalJson } from './canonical-json.js';
import type { Evaluation, Outcome, VisibleReason } from './evaluate-policy.js';
import { visibleReasons } from './evaluate-policy.js';
import type { Policy, StepUpAction } from './policy-schema.js';

/** The score a decision was computed from, as far as the party may see it. */
export interface DecisionScore {
  readonly scoreId: string;
  /** When the pipeline computed it, epoch ms. */
  readonly scoredAt: number;
  readonly modelVersion: string;
  /** As read at the decision (decayed). */
  readonly assuranceLevel: AssuranceLevel;
  /** Null unless the client may read raw scores. */
  readonly confidence: number | null;
  /** Sub-scores of the dimensions the policy shows; empty unless the client may read raw scores. */
  readonly dimensions: readonly {
    readonly dimension: Dimension;
    readonly score: number;
    readonly evidenceAt: number | null;
  }[];
}

export interface DecisionRecord {
  readonly decisionId: string;
  /** Epoch ms. */
  readonly decidedAt: number;
  readonly clientId: string;
  readonly subjectId: string;
  readonly policy: { readonly id: string; readonly version: string; readonly contentHash: string };
  readonly outcome: Outcome;
  readonly reasons: readonly VisibleReason[];
  /** What would lift a STEP_UP; empty otherwise. */
  readonly stepUp: readonly StepUpAction[];
  readonly score: DecisionScore;
}

export interface DecisionInput {
  readonly decisionId: string;
  readonly decidedAt: number;
  readonly clientId: string;
  readonly policy: Policy;
  readonly evaluation: Evaluation;
  /** The stored score. */
  readonly stored: IdentityScore;
  /** The score as read at `decidedAt`. */
  readonly decayed: Pick<IdentityScore, 'confidence' | 'assuranceLevel' | 'dimensions'>;
  readonly readRawScores: boolean;
}

export function decisionRecord(input: DecisionInput): DecisionRecord {
  const { policy, stored, decayed } = input;
  const shown = new Set<string>(policy.rules.visibility.dimensions);
  return {
    decisionId: input.decisionId,
    decidedAt: input.decidedAt,
    clientId: input.clientId,
    subjectId: stored.subjectId,
    policy: { id: policy.rules.id, version: policy.rules.version, contentHash: policy.contentHash },
    outcome: input.evaluation.outcome,
    reasons: visibleReasons(policy, input.evaluation),
    stepUp: input.evaluation.stepUp,
    score: {
      scoreId: stored.scoreId,
      scoredAt: stored.computedAt,
      modelVersion: stored.modelVersion,
      assuranceLevel: decayed.assuranceLevel,
      confidence: input.readRawScores ? decayed.confidence : null,
      dimensions: input.readRawScores
        ? decayed.dimensions
            .filter((d) => shown.has(d.dimension))
            .map((d) => ({ dimension: d.dimension, score: d.score, evidenceAt: d.evidenceAt }))
        : [],
    },
  };
}

export function decisionRecordHash(record: DecisionRecord): string {
  return createHash('sha256').update(canonicalJson(record), 'utf8').digest('hex');
}

/** The anchor of a decision record; `saltHex` is the subject's salt (see src/anchor/commitment.ts). */
export function decisionAnchor(record: DecisionRecord, recordHash: string, saltHex: string): AnchorEvent {
  return {
    anchorId: deterministicUuid(`anchor:decision:${record.decisionId}`),
    scoreId: record.score.scoreId,
    recordHash,
    subjectCommitment: subjectCommitment(saltHex, record.subjectId),
    computedAt: record.decidedAt,
    modelVersion: record.score.modelVersion,
    anchoredRecord: 'DECISION',
    decisionId: record.decisionId,
  };
}
