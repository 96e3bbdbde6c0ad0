import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { extractFeatures } from '../../../src/features/extract-features.js';
import { createCoalescingScorer } from '../../../src/scoring/coalescing-scorer.js';
import { createRulesScorer } from '../../../src/scoring/rules-scorer.js';
import type { Scorer, ScoreInput } from '../../../src/scoring/scorer.js';
import { subjectId, T0 } from '../../support/evidence-factory.js';

const EMPTY = { telecom: [], location: [], biometric: [], registry: [] };

function inputs(count: number): ScoreInput[] {
  return Array.from({ length: count }, (_, i) => ({
    subjectId: subjectId(),
    features: extractFeatures(EMPTY, T0),
    computedAtMs: T0,
    triggerEventId: `event-${i}`,
  }));
}

/** The rules scorer, counting its calls and the rows of each. */
function counted(): Scorer & { calls: number[] } {
  const rules = createRulesScorer();
  const calls: number[] = [];
  return {
    name: rules.name,
    version: rules.version,
    calls,
    score(batch) {
      calls.push(batch.length);
      return rules.score(batch);
    },
  };
}

void describe('createCoalescingScorer', () => {
  void test('one-scoring-call-per-turn: calls of one turn are scored together, each gets its own results', async () => {
    const scorer = counted();
    const coalescing = createCoalescingScorer(scorer);
    const [a, b, c] = [inputs(3), inputs(1), inputs(5)];
    const results = await Promise.all([a, b, c].map((batch) => coalescing.score(batch)));
    assert.deepEqual(scorer.calls, [9], 'one call of all rows');
    [a, b, c].forEach((batch, i) => {
      assert.deepEqual(results[i]?.results, createRulesScorer().score(batch), 'the same as scored alone');
      assert.ok((results[i]?.seconds ?? -1) >= 0);
    });
    await coalescing.score(inputs(2));
    assert.deepEqual(scorer.calls, [9, 2], 'a later turn is a call of its own');
  });

  void test('no rows, no call; a failing scorer fails every batch of its call', async () => {
    const scorer = counted();
    const coalescing = createCoalescingScorer(scorer);
    assert.deepEqual(await coalescing.score([]), { results: [], seconds: 0 });
    assert.deepEqual(scorer.calls, []);
    const broken = createCoalescingScorer({
      name: 'broken',
      version: '0',
      score: () => {
        throw new Error('bug');
      },
    });
    const short = createCoalescingScorer({ name: 'short', version: '0', score: () => [] });
    const both = [broken.score(inputs(1)), broken.score(inputs(2))];
    await Promise.all(both.map((p) => assert.rejects(p, /bug/)));
    await assert.rejects(short.score(inputs(1)), /returned 0 results for 1 inputs/);
  });
});
