import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DimensionScore, Reason } from '../../../src/codec/types.js';
import { evaluatePolicy, visibleReasons, type EvaluatedScore } from '../../../src/policy/evaluate-policy.js';
import { loadPolicyDir, parsePolicy } from '../../../src/policy/policy-loader.js';
import { scoreOf, T0 } from '../../support/evidence-factory.js';
import { SCRIPTED_SUBJECTS, SHIPPED_POLICY_IDS } from '../../support/policy-subjects.js';

const HOUR = 3_600_000;

const POLICY = parsePolicy(
  `
id: test.policy
version: 1.0.0
mode: live
title: Test
minConfidence: 0.6
denyBelowConfidence: 0.2
minAssurance: SUBSTANTIAL
denyReasons: [REG_DECEASED]
dimensions:
  BIOMETRIC: { minScore: 0.7, maxEvidenceAgeHours: 24, stepUp: FRESH_BIOMETRIC_CAPTURE }
  REGISTRY: { minScore: 0.5, maxEvidenceAgeHours: 100 }
stepUp: { confidence: FRESH_BIOMETRIC_CAPTURE, assurance: IN_PERSON_VERIFICATION }
visibility: { dimensions: [BIOMETRIC], reasonCodes: [] }
`,
  'test.yaml',
);

function dim(dimension: DimensionScore['dimension'], score: number, ageHours: number | null): DimensionScore {
  return {
    dimension,
    score,
    present: ageHours !== null,
    evidenceAt: ageHours === null ? null : T0 - ageHours * HOUR,
    weight: 0.25,
  };
}

function score(overrides: Partial<EvaluatedScore> = {}): EvaluatedScore {
  return {
    confidence: 0.9,
    assuranceLevel: 'HIGH',
    dimensions: [
      dim('TELECOM', 0.9, 1),
      dim('LOCATION', 0.9, 1),
      dim('BIOMETRIC', 0.9, 1),
      dim('REGISTRY', 0.9, 1),
    ],
    reasons: [],
    ...overrides,
  };
}

const reason = (code: string): Reason => ({ code, dimension: 'REGISTRY', impact: -0.5, logOdds: 0 });

void describe('policy evaluation', () => {
  void it('ALLOW when every check holds', () => {
    const e = evaluatePolicy(POLICY, score(), T0);
    assert.deepEqual(e, { outcome: 'ALLOW', failed: [], stepUp: [] });
  });

  void it('DENY on a deny code, whatever else holds', () => {
    const e = evaluatePolicy(POLICY, score({ reasons: [reason('REG_DECEASED')] }), T0);
    assert.equal(e.outcome, 'DENY');
    assert.deepEqual(
      e.failed.map((f) => [f.code, f.reasonCode]),
      [['DENY_REASON_PRESENT', 'REG_DECEASED']],
    );
  });

  void it('DENY below the confidence floor, even where a step-up exists', () => {
    const e = evaluatePolicy(POLICY, score({ confidence: 0.1 }), T0);
    assert.equal(e.outcome, 'DENY');
    assert.equal(e.failed[0]?.code, 'CONFIDENCE_BELOW_DENY_FLOOR');
  });

  void it('STEP_UP names what lifts each failing check, once', () => {
    const e = evaluatePolicy(
      POLICY,
      score({
        confidence: 0.5,
        assuranceLevel: 'LOW',
        dimensions: [dim('BIOMETRIC', 0.5, 1), dim('REGISTRY', 0.9, 1)],
      }),
      T0,
    );
    assert.equal(e.outcome, 'STEP_UP');
    assert.deepEqual(
      e.failed.map((f) => f.code),
      ['CONFIDENCE_TOO_LOW', 'ASSURANCE_TOO_LOW', 'DIMENSION_TOO_LOW'],
    );
    assert.deepEqual(e.stepUp, ['FRESH_BIOMETRIC_CAPTURE', 'IN_PERSON_VERIFICATION']);
  });

  void it('stale evidence fails its dimension: STEP_UP where the policy names a step-up', () => {
    const e = evaluatePolicy(
      POLICY,
      score({ dimensions: [dim('BIOMETRIC', 0.95, 25), dim('REGISTRY', 0.9, 1)] }),
      T0,
    );
    assert.equal(e.outcome, 'STEP_UP');
    assert.deepEqual(
      e.failed.map((f) => [f.code, f.dimension]),
      [['EVIDENCE_STALE', 'BIOMETRIC']],
    );
  });

  void it('evidence exactly as old as allowed still holds', () => {
    const e = evaluatePolicy(
      POLICY,
      score({ dimensions: [dim('BIOMETRIC', 0.95, 24), dim('REGISTRY', 0.9, 1)] }),
      T0,
    );
    assert.equal(e.outcome, 'ALLOW');
  });

  void it('a missing dimension without a step-up denies', () => {
    const e = evaluatePolicy(
      POLICY,
      score({ dimensions: [dim('BIOMETRIC', 0.95, 1), dim('REGISTRY', 0, null)] }),
      T0,
    );
    assert.equal(e.outcome, 'DENY');
    assert.deepEqual(
      e.failed.map((f) => [f.code, f.dimension, f.stepUp]),
      [['DIMENSION_MISSING', 'REGISTRY', null]],
    );
  });

  void it('a dimension absent from the score counts as missing', () => {
    const e = evaluatePolicy(POLICY, score({ dimensions: [dim('REGISTRY', 0.9, 1)] }), T0);
    assert.equal(e.outcome, 'STEP_UP');
    assert.deepEqual(
      e.failed.map((f) => [f.code, f.dimension]),
      [['DIMENSION_MISSING', 'BIOMETRIC']],
    );
  });

  void it('a stale registry beyond its age denies (no step-up), and stale wins over a low sub-score', () => {
    const e = evaluatePolicy(
      POLICY,
      score({ dimensions: [dim('BIOMETRIC', 0.9, 1), dim('REGISTRY', 0.1, 101)] }),
      T0,
    );
    assert.equal(e.outcome, 'DENY');
    assert.equal(e.failed[0]?.code, 'EVIDENCE_STALE');
  });

  void it('visible reasons leave out dimensions and codes the policy does not show', () => {
    const withDeny = evaluatePolicy(POLICY, score({ reasons: [reason('REG_DECEASED')] }), T0);
    assert.deepEqual(visibleReasons(POLICY, withDeny), [
      { code: 'DENY_REASON_PRESENT', dimension: null, reasonCode: null },
    ]);
    const missing = evaluatePolicy(
      POLICY,
      score({ dimensions: [dim('BIOMETRIC', 0.5, 1), dim('REGISTRY', 0, null)] }),
      T0,
    );
    assert.deepEqual(visibleReasons(POLICY, missing), [
      { code: 'DIMENSION_TOO_LOW', dimension: 'BIOMETRIC', reasonCode: null },
      { code: 'DIMENSION_MISSING', dimension: null, reasonCode: null },
    ]);
  });
});

void describe('shipped policies on scripted subjects (rules scores at T0)', () => {
  const shipped = loadPolicyDir();
  for (const subject of SCRIPTED_SUBJECTS) {
    void it(subject.name, () => {
      const s = scoreOf(subject.arrivals, T0);
      for (const id of SHIPPED_POLICY_IDS) {
        const policy = shipped.live(id);
        assert.ok(policy, id);
        assert.equal(evaluatePolicy(policy, s, T0).outcome, subject.expected[id], id);
      }
    });
  }
});
