/**
 * Seen only by those entitled (issue 18), on real Kafka and Redis: relationships only from proof (no
 * proof, a forged, expired or other-party token, a capture at another party's point: answered as an
 * unknown subject), the person's revocation, existence not leaking through time on the decision and score
 * routes, one rate limit shared by two API servers (and per source address without a key), and the
 * person's access log listing every access, a tampered record detected.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { createRedisRateLimiter } from '../../../src/access/redis-rate-limiter.js';
import { createMetrics } from '../../../src/api/metrics.js';
import { createApiServer } from '../../../src/api/server.js';
import { subjectCommand } from '../../../src/cli/subject-command.js';
import { openRelyingPartyRedis } from '../../../src/relying-parties.js';
import { DEFAULT_HALF_LIVES_MS } from '../../../src/scoring/decay.js';
import { READY } from '../../support/api-harness.js';
import { captureIo } from '../../support/cli-io.js';
import {
  biometric,
  goodArrivals,
  location,
  registry,
  subjectId,
  T0,
  telecom,
  type Arrivals,
} from '../../support/evidence-factory.js';
import { waitFor } from '../../support/pipeline.js';
import { redisUrl } from '../../support/redis.js';
import {
  consentToken,
  KEYS,
  startRelyingParties,
  type RelyingPartyHarness,
} from '../../support/relying-party-harness.js';
import { Redis } from 'ioredis';
import { pino } from 'pino';

const PENSION = 'social-insurance.pension-eligibility';
const HOSPITAL = 'hospital.outpatient-checkin';

/** A subject with every evidence window full (80 signals), as a well-known person's state is. */
function fullArrivals(): Arrivals {
  const at = (i: number): number => T0 - (i + 1) * 600_000;
  const many = <T>(count: number, make: (i: number) => T): T[] =>
    Array.from({ length: count }, (_, i) => make(i));
  return {
    telecom: many(8, (i) => telecom({ observedAt: at(i) })),
    location: many(32, (i) => location({ observedAt: at(i) })),
    biometric: many(32, (i) => biometric({ observedAt: at(i) })),
    registry: many(8, (i) => registry({ observedAt: at(i) })),
  };
}

function decide(h: RelyingPartyHarness, key: string, subject: string, policy: string) {
  return h.request('POST', '/v1/decisions', { key, body: { subjectId: subject, policy } });
}

/**
 * Sign test over interleaved pairs: under "no difference" the count of pairs where the existing subject
 * was slower is Binomial(n, 1/2). Refused beyond |z| > 3.29: a false alarm rate of 0.1% (two-sided).
 */
async function timingZ(n: number, existing: () => Promise<unknown>, unknown: () => Promise<unknown>) {
  const time = async (f: () => Promise<unknown>): Promise<number> => {
    const start = performance.now();
    await f();
    return performance.now() - start;
  };
  for (let i = 0; i < 40; i++) await (i % 2 === 0 ? existing() : unknown());
  let slower = 0;
  for (let i = 0; i < n; i++) {
    // Random order within each pair: whatever favours the first or second request cancels out.
    let e: number;
    let u: number;
    if (Math.random() < 0.5) {
      e = await time(existing);
      u = await time(unknown);
    } else {
      u = await time(unknown);
      e = await time(existing);
    }
    if (e > u) slower += 1;
  }
  return { slower, z: (slower - n / 2) / Math.sqrt(n / 4) };
}

