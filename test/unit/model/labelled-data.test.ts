import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractFeatures } from '../../../src/features/extract-features.js';
import { FEATURE_COUNT, toVector } from '../../../src/features/feature-vector.js';
import {
  DATA_START_MS,
  dataEndMs,
  generateLabelledData,
  splitSeeds,
  streamOptionsOf,
  type LabelledDataOptions,
} from '../../../src/model/labelled-data.js';
import { createSignalStream } from '../../../src/simulator/stream.js';
import { createMemoryStore } from '../../../src/state/memory-store.js';

const SMALL: LabelledDataOptions = {
  seed: 'unit',
  subjects: 150,
  historyDays: 4,
  episodeDays: 4,
  tailDays: 1,
};

void test('the generator is deterministic: the same seed gives the same rows, labels and baseline', () => {
  const a = generateLabelledData(SMALL);
  const b = generateLabelledData(SMALL);
  assert.ok(a.rows.count > 20, `rows ${a.rows.count}`);
  assert.deepEqual(a.rows.vectors, b.rows.vectors);
  assert.deepEqual(a.rows.fresh, b.rows.fresh);
  assert.deepEqual(a.genuine, b.genuine);
  assert.deepEqual(a.aux, b.aux);
  assert.deepEqual(a.scenario, b.scenario);
  assert.deepEqual(a.rulesConfidence, b.rulesConfidence);
});

void test('train, validation and test sets come from different seeds, so from different people', () => {
  const seeds = splitSeeds('s');
  assert.equal(new Set([seeds.train, seeds.validation, seeds.test]).size, 3);
  const train = generateLabelledData({ ...SMALL, seed: seeds.train });
  const test = generateLabelledData({ ...SMALL, seed: seeds.test });
  assert.notDeepEqual(
    train.rows.vectors.slice(0, FEATURE_COUNT * 5),
    test.rows.vectors.slice(0, FEATURE_COUNT * 5),
  );
});

void test('labels: attack rows exist, auxiliary labels mark only the dimensions the scenario touches', () => {
  const data = generateLabelledData(SMALL);
  let attacks = 0;
  for (let i = 0; i < data.rows.count; i += 1) {
    const aux = Array.from(data.aux.subarray(i * 4, i * 4 + 4));
    if (data.genuine[i] === 1) assert.deepEqual(aux, [1, 1, 1, 1]);
    else {
      attacks += 1;
      assert.notEqual(data.scenario[i], 'ordinary');
      assert.ok(aux.includes(0), `${data.scenario[i]} touches a dimension`);
    }
  }
  assert.ok(attacks > 0);
});

void test('feature-vector-same-as-pipeline: each row equals the vector of the state store twin at that claim', async () => {
  const data = generateLabelledData(SMALL);
  let now = DATA_START_MS;
  const store = createMemoryStore({ now: () => now });
  const end = dataEndMs(SMALL);
  let row = 0;
  for (const event of createSignalStream(streamOptionsOf(SMALL))) {
    if (event.at >= end) break;
    if (!event.valid) continue;
    now = event.at;
    const [state] = await store.applySignals([
      { subjectId: event.record.subjectId, signals: [{ kind: event.kind, signal: event.record }] },
    ]);
    if (event.kind !== 'biometric' || !event.claim || event.at < DATA_START_MS) continue;
    assert.ok(state);
    const vector = toVector(extractFeatures(state.evidence, event.at));
    assert.deepEqual(
      vector,
      data.rows.vectors.slice(row * FEATURE_COUNT, (row + 1) * FEATURE_COUNT),
      `row ${row}`,
    );
    row += 1;
  }
  assert.equal(row, data.rows.count);
  await store.close();
});
