import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import type { ProduceRecord } from '../../../src/ingest/record-batches.js';
import { chunkRecords, createSerialQueue } from '../../../src/ingest/record-batches.js';

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
