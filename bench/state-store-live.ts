/**
 * One-off measurement of the state store under live load (not a test: nothing is asserted): what one
 * score costs Redis and Node when nearly every record makes its own score, as in the open-loop load of
 * `npm run bench -- --compare` (0.97–0.99 scores per record there).
 *
 *   DMID_REDIS_URL=redis://127.0.0.1:6379 npx tsx bench/state-store-live.ts [units] [unitSubjects] [eventsPerSubject]
 *
 * Defaults: 2,000 units of 80 subjects × 1 event, each subject living for 5 events (like the benchmark
 * population's short-lived subjects), after 300 warm-up units. Each unit does what the worker does:
 * applySignals, saveScores (a real encoded score record), markEmitted. Prints subjects/s, Node CPU per
 * subject for each step, and Redis's CPU and Lua time per subject (INFO cpu and commandstats: only clean
 * on a Redis nobody else uses meanwhile). SKIP=save,mark leaves steps out, to see what each costs Redis;
 * SUBJECTS_PER_CALL=n sets the store's subjectsPerCall.
 * Deletes its keys (prefix `bench:<hex>:`).
 *
 * For counts that do not drift with the machine, run it against a Redis under callgrind, e.g.
 *   valgrind --tool=callgrind redis-server --port 6390 --save '' --appendonly no
 * and divide the instructions by the subjects (warm-up included). On 2026-11-24: 295,000 per subject
 * (apply 200,000, save 61,000, mark 34,000) with one script call per subject and step; 284,000 once
 * numbers went to the scripts as strings; 208,000 (apply 150,000) with 32 subjects per call.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { createCodec } from '../src/codec/codec.js';
import type { IdentityScore } from '../src/codec/types.js';
import { createRedisStore } from '../src/state/redis-store.js';
import type { CachedScore, SubjectSignals } from '../src/state/state-store.js';
import { signal, subjectId } from './bench-signals.js';
import { deleteKeys } from './bench-support.js';

const WARM_UP_UNITS = 300;
/** Subjects alive at once; a new one replaces one that had all its events. */
const LIVE_SUBJECTS = 500;

function scoreOf(subject: string): IdentityScore {
  const dimensions = (['TELECOM', 'LOCATION', 'BIOMETRIC', 'REGISTRY'] as const).map((dimension) => ({
    dimension,
    score: 0.71,
    present: true,
    evidenceAt: Date.now(),
    weight: 0.25,
  }));
  return {
    scoreId: randomUUID(),
    subjectId: subject,
    computedAt: Date.now(),
    confidence: 0.8123,
    assuranceLevel: 'SUBSTANTIAL',
    dimensions,
    reasons: [{ code: 'BIOMETRIC_STRONG_MATCH', dimension: 'BIOMETRIC', impact: 0.05, logOdds: 0 }],
    modelVersion: 'identity-fusion-1.0.0',
    triggerEventId: randomUUID(),
  };
}

async function redisCounters(redis: Redis): Promise<{ cpuSeconds: number; luaUsec: number }> {
  const cpu = await redis.info('cpu');
  const stats = await redis.info('commandstats');
  const user = Number(/used_cpu_user:([\d.]+)/.exec(cpu)?.[1] ?? 0);
  const sys = Number(/used_cpu_sys:([\d.]+)/.exec(cpu)?.[1] ?? 0);
  return {
    cpuSeconds: user + sys,
    luaUsec: Number(/cmdstat_evalsha:calls=\d+,usec=(\d+)/.exec(stats)?.[1] ?? 0),
  };
}

async function main(): Promise<void> {
  const url = process.env.DMID_REDIS_URL;
  if (url === undefined || url === '') throw new Error('set DMID_REDIS_URL');
  const [units = 2_000, unitSubjects = 80, eventsPerSubject = 5] = process.argv.slice(2).map(Number);
  const skip = (process.env.SKIP ?? '').split(',');
  const codec = createCodec();
  const redis = new Redis(url);
  const prefix = `bench:${randomBytes(4).toString('hex')}:`;
  const perCall = process.env.SUBJECTS_PER_CALL;
  const store = createRedisStore({
    redis,
    keyPrefix: prefix,
    ...(perCall === undefined ? {} : { subjectsPerCall: Number(perCall) }),
  });
  const live: { id: string; events: number }[] = [];
  const nextUnit = (): SubjectSignals[] =>
    Array.from({ length: unitSubjects }, () => {
      let subject = live.length >= LIVE_SUBJECTS ? live[Math.floor(Math.random() * live.length)] : undefined;
      if (subject === undefined || subject.events >= eventsPerSubject) {
        subject = { id: subjectId(), events: 0 };
        live.push(subject);
        if (live.length > LIVE_SUBJECTS) live.shift();
      }
      subject.events += 1;
      return { subjectId: subject.id, signals: [signal(subject.id, subject.events)] };
    });
  const usec = { apply: 0, save: 0, mark: 0 };
  const timed = async (step: keyof typeof usec, measure: boolean, call: () => Promise<unknown>) => {
    const start = process.cpuUsage();
    await call();
    const spent = process.cpuUsage(start);
    if (measure) usec[step] += spent.user + spent.system;
  };
  const unit = async (measure: boolean): Promise<void> => {
    let states: Awaited<ReturnType<typeof store.applySignals>> = [];
    await timed('apply', measure, async () => {
      states = await store.applySignals(nextUnit());
    });
    const scores: CachedScore[] = states.map((state) => {
      const score = scoreOf(state.subjectId);
      return { version: state.version, score, record: codec.encode('score', score) };
    });
    if (!skip.includes('save')) await timed('save', measure, () => store.saveScores(scores));
    const marks = states.map(({ subjectId: id, version }) => ({ subjectId: id, version }));
    if (!skip.includes('mark')) await timed('mark', measure, () => store.markEmitted(marks));
  };
  try {
    for (let i = 0; i < WARM_UP_UNITS; i += 1) await unit(false);
    const before = await redisCounters(redis);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < units; i += 1) await unit(true);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const after = await redisCounters(redis);
    const subjects = units * unitSubjects;
    const perSubject = (value: number) => Math.round((value / subjects) * 10) / 10;
    console.log(
      JSON.stringify(
        {
          units,
          unitSubjects,
          eventsPerSubject,
          skipped: skip.filter((s) => s !== ''),
          subjectsPerSecond: Math.round(subjects / seconds),
          nodeCpuUsecPerSubject: {
            all: perSubject(cpu.user + cpu.system),
            apply: perSubject(usec.apply),
            save: perSubject(usec.save),
            mark: perSubject(usec.mark),
          },
          redisCpuUsecPerSubject: perSubject((after.cpuSeconds - before.cpuSeconds) * 1e6),
          luaUsecPerSubject: perSubject(after.luaUsec - before.luaUsec),
        },
        null,
        2,
      ),
    );
  } finally {
    await deleteKeys(redis, prefix);
    await store.close();
    await redis.quit();
  }
}

await main();
