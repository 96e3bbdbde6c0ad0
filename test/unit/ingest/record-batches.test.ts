import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it, test } from 'node:test';
import type { ProduceRecord } from '../../../src/ingest/record-batches.js';
import {
  chunkRecords,
  chunkTopicBatches,
  createCoalescingSender,
  createSerialQueue,
  recordBytes,
} from '../../../src/ingest/record-batches.js';

function records(count: number, valueBytes: number): ProduceRecord[] {
  return Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: Buffer.alloc(valueBytes) }));
}

void describe('chunkRecords', () => {
  void test('keeps order and respects the record limit', () => {
    const input = records(7, 1);
    const chunks = [...chunkRecords(input, 3, 1_000_000)];
    assert.deepEqual(
      chunks.map((c) => c.length),
      [3, 3, 1],
    );
    assert.deepEqual(chunks.flat(), input);
  });

  void test('respects the byte limit; an oversized record gets a chunk of its own', () => {
    // Each record is 2 key bytes + 40 value bytes = 42.
    const chunks = [...chunkRecords([...records(5, 40), { key: 'big', value: Buffer.alloc(500) }], 100, 100)];
    assert.deepEqual(
      chunks.map((c) => c.length),
      [2, 2, 1, 1],
    );
  });

  void test('nothing in, nothing out; bad limits are programmer errors', () => {
    assert.deepEqual([...chunkRecords([], 10, 10)], []);
    assert.throws(() => [...chunkRecords([], 0, 10)], RangeError);
    assert.throws(() => [...chunkRecords([], 1, 0)], RangeError);
  });
});

void describe('createSerialQueue', () => {
  void test('tasks of one owner never overlap, and a failure does not block the next', async () => {
    const run = createSerialQueue<object>();
    const owner = {};
    let active = 0;
    let maxActive = 0;
    const task = (fail: boolean) => async () => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      await sleep(5);
      active -= 1;
      if (fail) throw new Error('task failed');
      return 'ok';
    };
    const results = await Promise.allSettled([
      run(owner, task(false)),
      run(owner, task(true)),
      run(owner, task(false)),
    ]);
    assert.equal(maxActive, 1);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
  });

  void test('different owners run side by side', async () => {
    const run = createSerialQueue<object>();
    let active = 0;
    let maxActive = 0;
    const task = async () => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      await sleep(5);
      active -= 1;
    };
    await Promise.all([run({}, task), run({}, task)]);
    assert.equal(maxActive, 2);
  });
});

interface Part {
  readonly topic: string;
  readonly records: readonly number[];
}

void describe('createCoalescingSender', () => {
  const merge = (topic: string, parts: readonly Part[]): Part => ({
    topic,
    records: parts.flatMap((p) => p.records),
  });

  void it('sends calls made while a request is in flight as one request, in call order per topic', async () => {
    const requests: Part[][] = [];
    let release: () => void = () => undefined;
    const send = createCoalescingSender<Part>(async (batches) => {
      requests.push([...batches]);
      if (requests.length === 1) await new Promise<void>((resolve) => (release = resolve));
    }, merge);
    const first = send([{ topic: 'a', records: [1] }]);
    const rest = [
      send([{ topic: 'a', records: [2] }]),
      send([
        { topic: 'b', records: [3] },
        { topic: 'a', records: [4] },
      ]),
    ];
    release();
    await Promise.all([first, ...rest]);
    assert.deepEqual(requests, [
      [{ topic: 'a', records: [1] }],
      [
        { topic: 'a', records: [2, 4] },
        { topic: 'b', records: [3] },
      ],
    ]);
  });

  void it('a failed request rejects every call it carried, and the next calls go out again', async () => {
    let fail = true;
    const send = createCoalescingSender<Part>(
      () => (fail ? Promise.reject(new Error('down')) : Promise.resolve()),
      merge,
    );
    await assert.rejects(send([{ topic: 'a', records: [1] }]), /down/);
    fail = false;
    await send([{ topic: 'a', records: [2] }]);
  });

  void it('splits a backlog into requests of about maxRecordsPerRequest records', async () => {
    const sizes: number[] = [];
    let release: () => void = () => undefined;
    const send = createCoalescingSender<Part>(
      async (batches) => {
        sizes.push(batches.reduce((n, b) => n + b.records.length, 0));
        if (sizes.length === 1) await new Promise<void>((resolve) => (release = resolve));
      },
      merge,
      5,
    );
    const calls = [send([{ topic: 'a', records: [0] }])];
    for (let i = 0; i < 4; i++) calls.push(send([{ topic: 'a', records: [1, 2, 3] }]));
    release();
    await Promise.all(calls);
    assert.deepEqual(sizes, [1, 6, 6]);
  });
});

void describe('chunkTopicBatches', () => {
  const batch = (topic: string, count: number, valueBytes: number) => ({
    topic,
    records: Array.from({ length: count }, (_, i) => ({
      key: `${topic}-${i}`,
      value: Buffer.alloc(valueBytes),
      headers: { h: 'v' },
    })),
  });

  void test('outputs-under-message-max-bytes: every request stays under the limit, nothing lost, order kept', () => {
    const input = [batch('scores', 700, 300), batch('anchors', 700, 200), batch('dlq', 3, 50)];
    const limit = 64 * 1024;
    const requests = chunkTopicBatches(input, limit);
    assert.ok(requests.length > 1, 'split into several requests');
    for (const request of requests) {
      const bytes = request.flatMap((b) => b.records).reduce((sum, r) => sum + recordBytes(r), 0);
      assert.ok(bytes <= limit, `request of ${bytes} bytes`);
    }
    for (const { topic, records } of input) {
      const out = requests.flatMap((r) => r.filter((b) => b.topic === topic).flatMap((b) => b.records));
      assert.deepEqual(out, records, `${topic}: every record once, in order`);
    }
  });

  void test('a record larger than the limit goes in a request of its own; null keys and values count 0', () => {
    const big = { key: 'k', value: Buffer.alloc(2000) };
    const redacted = { key: null, value: null };
    const requests = chunkTopicBatches([{ topic: 't', records: [redacted, big, redacted] }], 1000);
    assert.deepEqual(
      requests.map((r) => r.flatMap((b) => b.records)),
      [[redacted], [big], [redacted]],
    );
    assert.equal(recordBytes(redacted), 0);
    assert.deepEqual(chunkTopicBatches([], 1000), []);
  });
});
