/**
 * Deciding for a relying party: find the policy, check the client's scope and its relationship with the
 * subject, read the subject's score as of now, evaluate the live policy (and its shadow versions, logged
 * only), build the decision record, anchor it, and write the audit line.
 *
 * Object-level authorisation (OWASP API1): a client without a live relationship gets `subject-not-found`,
 * exactly what it gets for a subject dmid does not know; the relationship, the score and the salt are read
 * together so that neither answer takes a different path through the store.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AccessStore } from '../access/access-store.js';
import type { Client } from '../access/clients.js';
import type { AnchorEvent } from '../codec/types.js';
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
      const [relationship, cached, state] = await Promise.all([
        deps.access.liveRelationship(subjectId, client.id, decidedAt),
        deps.store.readScore(subjectId),
        deps.store.readState(subjectId),
      ]);
      if (relationship === null || cached === null) return { kind: 'subject-not-found' };
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
      await deps.anchor(anchor);
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