void test('entitled access (Kafka + Redis)', async (t) => {
  const h = await startRelyingParties(t);
  const known = await h.subject(goodArrivals());
  const unknownAnswer = await decide(h, KEYS.pension, subjectId(), PENSION);
  assert.equal(unknownAnswer.status, 404);

  await t.test(
    'no proof, a forged, expired or other-party token: answered as an unknown subject',
    async () => {
      const forger = generateKeyPairSync('ed25519').privateKey;
      const refused = [
        { subjectId: known, kind: 'CONSENT', expiresAt: Date.now() + 86_400_000 },
        { consentToken: consentToken(KEYS.pension, known, { signer: forger }) },
        { consentToken: consentToken(KEYS.pension, known, { expiresAt: Date.now() - 1 }) },
        { consentToken: consentToken(KEYS.hospital, known) },
        { consentToken: consentToken(KEYS.pension, known, { purpose: HOSPITAL }) },
      ];
      const answers = [];
      for (const body of refused)
        answers.push(await h.request('POST', '/v1/relationships', { key: KEYS.pension, body }));
      assert.equal(answers[0]?.status, 400); // the old body: a party's word is not a proof
      for (const answer of answers.slice(1)) {
        assert.deepEqual([answer.status, answer.text], [unknownAnswer.status, unknownAnswer.text]);
      }
      const after = await decide(h, KEYS.pension, known, PENSION);
      assert.deepEqual([after.status, after.text], [unknownAnswer.status, unknownAnswer.text]);
    },
  );

  await t.test('in person: a fresh live capture at the party’s own point, not at another’s', async () => {
    const elsewhere = await h.subject(goodArrivals());
    const here = await h.subject(goodArrivals());
    const capture = (subject: string, providerId: string) =>
      biometric({ subjectId: subject, providerId, observedAt: Date.now() - 5000 });
    await h.pipeline.publish({
      biometric: [capture(elsewhere, 'kiosk-bank-01'), capture(here, 'kiosk-hospital-07')],
    });
    await waitFor(async () => {
      const [a, b] = await Promise.all([
        h.pipeline.store.readState(elsewhere),
        h.pipeline.store.readState(here),
      ]);
      return a.evidence.biometric.length === 2 && b.evidence.biometric.length === 2;
    }, 'the captures applied');
    const inPerson = (subject: string) =>
      h.request('POST', '/v1/relationships', {
        key: KEYS.hospital,
        body: { subjectId: subject, purpose: HOSPITAL, proof: 'IN_PERSON' },
      });
    const refused = await inPerson(elsewhere);
    assert.deepEqual([refused.status, refused.text], [unknownAnswer.status, unknownAnswer.text]);
    assert.equal((await decide(h, KEYS.hospital, elsewhere, HOSPITAL)).status, 404);
    assert.equal((await inPerson(here)).status, 201);
    assert.equal((await decide(h, KEYS.hospital, here, HOSPITAL)).status, 200);
  });

  await t.test('the person revokes a consent: the party is answered as for an unknown subject', async () => {
    const subject = await h.subject(goodArrivals());
    const token = consentToken(KEYS.pension, subject);
    const relate = () =>
      h.request('POST', '/v1/relationships', { key: KEYS.pension, body: { consentToken: token } });
    assert.equal((await relate()).status, 201);
    assert.equal((await decide(h, KEYS.pension, subject, PENSION)).status, 200);
    const revoked = await h.request('POST', '/v1/consents/revoke', { body: { consentToken: token } });
    assert.equal(revoked.status, 204);
    const after = await decide(h, KEYS.pension, subject, PENSION);
    assert.deepEqual([after.status, after.text], [unknownAnswer.status, unknownAnswer.text]);
    assert.equal((await relate()).status, 404);
  });

  await t.test(
    'without a relationship, nothing about the subject is read: only the relationship',
    async () => {
      // Deterministic twin of the timing test below: the Redis commands a refused request sends, seen with
      // MONITOR. Any read of the subject's score or state would make the work depend on the subject.
      // MONITOR is a command of one server: this test runs on standalone Redis.
      const monitorClient = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
      const monitor = await monitorClient.monitor();
      const touched: string[] = [];
      monitor.on('monitor', (_time: string, args: string[]) => {
        for (const arg of args) if (arg.includes(known)) touched.push(arg.replace(h.pipeline.keyPrefix, ''));
      });
      try {
        assert.equal((await decide(h, KEYS.pension, known, PENSION)).status, 404);
        assert.equal(
          (await h.request('GET', `/v1/subjects/${known}/score`, { key: KEYS.pension })).status,
          404,
        );
        await new Promise((resolve) => setTimeout(resolve, 200));
      } finally {
        monitor.disconnect();
        monitorClient.disconnect();
      }
      assert.deepEqual([...new Set(touched)], [`{${known}}:parties`]);
    },
  );

  await t.test('without a relationship, an existing subject is not slower than an unknown one', async () => {
    const n = 400;
    const full = await h.subject(fullArrivals());
    const fresh = subjectId();
    const decision = await timingZ(
      n,
      () => decide(h, KEYS.pension, full, PENSION),
      () => decide(h, KEYS.pension, fresh, PENSION),
    );
    const score = await timingZ(
      n,
      () => h.request('GET', `/v1/subjects/${full}/score`, { key: KEYS.pension }),
      () => h.request('GET', `/v1/subjects/${fresh}/score`, { key: KEYS.pension }),
    );
    assert.ok(
      Math.abs(decision.z) <= 3.29,
      `decision route: ${decision.slower}/${n} pairs slower, z ${decision.z}`,
    );
    assert.ok(Math.abs(score.z) <= 3.29, `score route: ${score.slower}/${n} pairs slower, z ${score.z}`);
  });

  await t.test(
    'two API servers share one limit in Redis; requests without a valid key are limited too',
    async (tt) => {
      const keyPrefix = `${h.pipeline.keyPrefix}limit-test:`;
      const serve = async () => {
        const redis = openRelyingPartyRedis(redisUrl());
        const api = createApiServer({
          store: h.pipeline.store,
          metrics: createMetrics(),
          readiness: () => READY,
          halfLives: DEFAULT_HALF_LIVES_MS,
          logger: pino({ level: 'silent' }),
          relyingParties: {
            ...h.rp.routes,
            limiter: createRedisRateLimiter({ redis, keyPrefix, ratePerSecond: 1, burst: 6 }),
          },
        });
        tt.after(async () => {
          await api.close();
          await redis.quit();
        });
        return (await api.listen('127.0.0.1', 0)).url;
      };
      const urls = [await serve(), await serve()];
      const started = performance.now();
      let allowed = 0;
      for (let i = 0; i < 16; i++) {
        const response = await fetch(`${urls[i % 2] ?? ''}/v1/decisions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEYS.hospital}`, 'content-type': 'application/json' },
          body: JSON.stringify({ subjectId: subjectId(), policy: HOSPITAL }),
        });
        await response.text();
        if (response.status !== 429) allowed += 1;
      }
      const refills = Math.floor((performance.now() - started) / 1000) + 1;
      // One bucket per process would let 12 through at once (6 each); the shared one 6 and its refills.
      assert.ok(allowed <= 6 + refills && allowed < 12, `${allowed} allowed`);
      const badKey: number[] = [];
      for (let i = 0; i < 10; i++) {
        const response = await fetch(`${urls[i % 2] ?? ''}/v1/subjects/${known}/score`, {
          headers: { authorization: `Bearer ${'x'.repeat(40)}` },
        });
        await response.text();
        badKey.push(response.status);
      }
      assert.ok(badKey.includes(429), badKey.join(','));
      assert.ok(badKey.filter((s) => s === 401).length <= 6 + refills, badKey.join(','));
    },
  );

  await t.test('the access log lists every access to the person, and a tampered record shows', async () => {
    const subject = await h.subject(goodArrivals());
    await h.relate(KEYS.pension, subject);
    assert.equal((await decide(h, KEYS.pension, subject, PENSION)).status, 200);
    assert.equal(
      (await h.request('GET', `/v1/subjects/${subject}/score`, { key: KEYS.pension })).status,
      200,
    );
    assert.equal(
      (await h.request('DELETE', `/v1/relationships/${subject}`, { key: KEYS.pension })).status,
      204,
    );
    // Refused accesses (no relationship any more) touch nothing about the person: not logged for them.
    assert.equal((await decide(h, KEYS.pension, subject, PENSION)).status, 404);
    const env = { DMID_REDIS_URL: redisUrl(), DMID_REDIS_KEY_PREFIX: h.pipeline.keyPrefix };
    const io = captureIo({ env });
    assert.equal(await subjectCommand(['access-log', subject], io), 0, io.out());
    const lines = io.out().trim().split('\n');
    const actions = lines.slice(0, -1).map((l) => l.split(/\s+/).slice(1, 5));
    assert.deepEqual(actions, [
      ['RELATIONSHIP_CREATED', 'pension-office', PENSION, 'CONSENT'],
      ['DECISION', 'pension-office', PENSION, 'ALLOW'],
      ['SCORE_READ', 'pension-office', PENSION, 'SERVED'],
      ['RELATIONSHIP_ENDED', 'pension-office', '-', 'ENDED'],
    ]);
    assert.match(lines.at(-1) ?? '', /^4 records, chain intact$/);
    // An operator edits one record (who decided): the chain breaks there.
    const redis = openRelyingPartyRedis(redisUrl());
    try {
      const key = `${h.pipeline.keyPrefix}{${subject}}:audit`;
      const line = (await redis.lindex(key, 1)) ?? '';
      await redis.lset(key, 1, line.replace('"pension-office"', '"someone-else"'));
    } finally {
      await redis.quit();
    }
    const tampered = captureIo({ env });
    assert.equal(await subjectCommand(['access-log', subject], tampered), 1);
    assert.match(tampered.out(), /chain BROKEN at record 1/);
  });
});
