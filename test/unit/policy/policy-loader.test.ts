import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isDmidError } from '../../../src/errors.js';
import { loadPolicyDir, parsePolicy, policySet } from '../../../src/policy/policy-loader.js';
import { SHIPPED_POLICY_IDS } from '../../support/policy-subjects.js';

const BASE = `id: test.policy
version: 1.0.0
mode: live
title: Test
minConfidence: 0.6
minAssurance: LOW
denyReasons: []
dimensions: {}
visibility: { dimensions: [], reasonCodes: [] }
`;

function refused(text: string, pattern: RegExp): void {
  assert.throws(
    () => parsePolicy(text, 'bad.yaml'),
    (error: unknown) => isDmidError(error, 'DMID_POLICY_INVALID') && pattern.test(error.message),
  );
}

void describe('policy packs', () => {
  void it('the shipped folder has every required policy, live, with a content hash', () => {
    const set = loadPolicyDir();
    for (const id of SHIPPED_POLICY_IDS) {
      const policy = set.live(id);
      assert.ok(policy, id);
      assert.match(policy.contentHash, /^[0-9a-f]{64}$/);
    }
    assert.equal(set.shadows('insurer.claim-payout').length, 1);
  });

  void it('the content hash ignores comments, layout and key order, and changes with a rule', () => {
    const a = parsePolicy(BASE, 'a.yaml');
    const b = parsePolicy(`# a comment\n${BASE.split('\n').reverse().join('\n')}`, 'b.yaml');
    const c = parsePolicy(BASE.replace('minConfidence: 0.6', 'minConfidence: 0.61'), 'c.yaml');
    assert.equal(a.contentHash, b.contentHash);
    assert.notEqual(a.contentHash, c.contentHash);
  });

  void it('refuses an unknown key, also inside a dimension rule', () => {
    refused(`${BASE}minConfidance: 0.7\n`, /unrecognized|minConfidance/i);
    refused(
      BASE.replace(
        'dimensions: {}',
        'dimensions: { BIOMETRIC: { minScore: 0.5, maxEvidenceAgeHours: 1, minimum: 1 } }',
      ),
      /dimensions\.BIOMETRIC/,
    );
  });

  void it('refuses bad values: version, fraction, step-up action, dimension name, YAML', () => {
    refused(BASE.replace('1.0.0', 'v1'), /version/);
    refused(BASE.replace('minConfidence: 0.6', 'minConfidence: 1.5'), /minConfidence/);
    refused(`${BASE}stepUp: { confidence: ASK_NICELY }\n`, /stepUp\.confidence/);
    refused(
      BASE.replace('dimensions: {}', 'dimensions: { FACE: { minScore: 0.5, maxEvidenceAgeHours: 1 } }'),
      /dimensions/,
    );
    refused(`${BASE}denyBelowConfidence: 0.9\n`, /denyBelowConfidence/);
    refused('id: [unclosed', /not valid YAML/);
    refused(`${BASE}title: Twice\n`, /not valid YAML/);
  });

  void it('refuses two live versions of one id, and one id+version twice', () => {
    const v1 = parsePolicy(BASE, 'v1.yaml');
    const v2 = parsePolicy(BASE.replace('1.0.0', '2.0.0'), 'v2.yaml');
    assert.throws(() => policySet([v1, v2]), /second live version/);
    const shadow = parsePolicy(BASE.replace('mode: live', 'mode: shadow'), 's.yaml');
    assert.throws(() => policySet([v1, shadow]), /defined twice/);
  });

  void it('a folder with a broken file does not load', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dmid-policies-'));
    writeFileSync(join(dir, 'ok.yaml'), BASE);
    writeFileSync(join(dir, 'broken.yaml'), `${BASE}extra: 1\n`);
    assert.throws(
      () => loadPolicyDir(dir),
      (e: unknown) => isDmidError(e, 'DMID_POLICY_INVALID'),
    );
  });
});
