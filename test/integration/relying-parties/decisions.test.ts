/**
 * The decision API on real Kafka and Redis: every shipped policy on scripted subjects scored by the
 * pipeline, decisions anchored on identity.anchors, object-level authorisation (no relationship answers
 * like an unknown subject), strict bodies, and the per-client rate limit.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { AnchorEvent } from '../../../src/codec/types.js';
import type { ConsumedRecord } from '../../../src/ingest/kafka-client.js';
import { canonicalJson } from '../../../src/policy/canonical-json.js';
import { goodArrivals, subjectId } from '../../support/evidence-factory.js';
import {
  SCRIPTED_SUBJECTS,
  SHIPPED_POLICY_IDS,
  type ShippedPolicyId,
} from '../../support/policy-subjects.js';
import { KEYS, startRelyingParties, type RelyingPartyHarness } from '../../support/relying-party-harness.js';

const KEY_OF: Readonly<Record<ShippedPolicyId, string>> = {
  'hospital.outpatient-checkin': KEYS.hospital,
  'insurer.claim-payout': KEYS.insurer,
  'social-insurance.pension-eligibility': KEYS.pension,
  'telecom.sim-replacement': KEYS.carrier,
};

async function relate(h: RelyingPartyHarness, key: string, subject: string): Promise<void> {
  await h.relate(key, subject);
}

function field(value: unknown, name: string): unknown {
  assert.ok(typeof value === 'object' && value !== null);
  return Reflect.get(value, name);
}

// One pipeline for all (each costs topics and consumer-group joins); each invariant is its own subtest.
void test('decision API (Kafka + Redis)', async (t) => {
  const h = await startRelyingParties(t);

  await t.test(
    'decides every shipped policy on scripted subjects, and anchors each decision record',
    async () => {
      const anchors = h.pipeline.collect(h.pipeline.topics.anchors);
      const decided: { decisionId: string; recordHash: string }[] = [];
      for (const scripted of SCRIPTED_SUBJECTS) {
        const subject = await h.subject(scripted.arrivals);
        const cached = await h.pipeline.store.readScore(subject);
        for (const policy of SHIPPED_POLICY_IDS) {
          await relate(h, KEY_OF[policy], subject);
          const answer = await h.request('POST', '/v1/decisions', {
            key: KEY_OF[policy],
            body: { subjectId: subject, policy },
          });
          assert.equal(answer.status, 200, answer.text);
          const body = answer.json;
          assert.equal(field(body, 'outcome'), scripted.expected[policy], `${scripted.name}: ${policy}`);
          const live = h.rp.policies.live(policy);
          assert.deepEqual(field(body, 'policy'), {
            id: policy,
            version: live?.rules.version,
            contentHash: live?.contentHash,
          });
          assert.equal(field(field(body, 'score'), 'scoreId'), cached?.score.scoreId);
          // The record is the body without recordHash and anchorId; anyone can hash it again.
          const record = Object.fromEntries(
            Object.entries(body as object).filter(([k]) => k !== 'recordHash' && k !== 'anchorId'),
          );
          const recordHash = createHash('sha256').update(canonicalJson(record)).digest('hex');
          assert.equal(field(body, 'recordHash'), recordHash);
          decided.push({ decisionId: String(field(body, 'decisionId')), recordHash });
        }
      }
      const decisionAnchors = (records: readonly ConsumedRecord[]): AnchorEvent[] =>
        records
          .map((r) => h.pipeline.codec.decode('anchor', r.value ?? Buffer.alloc(0)))
          .filter((a) => a.anchoredRecord === 'DECISION');
      await anchors.until(
        (records) => decisionAnchors(records).length >= decided.length,
        'an anchor for every decision',
      );
      const byDecision = new Map(decisionAnchors(anchors.records).map((a) => [a.decisionId, a.recordHash]));
      for (const d of decided) assert.equal(byDecision.get(d.decisionId), d.recordHash);
      // The audit log has a line per decision; the insurer's carry the shadow policy's outcome, never returned.
      const audited = h.logs().filter((l) => l.audit === 'decision');
      assert.equal(audited.length, decided.length);
      const insurer = audited.filter((l) => l.policy === 'insurer.claim-payout');
      assert.equal(insurer.length, SCRIPTED_SUBJECTS.length);
      for (const line of insurer) assert.equal(field(field(line.shadow, '0'), 'version'), '1.1.0');
    },
  );

  await t.test(
    'a party without a live relationship gets exactly the answer for an unknown subject',
    async () => {
      const known = await h.subject(goodArrivals());
      const ask = (subject: string) =>
        h.request('POST', '/v1/decisions', {
          key: KEYS.pension,
          body: { subjectId: subject, policy: 'social-insurance.pension-eligibility' },
        });
      const unknown = await ask(subjectId());
      const unrelated = await ask(known);
      assert.equal(unknown.status, 404);
      assert.deepEqual([unrelated.status, unrelated.text], [unknown.status, unknown.text]);
      // Another party's relationship opens nothing for this one; an expired one neither.
      await relate(h, KEYS.hospital, known);
      await h.rp.access.putRelationship(known, 'pension-office', {
        kind: 'CONSENT',
        expiresAt: Date.now() - 1,
        purpose: 'social-insurance.pension-eligibility',
        tokenId: null,
      });
      const expired = await ask(known);
      assert.deepEqual([expired.status, expired.text], [unknown.status, unknown.text]);
      // The raw score too: same answer as unknown without a relationship, and only with the scope.
      const read = (subject: string, key: string) =>
        h.request('GET', `/v1/subjects/${subject}/score`, { key });
      const unknownScore = await read(subjectId(), KEYS.pension);
      assert.equal(unknownScore.status, 404);
      const unrelatedScore = await read(known, KEYS.pension);
      assert.deepEqual(
        [unrelatedScore.status, unrelatedScore.text],
        [unknownScore.status, unknownScore.text],
      );
      await relate(h, KEYS.pension, known);
      assert.equal((await ask(known)).status, 200);
      assert.equal((await read(known, KEYS.pension)).status, 200);
      assert.equal((await read(known, KEYS.hospital)).status, 403);
      assert.equal((await h.request('GET', `/v1/subjects/${known}/score`)).status, 401);
      assert.ok(!h.logText().includes(known), 'no subject id in any log line');
    },
  );

  await t.test(
    'refuses unknown properties, large bodies, malformed ids, missing keys and foreign policies',
    async () => {
      const subject = subjectId();
      const decide = (body: unknown, key: string | null = KEYS.hospital) =>
        h.request('POST', '/v1/decisions', { ...(key === null ? {} : { key }), body });
      const code = (a: { json: unknown }): unknown => field(field(a.json, 'error'), 'code');
      const policy = 'hospital.outpatient-checkin';

      const extra = await decide({ subjectId: subject, policy, purpose: 'x' });
      assert.deepEqual([extra.status, code(extra)], [400, 'BODY_PROPERTY_UNKNOWN']);
      const large = await h.request('POST', '/v1/decisions', {
        key: KEYS.hospital,
        raw: JSON.stringify({ subjectId: subject, policy, pad: 'x'.repeat(4096) }),
      });
      assert.deepEqual([large.status, code(large)], [413, 'PAYLOAD_TOO_LARGE']);
      const malformed = await decide({ subjectId: 'NOT-A-PSEUDONYM', policy });
      assert.deepEqual([malformed.status, code(malformed)], [400, 'SUBJECT_ID_MALFORMED']);
      const raw = await decide({ subjectId: '11010519491231002X', policy });
      assert.deepEqual([raw.status, code(raw)], [400, 'SUBJECT_ID_MALFORMED']);
      assert.ok(!raw.text.includes('11010519491231002X') && !h.logText().includes('11010519491231002X'));
      const missing = await decide({ subjectId: subject });
      assert.deepEqual([missing.status, code(missing)], [400, 'BODY_INVALID']);
      const wrongType = await decide({ subjectId: subject, policy: 7 });
      assert.deepEqual([wrongType.status, code(wrongType)], [400, 'BODY_INVALID']);
      const anonymous = await decide({ subjectId: subject, policy }, null);
      assert.deepEqual([anonymous.status, code(anonymous)], [401, 'UNAUTHENTICATED']);
      const badKey = await decide({ subjectId: subject, policy }, 'x'.repeat(40));
      assert.deepEqual([badKey.status, code(badKey)], [401, 'UNAUTHENTICATED']);
      const foreign = await decide({ subjectId: subject, policy: 'insurer.claim-payout' });
      assert.deepEqual([foreign.status, code(foreign)], [403, 'POLICY_NOT_ALLOWED']);
      const unknown = await decide({ subjectId: subject, policy: 'no.such-policy' });
      assert.deepEqual([unknown.status, code(unknown)], [404, 'POLICY_NOT_FOUND']);
      // The party's word alone is no longer a relationship (issue 18): the old body is refused.
      const relationship = await h.request('POST', '/v1/relationships', {
        key: KEYS.hospital,
        body: { subjectId: subject, kind: 'CONSENT', expiresAt: Date.now() + 86_400_000 },
      });
      assert.deepEqual([relationship.status, code(relationship)], [400, 'BODY_PROPERTY_UNKNOWN']);
    },
  );

  await t.test(
    'answers 429 with Retry-After once a client is over its rate limit, other clients unaffected',
    async () => {
      // Practically no refill during the test: the 4th request is over the limit however slow the machine.
      const request = await h.limited(0.01, 3);
      const body = { subjectId: subjectId(), policy: 'hospital.outpatient-checkin' };
      const statuses: number[] = [];
      let limited: { headers: Headers; json: unknown } | undefined;
      for (let i = 0; i < 4; i += 1) {
        const answer = await request('POST', '/v1/decisions', { key: KEYS.hospital, body });
        statuses.push(answer.status);
        if (answer.status === 429) limited = answer;
      }
      assert.deepEqual(statuses, [404, 404, 404, 429]);
      assert.ok(limited);
      assert.ok(Number(limited.headers.get('retry-after')) >= 1);
      assert.equal(field(field(limited.json, 'error'), 'code'), 'RATE_LIMITED');
      const other = await request('POST', '/v1/decisions', {
        key: KEYS.insurer,
        body: { ...body, policy: 'insurer.claim-payout' },
      });
      assert.equal(other.status, 404);
    },
  );
});
