/**
 * The Redis state store on a real Redis: the shared conformance suite (each test on its own random key
 * prefix, deleted afterwards), plus what only Redis has: the key layout, TTLs, script reloading, and how
 * Redis failures surface.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { isDmidError } from '../../../src/errors.js';
import { createRedisStore } from '../../../src/state/redis-store.js';
import { redisFor } from '../../support/redis.js';
import { stateStoreConformance } from '../../support/state-store-conformance.js';
import type { KindedSignal } from '../../../src/state/state-store.js';
import {
  newSubjectId,
  randomKind,
  seededRandom,
  seededUuid,
  signalOf,
  subjectBatch,
} from '../../support/state-signals.js';

const TIMEOUT = { timeout: 30_000 };

stateStoreConformance('Redis', async (t, options = {}) => {
  const { redis, prefix } = await redisFor(t);
  const store = createRedisStore({ redis, keyPrefix: prefix, ...options });
  t.after(() => store.close());
  return { store, advance: (ms: number) => sleep(ms) };
});

// The same semantics when the store keeps evidence copies and Redis leaves windows out of its replies.
stateStoreConformance('Redis with evidence copies', async (t, options = {}) => {
  const { redis, prefix } = await redisFor(t);
  const store = createRedisStore({ redis, keyPrefix: prefix, evidenceCopies: 1_000, ...options });
  t.after(() => store.close());
  return { store, advance: (ms: number) => sleep(ms) };
});

// Several script calls per batch, split at every third subject, and the shape Redis Cluster needs.
for (const subjectsPerCall of [3, 1]) {
  stateStoreConformance(`Redis, ${subjectsPerCall} subject(s) per script call`, async (t, options = {}) => {
    const { redis, prefix } = await redisFor(t);
    const store = createRedisStore({ redis, keyPrefix: prefix, subjectsPerCall, ...options });
    t.after(() => store.close());
    return { store, advance: (ms: number) => sleep(ms) };
  });
}

async function keysMatching(redis: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found.sort();
}

function unavailable(error: unknown): boolean {
  return isDmidError(error, 'DMID_REDIS_UNAVAILABLE') && error.canRetry;
}

void describe('Redis state store only', () => {
  void test(
    'a cached score in the JSON form of before an upgrade keeps its version in the scripts',
    TIMEOUT,
    async (t) => {
      const { redis, prefix } = await redisFor(t);
      const store = createRedisStore({ redis, keyPrefix: prefix });
      t.after(() => store.close());
      const subjectId = newSubjectId();
      const score = {
        scoreId: '00000000-0000-4000-8000-000000000005',
        subjectId,
        computedAt: 1_736_942_400_005,
        confidence: 0.75,
        assuranceLevel: 'SUBSTANTIAL' as const,
        dimensions: [],
        reasons: [],
        modelVersion: 'rules-1',
        triggerEventId: '5d0c4c0e-3f9a-4c1e-9b7a-2f1e8d6c5b4a',
      };
      await redis.set(`${prefix}{${subjectId}}:score`, JSON.stringify({ version: 5, score }));
      assert.deepEqual(await store.readScore(subjectId), { version: 5, score });
      const older = { version: 3, score: { ...score, computedAt: 1_736_942_400_003 } };
      assert.deepEqual(await store.saveScores([older]), [null], 'an older version does not replace it');
      const same = { version: 5, score: { ...score, confidence: 0.5 } };
      assert.deepEqual(await store.saveScores([same]), [{ version: 5, score }], 'the cached one wins');
      const newer = { version: 6, score: { ...score, computedAt: 1_736_942_400_006 } };
      assert.deepEqual(await store.saveScores([newer]), [newer]);
      assert.match(
        (await redis.get(`${prefix}{${subjectId}}:score`)) ?? '',
        /^6:/,
        'rewritten in the new form',
      );
    },
  );

  void test(
    'every key is <prefix>{<subjectId>}:<role> or the store epoch, and nothing is written outside the prefix',
    TIMEOUT,
    async (t) => {
      const { redis, prefix } = await redisFor(t);
      const store = createRedisStore({ redis, keyPrefix: prefix });
      const subjects = [newSubjectId(), newSubjectId()];
      const results = await store.applySignals(
        subjects.map((subjectId) => subjectBatch(subjectId, [signalOf('location', { subjectId })])),
      );
      await store.saveScores(
        results.map((r) => ({ version: r.version, score: { ...scoreShape(), subjectId: r.subjectId } })),
      );
      await store.markEmitted(results.map((r) => ({ subjectId: r.subjectId, version: r.version })));
      const expected = subjects.flatMap((s) =>
        ['score', 'seen', 'state'].map((role) => `${prefix}{${s}}:${role}`),
      );
      const epoch = [`${prefix}{epoch}`, `${prefix}{epoch}:log`];
      assert.deepEqual(await keysMatching(redis, `${prefix}*`), [...expected, ...epoch].sort());
      // A key anywhere in the database that mentions one of these subjects is one of ours.
      for (const subjectId of subjects) {
        const anywhere = await keysMatching(redis, `*${subjectId}*`);
        assert.deepEqual(anywhere, expected.filter((k) => k.includes(subjectId)).sort());
      }
    },
  );

  void test(
    'state and dedupe memory carry stateTtlSeconds, the score scoreTtlSeconds',
    TIMEOUT,
    async (t) => {
      const { redis, prefix } = await redisFor(t);
      const store = createRedisStore({ redis, keyPrefix: prefix, stateTtlSeconds: 600, scoreTtlSeconds: 60 });
      const subjectId = newSubjectId();
      const [result] = await store.applySignals([
        subjectBatch(subjectId, [signalOf('registry', { subjectId })]),
      ]);
      assert.ok(result !== undefined);
      await store.saveScores([{ version: result.version, score: { ...scoreShape(), subjectId } }]);
      const base = `${prefix}{${subjectId}}:`;
      for (const [role, ttlMs] of [
        ['state', 600_000],
        ['seen', 600_000],
        ['score', 60_000],
      ] as const) {
        const pttl = await redis.pttl(`${base}${role}`);
        assert.ok(pttl > ttlMs - 5_000 && pttl <= ttlMs, `${role}: pttl ${pttl}`);
      }
    },
  );

  void test(
    'the dedupe memory never exceeds dedupeSize, so a small one stays in the compact encoding',
    TIMEOUT,
    async (t) => {
      const { redis, prefix } = await redisFor(t);
      const dedupeSize = 100;
      const store = createRedisStore({ redis, keyPrefix: prefix, dedupeSize });
      const subjectId = newSubjectId();
      const signals = Array.from({ length: 250 }, (_, i) => signalOf('biometric', { subjectId, at: i }));
      for (let i = 0; i < signals.length; i += 50) {
        await store.applySignals([subjectBatch(subjectId, signals.slice(i, i + 50))]);
      }
      const seen = `${prefix}{${subjectId}}:seen`;
      assert.equal(await redis.zcard(seen), dedupeSize);
      // A sorted set past zset-max-listpack-entries (128 by default) would be a skiplist for good.
      assert.ok(['listpack', 'ziplist'].includes(String(await redis.object('ENCODING', seen))));
      const newest = await redis.zrange(seen, 0, -1);
      assert.deepEqual(
        newest,
        signals.slice(-dedupeSize).map((s) => s.signal.eventId),
      );
    },
  );

  void test(
    'after SCRIPT FLUSH the scripts are loaded again and the batch still applies once',
    TIMEOUT,
    async (t) => {
      const { redis, prefix } = await redisFor(t);
      const store = createRedisStore({ redis, keyPrefix: prefix });
      const batch = Array.from({ length: 20 }, () => {
        const subjectId = newSubjectId();
        return subjectBatch(subjectId, [signalOf('biometric', { subjectId })]);
      });
      await redis.script('FLUSH');
      const results = await store.applySignals(batch);
      assert.deepEqual(
        results.map((r) => r.version),
        batch.map(() => 1),
      );
      await redis.script('FLUSH');
      await store.markEmitted(results.map((r) => ({ subjectId: r.subjectId, version: r.version })));
      const again = await store.applySignals(batch);
      assert.deepEqual(
        again.map((r) => [r.version, r.emittedVersion]),
        batch.map(() => [1, 1]),
      );
    },
  );

  void test(
    'an unreachable Redis is DMID_REDIS_UNAVAILABLE (retriable) for every operation',
    TIMEOUT,
    async () => {
      // Port 1 on loopback refuses at once; the store owns this client and closes it.
      const store = createRedisStore({ redis: 'redis://127.0.0.1:1' });
      try {
        const subjectId = newSubjectId();
        await assert.rejects(store.ping(), unavailable);
        await assert.rejects(
          store.applySignals([subjectBatch(subjectId, [signalOf('telecom', { subjectId })])]),
          unavailable,
        );
        await assert.rejects(store.readScore(subjectId), unavailable);
        await assert.rejects(store.readState(subjectId), unavailable);
        await assert.rejects(store.markEmitted([{ subjectId, version: 1 }]), unavailable);
        await assert.rejects(
          store.saveScores([{ version: 1, score: { ...scoreShape(), subjectId } }]),
          unavailable,
        );
      } finally {
        await store.close();
      }
    },
  );

  void test(
    'data that is not what the store writes is a bug (plain Error), and its content stays out of the message',
    TIMEOUT,
    async (t) => {
      const { redis, prefix } = await redisFor(t);
      const store = createRedisStore({ redis, keyPrefix: prefix });
      const subjectId = newSubjectId();
      const secret = 'Zhang San 110101199003077777';
      await redis.set(`${prefix}{${subjectId}}:score`, secret);
      await redis.hset(`${prefix}{${subjectId}}:state`, 'location', `[${secret}]`);
      const isBug = (error: unknown) => {
        assert.ok(error instanceof Error && !isDmidError(error), String(error));
        assert.ok(!error.message.includes('Zhang'), error.message);
        return true;
      };
      await assert.rejects(store.readScore(subjectId), isBug);
      await assert.rejects(store.readState(subjectId), isBug);
      await assert.rejects(
        store.applySignals([subjectBatch(subjectId, [signalOf('location', { subjectId })])]),
        isBug,
      );
    },
  );

  void test(
    'lua-arguments-checked-before-writes: a malformed number is refused and nothing is written',
    TIMEOUT,
    async (t) => {
      const { redis, prefix } = await redisFor(t);
      const script = (name: string) =>
        readFileSync(new URL(`../../../src/state/${name}`, import.meta.url), 'utf8');
      const keys = [`${prefix}{s}:state`, `${prefix}{s}:seen`, `${prefix}{s}:score`];
      const salt = 'a'.repeat(64);
      const entry = '["e1",1736942400000,"p",1,2,3,"GNSS"]';
      const apply = (ttl: string, ...subject: string[]) =>
        redis.eval(
          script('apply-signals.lua'),
          3,
          ...keys,
          '512',
          ttl,
          '20',
          '40',
          '20',
          '10',
          ...(subject.length > 0 ? subject : [salt, '', '1', 'location', 'e1', '1736942400000', entry]),
        );
      for (const ttl of ['1e3', '-5', '10.5', '']) {
        await assert.rejects(apply(ttl), /malformed arguments/, `apply, ttl ${JSON.stringify(ttl)}`);
      }
      const event = ['location', 'e1', '1736942400000', entry];
      for (const subject of [
        [salt, '', '2', ...event], // fewer events than it says
        [salt, '', '0', ...event], // more
        [salt, '', '1e0', ...event],
        [salt.slice(1), '', '1', ...event],
        [salt, '', '1', 'postal', 'e1', '1736942400000', entry],
      ]) {
        await assert.rejects(
          apply('600', ...subject),
          /malformed/,
          `apply ${JSON.stringify(subject.slice(2, 4))}`,
        );
      }
      for (const ttl of ['1e3', '-5', '']) {
        await assert.rejects(
          redis.eval(script('save-score.lua'), 1, keys[2] ?? '', ttl, '1', '1:x'),
          /malformed arguments/,
          `save, ttl ${JSON.stringify(ttl)}`,
        );
      }
      await assert.rejects(
        redis.eval(script('save-score.lua'), 1, keys[2] ?? '', '600', '1.5', '1:x'),
        /malformed arguments/,
        'save, version 1.5',
      );
      assert.deepEqual(await redis.keys(`${prefix}*`), [], 'nothing was written');
      await apply('600');
      for (const version of ['1e1', '-1', '2.5', '']) {
        await assert.rejects(
          redis.eval(script('mark-emitted.lua'), 1, keys[0] ?? '', version),
          /malformed version/,
          `mark, version ${JSON.stringify(version)}`,
        );
      }
      assert.equal(await redis.hget(keys[0] ?? '', 'emitted'), '0', 'no emitted version was written');
      assert.deepEqual(await redis.eval(script('mark-emitted.lua'), 1, keys[0] ?? '', '1'), [1]);
      assert.equal(await redis.hget(keys[0] ?? '', 'emitted'), '1');
      assert.ok((await redis.ttl(keys[0] ?? '')) > 590, 'the TTL argument was applied');
    },
  );

  void test(
    'a state written before `emitted` started at 0 is still marked, and an emitted version only rises',
    TIMEOUT,
    async (t) => {
      const { redis, prefix } = await redisFor(t);
      const store = createRedisStore({ redis, keyPrefix: prefix, subjectsPerCall: 2 });
      const [legacy, gone, current] = [newSubjectId(), newSubjectId(), newSubjectId()];
      const [applied] = await store.applySignals([
        subjectBatch(current, [signalOf('telecom', { subjectId: current })]),
      ]);
      assert.equal(applied?.emittedVersion, 0);
      assert.equal(await redis.hget(`${prefix}{${current}}:state`, 'emitted'), '0', 'written with the state');
      // The hash as the script wrote it before: no `emitted` field until the first mark.
      await redis.hset(`${prefix}{${legacy}}:state`, 'ver', '3', 'last', 'e3', 'salt', 'ab'.repeat(32));
      await store.markEmitted([
        { subjectId: legacy, version: 2 },
        { subjectId: gone, version: 1 },
        { subjectId: current, version: 1 },
      ]);
      assert.equal(await redis.hget(`${prefix}{${legacy}}:state`, 'emitted'), '2');
      assert.equal(await redis.exists(`${prefix}{${gone}}:state`), 0, 'an unknown state is not created');
      assert.equal((await store.readState(current)).emittedVersion, 1);
      await store.markEmitted([{ subjectId: legacy, version: 1 }]);
      assert.equal(await redis.hget(`${prefix}{${legacy}}:state`, 'emitted'), '2', 'never lowered');
    },
  );

  void test('bad options are refused before a client is opened (a leaked client would keep this file from exiting)', () => {
    const redis = 'redis://127.0.0.1:1';
    assert.throws(() => createRedisStore({ redis, keyprefix: 'x:' } as never), /unknown option keyprefix/);
    assert.throws(() => createRedisStore({ redis, stateTtlSeconds: -1 }), RangeError);
    assert.throws(() => createRedisStore({ redis, evidenceCopies: -1 }), RangeError);
    for (const subjectsPerCall of [0, 1.5, Number.NaN]) {
      assert.throws(() => createRedisStore({ redis, subjectsPerCall }), RangeError);
    }
    assert.throws(() => createRedisStore({ redis, keyPrefix: 'a{b}:' }), TypeError);
  });
});

void describe('evidence copies (windows left out of the reply)', () => {
  void test(
    'two workers, late and repeated events, full windows: every apply returns the evidence Redis holds',
    { timeout: 60_000 },
    async (t) => {
      const { redis, prefix } = await redisFor(t);
      const one = createRedisStore({ redis, keyPrefix: prefix, evidenceCopies: 1_000 });
      const two = createRedisStore({ redis, keyPrefix: prefix, evidenceCopies: 1_000 });
      t.after(() => Promise.all([one.close(), two.close()]));
      const random = seededRandom(20261124);
      const subjects = [newSubjectId(), newSubjectId(), newSubjectId()];
      const sent = new Map<string, KindedSignal[]>(subjects.map((s) => [s, []]));
      let copiesUsed = 0;
      let previous = new Map<string, Awaited<ReturnType<typeof one.applySignals>>[number]>();
      for (let round = 0; round < 120; round += 1) {
        // Mostly worker one, so its copies are current; sometimes two writes in between.
        const store = random() < 0.8 ? one : two;
        const batch = subjects.map((subjectId) => {
          const old = sent.get(subjectId) ?? [];
          const signals: KindedSignal[] = [];
          for (let i = Math.floor(random() * 4); i >= 0; i -= 1) {
            const repeat = old.length > 0 && random() < 0.2;
            const again = old[Math.floor(random() * old.length)];
            if (repeat && again !== undefined) signals.push(again);
            // Out of order in time: up to an hour back, so full windows also turn events away.
            else
              signals.push(
                signalOf(randomKind(random), {
                  subjectId,
                  at: Math.floor(random() * 3.6e6),
                  eventId: seededUuid(random),
                }),
              );
          }
          old.push(...signals);
          return subjectBatch(subjectId, signals);
        });
        const results = await store.applySignals(batch);
        const next = new Map(previous);
        for (const result of results) {
          const state = await one.readState(result.subjectId);
          assert.deepEqual(result.evidence, state.evidence, `round ${round}: evidence as Redis holds it`);
          assert.equal(result.version, state.version);
          // Windows left out: the unchanged ones are the very arrays of the copy (a parse makes new ones).
          const before = previous.get(result.subjectId);
          if (before !== undefined && store === one) {
            const shared = (['telecom', 'location', 'biometric', 'registry'] as const).some(
              (kind) => before.evidence[kind].length > 0 && result.evidence[kind] === before.evidence[kind],
            );
            if (shared) copiesUsed += 1;
          }
          if (store === one) next.set(result.subjectId, result);
        }
        previous = next;
      }
      assert.ok(copiesUsed > 50, `copies were used (${copiesUsed} times)`);
      const full = await one.readState(subjects[0] ?? '');
      assert.equal(full.evidence.location.length, 32, 'a window filled up on the way');
    },
  );

  void test(
    'after an erasure the copy of before is never used: a new state, new evidence',
    TIMEOUT,
    async (t) => {
      const { redis, prefix } = await redisFor(t);
      const worker = createRedisStore({ redis, keyPrefix: prefix, evidenceCopies: 1_000 });
      const api = createRedisStore({ redis, keyPrefix: prefix, evidenceCopies: 1_000 });
      t.after(() => Promise.all([worker.close(), api.close()]));
      const subjectId = newSubjectId();
      const first = signalOf('telecom', { subjectId, at: 1 });
      await worker.applySignals([subjectBatch(subjectId, [first])]);
      assert.equal(await api.eraseSubject(subjectId), true);
      const second = signalOf('location', { subjectId, at: 2 });
      const [after] = await worker.applySignals([subjectBatch(subjectId, [second])]);
      assert.equal(after?.version, 1);
      assert.deepEqual(after?.evidence, {
        telecom: [],
        location: [second.signal],
        biometric: [],
        registry: [],
      });
    },
  );
});

function scoreShape() {
  return {
    scoreId: '7f1c9f4e-2b6a-4d8e-9c1a-3e5f7a9b1c2d',
    subjectId: '',
    computedAt: 1_736_942_400_000,
    confidence: 0.5,
    assuranceLevel: 'LOW' as const,
    dimensions: [],
    reasons: [],
    modelVersion: 'rules-1',
    triggerEventId: '5d0c4c0e-3f9a-4c1e-9b7a-2f1e8d6c5b4a',
  };
}
