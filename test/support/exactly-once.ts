/**
 * The exactly-once checks of the tests that disturb running workers (a SIGKILL, a rebalance): each event
 * of a subject is in its state once, its last version was emitted, and a score id that was produced more
 * than once carries the same record every time.
 */
import assert from 'node:assert/strict';
import type { IdentityScore } from '../../src/codec/types.js';
import type { Arrivals } from './evidence-factory.js';
import { waitFor, type Collector, type TestPipeline } from './pipeline.js';

/** The event ids of `arrivals`, every kind. */
function eventIds(arrivals: Arrivals): string[] {
  return [arrivals.telecom, arrivals.location, arrivals.biometric, arrivals.registry].flatMap(
    (list) => list?.map((e) => e.eventId) ?? [],
  );
}

/**
 * Waits until `subject`'s state holds every event of `arrivals` and that version was emitted, then checks
 * that each event is in the state exactly once (none lost, none applied twice).
 */
export async function assertEachEventOnce(
  pipeline: TestPipeline,
  subject: string,
  arrivals: Arrivals,
  timeoutMs: number,
): Promise<void> {
  const expected = eventIds(arrivals);
  await waitFor(
    async () => {
      const state = await pipeline.store.readState(subject);
      return state.version === expected.length && state.emittedVersion === expected.length;
    },
    `every event of ${subject} applied and emitted`,
    timeoutMs,
  );
  const { evidence } = await pipeline.store.readState(subject);
  const held = [evidence.telecom, evidence.location, evidence.biometric, evidence.registry]
    .flat()
    .map((e) => e.eventId);
  assert.deepEqual([...held].sort(), [...expected].sort(), 'each event exactly once in state');
}

/** A score produced twice (a batch redone) is the same record, never a different one under its id. */
export function assertNoConflictingScores(pipeline: TestPipeline, scores: Collector): void {
  const byId = new Map<string, IdentityScore>();
  for (const record of scores.records) {
    if (record.value === null) continue;
    const score = pipeline.codec.decode('score', record.value);
    const seen = byId.get(score.scoreId);
    if (seen !== undefined) assert.deepEqual(score, seen, 'a repeated score id carries the same record');
    byId.set(score.scoreId, score);
  }
}
