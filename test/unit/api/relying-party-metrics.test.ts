import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createRelyingPartyMetrics } from '../../../src/api/relying-party-metrics.js';

void describe('relying-party metrics', () => {
  void it('counts decisions, refusals, alerts and deliveries under closed labels', async () => {
    const registry = new Registry();
    const metrics = createRelyingPartyMetrics(registry);
    metrics.decided('hospital.outpatient-checkin', 'ALLOW');
    metrics.refused('RATE_LIMITED');
    metrics.alertRaised('DENY_CODE_APPEARED');
    metrics.delivery('retried');
    metrics.delivery('parked');
    const text = await registry.metrics();
    assert.match(text, /dmid_decisions_total\{policy="hospital.outpatient-checkin",outcome="ALLOW"\} 1/);
    assert.match(text, /dmid_relying_party_refusals_total\{code="RATE_LIMITED"\} 1/);
    assert.match(text, /dmid_alerts_raised_total\{kind="DENY_CODE_APPEARED"\} 1/);
    assert.match(text, /dmid_alert_deliveries_total\{result="parked"\} 1/);
    assert.match(text, /dmid_alert_deliveries_parked 1/);
  });
});
