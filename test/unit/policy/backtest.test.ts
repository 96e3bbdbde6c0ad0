import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBacktest } from '../../../src/policy/backtest.js';
import { loadPolicyDir, parsePolicy } from '../../../src/policy/policy-loader.js';
import { identityScore } from '../../support/api-harness.js';
import { goodArrivals, subjectId, T0, telecom, hoursAgo } from '../../support/evidence-factory.js';

const live = loadPolicyDir().live('hospital.outpatient-checkin');
assert.ok(live);
// A draft that also denies a recent SIM swap.
const draft = parsePolicy(
  JSON.stringify({
    ...live.rules,
    version: '1.1.0',
    denyReasons: [...live.rules.denyReasons, 'TEL_SIM_SWAP_RECENT'],
  }),
  'draft.json',
);

void describe('backtest', () => {
  void it('counts outcomes per policy and lists the subjects that flip, by pseudonym', () => {
    const good = subjectId();
    const swapped = subjectId();
    const backtest = createBacktest(draft, live);
    backtest.add(identityScore(good, T0));
    backtest.add(identityScore(swapped, T0 - 1000));
    backtest.add(
      identityScore(swapped, T0, goodArrivals({ telecom: [telecom({ simSwappedAt: hoursAgo(1) })] })),
    );
    const report = backtest.report();
    assert.equal(report.scores, 3);
    assert.equal(report.subjects, 2);
    assert.deepEqual(report.outcomes.live, { ALLOW: 3, STEP_UP: 0, DENY: 0 });
    assert.deepEqual(report.outcomes.draft, { ALLOW: 2, STEP_UP: 0, DENY: 1 });
    assert.deepEqual(
      report.flips.map((f) => [f.subjectId, f.live, f.draft]),
      [[swapped, 'ALLOW', 'DENY']],
    );
    assert.equal(report.draft.version, '1.1.0');
    assert.equal(report.live.contentHash, live.contentHash);
  });

  void it('a later agreeing score does not hide an earlier flip', () => {
    const s = subjectId();
    const backtest = createBacktest(draft, live);
    backtest.add(
      identityScore(s, T0 - 1000, goodArrivals({ telecom: [telecom({ simSwappedAt: hoursAgo(1) })] })),
    );
    backtest.add(identityScore(s, T0));
    assert.equal(backtest.report().flips.length, 1);
  });
});
