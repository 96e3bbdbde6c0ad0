/**
 * Deciding for a relying party: find the policy, check the client's scope and its relationship with the
 * subject, read the subject's score as of now, evaluate the live policy (and its shadow versions, logged
 * only), build the decision record, anchor it, and write the audit line.
 *
 * Object-level authorisation (OWASP API1): a client without a live relationship gets `subject-not-found`,
 * exactly what it gets for a subject dmid does not know. The relationship is checked before anything about
 * the subject is read, so that without one the work done (and its time) does not depend on the subject.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AccessStore } from '../access/access-store.js';
import type { Client } from '../access/clients.js';
import type { AnchorEvent } from '../codec/types.js';
import type { AccessAudit } from '../audit/access-audit.js';
import type { Logger } from '../logger.js';
import { decayScore, type HalfLives } from '../scoring/decay.js';
import type { StateStore } from '../state/state-store.js';
import {
  decisionAnchor,
  decisionRecord,
  decisionRecordHash,
  type DecisionRecord,
} from './decision-record.js';
import { evaluatePolicy } from './evaluate-policy.js';
import type { PolicySet } from './policy-loader.js';

export interface DecisionServiceDeps {
  readonly policies: PolicySet;
  readonly store: Pick<StateStore, 'readScore' | 'readState'>;
  readonly access: Pick<AccessStore, 'liveRelationship'>;
  /**
   * The subject's access log: every decision on a subject the party has a relationship with. It writes the
   * party's receipt grant with the record (one Redis round trip for both).
   */
  readonly accessLog: AccessAudit;
  /** How long the party may fetch the receipt of its decision, ms. */
  readonly receiptGrantMs: number;
  /** Produces an anchor to identity.anchors; resolves when it is acknowledged. */
  readonly anchor: (anchor: AnchorEvent) => Promise<void>;
  readonly halfLives: HalfLives;
  /** The audit log: one line per decision, no subject id. */
  readonly audit: Logger;
  /** Counts decisions by policy and outcome. Default: nowhere. */
  readonly onDecided?: (policy: string, outcome: string) => void;
  readonly now?: () => number;
}

export type DecideResult =
  | {
      readonly kind: 'decided';
      readonly record: DecisionRecord;
      readonly recordHash: string;
      readonly anchorId: string;
    }
  | { readonly kind: 'policy-not-found' | 'policy-not-allowed' | 'subject-not-found' };

export interface DecisionService {
  decide(client: Client, subjectId: string, policyId: string): Promise<DecideResult>;
}

export function createDecisionService(deps: DecisionServiceDeps): DecisionService {
  const now = deps.now ?? Date.now;
  return {
    async decide(client, subjectId, policyId) {
      const policy = deps.policies.live(policyId);
      if (policy === undefined) return { kind: 'policy-not-found' };
      if (!client.policies.includes(policyId)) return { kind: 'policy-not-allowed' };
      const decidedAt = now();
      // The relationship first, and nothing else without one: a party that may not see the subject then
      // does the same work (one lookup of its own relationship) whether the subject exists or not, so
      // neither the bytes nor the time of the answer tell the two apart.
      // The person agreed to one purpose: a relationship for another policy is no relationship for this one.
      const relationship = await deps.access.liveRelationship(subjectId, client.id, decidedAt);
      if (relationship === null || relationship.purpose !== policyId) return { kind: 'subject-not-found' };
      const [cached, state] = await Promise.all([
        deps.store.readScore(subjectId),
        deps.store.readState(subjectId),
      ]);
      const logged = {
        subjectId,
        party: client.id,
        purpose: policyId,
        action: 'DECISION' as const,
        at: decidedAt,
      };
      if (cached === null) {
        await deps.accessLog.record({ ...logged, outcome: 'NO_SCORE', ref: null });
        return { kind: 'subject-not-found' };
      }
      const decayed = decayScore(cached.score, decidedAt, deps.halfLives);
      const evaluation = evaluatePolicy(policy, decayed, decidedAt);
      const record = decisionRecord({
        decisionId: randomUUID(),
        decidedAt,
        clientId: client.id,
        policy,
        evaluation,
        stored: cached.score,
        decayed,
        readRawScores: client.readRawScores,
      });
      const recordHash = decisionRecordHash(record);
      // A score outlives nothing it needs: the salt exists while the state does. Should it be gone, a fresh
      // salt still anchors the record; the anchor just cannot be linked to the subject by anyone.
      const salt = state.salt ?? randomBytes(32).toString('hex');
      const anchor = decisionAnchor(record, recordHash, salt);
      // The party received this record: it may fetch its receipt. Logged before it is answered.
      await Promise.all([
        deps.anchor(anchor),
        deps.accessLog.record(
          { ...logged, outcome: evaluation.outcome, ref: record.decisionId },
          { receiptGrantUntil: decidedAt + deps.receiptGrantMs },
        ),
      ]);
      const shadow = deps.policies.shadows(policyId).map((p) => ({
        version: p.rules.version,
        contentHash: p.contentHash,
        outcome: evaluatePolicy(p, decayed, decidedAt).outcome,
      }));
      deps.audit.info(
        {
          audit: 'decision',
          decisionId: record.decisionId,
          anchorId: anchor.anchorId,
          clientId: client.id,
          policy: policyId,
          version: policy.rules.version,
          outcome: evaluation.outcome,
          checks: evaluation.failed.map((f) => f.code),
          ...(shadow.length > 0 ? { shadow } : {}),
        },
        'decision',
      );
      deps.onDecided?.(policyId, evaluation.outcome);
      return { kind: 'decided', record, recordHash, anchorId: anchor.anchorId };
    },
  };
}
