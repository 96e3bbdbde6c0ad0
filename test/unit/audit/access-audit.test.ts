/** The access log's hash chain: every record links to the one before; an edit, a gap or a reorder shows. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createMemoryAccessAudit,
  verifyAuditChain,
  type AccessEvent,
} from '../../../src/audit/access-audit.js';
import { subjectId } from '../../support/evidence-factory.js';

const event = (subject: string, i: number): AccessEvent => ({
  subjectId: subject,
  party: 'pension-office',
  purpose: 'social-insurance.pension-eligibility',
  action: i % 2 === 0 ? 'DECISION' : 'SCORE_READ',
  outcome: 'SERVED',
  ref: `r${i}`,
  at: 1000 + i,
});

void describe('access audit chain', () => {
  void it('chains per subject and detects an edit, a removal and a reorder', async () => {
    const audit = createMemoryAccessAudit();
    const s = subjectId();
    const other = subjectId();
    for (let i = 0; i < 5; i++) await audit.record(event(s, i));
    await audit.record(event(other, 0));
    const chain = await audit.read(s);
    assert.equal(chain.length, 5);
    assert.deepEqual(verifyAuditChain(chain), { ok: true });
    assert.equal((await audit.read(other)).length, 1);
    const edited = chain.map((r, i) => (i === 2 ? { ...r, party: 'someone-else' } : r));
    assert.deepEqual(verifyAuditChain(edited), { ok: false, brokenAt: 2 });
    assert.deepEqual(verifyAuditChain([...chain.slice(0, 1), ...chain.slice(2)]), { ok: false, brokenAt: 1 });
    const swapped = [chain[0], chain[2], chain[1], chain[3], chain[4]].filter((r) => r !== undefined);
    assert.deepEqual(verifyAuditChain(swapped), { ok: false, brokenAt: 1 });
  });
});
