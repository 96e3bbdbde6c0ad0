/**
 * Partition batches handed over together are one unit (batch-units.ts): one state apply, one scoring call,
 * one produce for all of them, and every batch resolves only after its unit's outputs were sent.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { createCodec } from '../../../src/codec/codec.js';
import { topicNames } from '../../../src/config.js';
import { createUnitGatherer } from '../../../src/ingest/batch-units.js';
import type { InboundBatch, RunOptions, TopicRecords, Transport } from '../../../src/ingest/transport.js';
import { createWorker } from '../../../src/ingest/worker.js';
import { createRulesScorer } from '../../../src/scoring/rules-scorer.js';
import type { Scorer } from '../../../src/scoring/scorer.js';
import { createMemoryStore } from '../../../src/state/memory-store.js';
import type { StateStore, SubjectSignals } from '../../../src/state/state-store.js';
import { location, subjectId, T0, telecom } from '../../support/evidence-factory.js';
import { NO_METRICS } from '../../support/pipeline.js';

void describe('createUnitGatherer', () => {
  void test('items of one turn are one unit; a later turn is a unit of its own', async () => {
    const units: number[][] = [];
    const gather = createUnitGatherer<number>((items) => {
      units.push([...items]);
      return Promise.resolve();
    }, 100);
    await Promise.all([1, 2, 3].map((n) => gather(n, 1)));
    await gather(4, 1);
    assert.deepEqual(units, [[1, 2, 3], [4]]);
  });

  void test('a unit closes at maxRecords, and is handled while the next one gathers', async () => {
    const units: number[][] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const gather = createUnitGatherer<number>(async (items) => {
      units.push([...items]);
      if (units.length === 1) await held;
    }, 10);
    const first = [gather(1, 4), gather(2, 6)];
    const second = gather(3, 4);
    assert.deepEqual(units, [[1, 2]], 'the full unit started at once, in this turn');
    await second;
    assert.deepEqual(units, [[1, 2], [3]]);
    release();
    await Promise.all(first);
  });

  void test('a failed unit fails every item of it, and no other', async () => {
    const gather = createUnitGatherer<number>(
      (items) => (items.includes(2) ? Promise.reject(new Error('down')) : Promise.resolve()),
      100,
    );
    const failed = [gather(1, 1), gather(2, 1)];
    await Promise.all(failed.map((p) => assert.rejects(p, /down/)));
    await gather(3, 1);
    assert.throws(() => createUnitGatherer(() => Promise.resolve(), 0), RangeError);
  });
});

/** A transport that hands `batches` to the worker in one turn, as the Kafka transport does with one fetch. */
function oneFetchTransport(batches: readonly InboundBatch[]): Transport & {
  sent: TopicRecords[][];
  handled: Promise<void>;
} {
  const sent: TopicRecords[][] = [];
  let handledAll: (value: Promise<void>) => void = () => undefined;
  const handled = new Promise<void>((resolve) => (handledAll = resolve));
  return {
    sent,
    handled,
    run(options: RunOptions) {
      handledAll(Promise.all(batches.map((b) => options.handle(b))).then(() => undefined));
      return handled;
    },
    send(outputs) {
      sent.push(outputs.filter((o) => o.records.length > 0).map((o) => ({ ...o })));
      return Promise.resolve();
    },
    stop: () => Promise.resolve(),
    status: () => ({ ok: true, detail: 'test' }),
  };
}

void test('one-unit-per-fetch: batches of four partitions cost one apply, one scoring call and one produce', async () => {
  const codec = createCodec();
  const topics = topicNames('');
  const [a, b] = [subjectId(), subjectId()];
  const record = (value: Buffer, key: string, offset: number) => ({
    key: Buffer.from(key),
    value,
    offset: String(offset),
    timestampMs: T0,
  });
  const batch = (topic: string, partition: number, records: InboundBatch['records']): InboundBatch => ({
    topic,
    partition,
    records,
    highWatermark: String(records.length),
    heartbeat: () => Promise.resolve(),
  });
  const batches = [
    batch(topics.telecom, 0, [record(codec.encode('telecom', telecom({ subjectId: a })), a, 0)]),
    batch(topics.location, 3, [record(codec.encode('location', location({ subjectId: a })), a, 0)]),
    batch(topics.telecom, 1, [record(codec.encode('telecom', telecom({ subjectId: b })), b, 0)]),
    batch(topics.location, 5, [record(Buffer.from([0xff, 0xff]), b, 0)]),
  ];
  const memory = createMemoryStore({ now: () => T0 });
  const applied: SubjectSignals[][] = [];
  const store: StateStore = {
    ...memory,
    applySignals(subjects) {
      applied.push([...subjects]);
      return memory.applySignals(subjects);
    },
  };
  const rules = createRulesScorer();
  const calls: number[] = [];
  const scorer: Scorer = {
    name: rules.name,
    version: rules.version,
    score(inputs) {
      calls.push(inputs.length);
      return rules.score(inputs);
    },
  };
  const transport = oneFetchTransport(batches);
  const worker = createWorker({
    transport,
    store,
    scorer,
    codec,
    metrics: NO_METRICS,
    logger: pino({ level: 'silent' }),
    topics,
    groupId: 'unit-test',
    validation: { maxFutureSkewMs: 300_000 },
    now: () => T0,
  });
  await worker.run();
  assert.equal(applied.length, 1, 'one state apply for the whole fetch');
  assert.deepEqual(
    applied[0]?.map((s) => [s.subjectId, s.signals.map((k) => k.kind)]),
    [
      [a, ['telecom', 'location']],
      [b, ['telecom']],
    ],
    'a subject seen on two topics is one entry with both signals',
  );
  assert.deepEqual(calls, [2], 'one scoring call, one row per subject');
  assert.equal(transport.sent.length, 1, 'one produce');
  const byTopic = new Map(transport.sent[0]?.map((o) => [o.topic, o.records.length]));
  assert.deepEqual(
    [byTopic.get(topics.scores), byTopic.get(topics.anchors), byTopic.get(topics.dlq)],
    [2, 2, 1],
    'a score and an anchor per subject, and the bad record dead-lettered in the same produce',
  );
});
