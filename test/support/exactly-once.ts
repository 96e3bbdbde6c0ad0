/**
 * The exactly-once checks of the tests that disturb running workers (a SIGKILL, a rebalance): each event
 * of a subject is in its state once, its last version was emitted, and a score id that was produced more
 * than once carries the same record every time; and, for the fault tests, every score id on identity.scores
 * has its anchor event on identity.anchors (counted from records read read_committed).
 */
import assert from 'node:assert/strict';
import type { Codec } from '../../src/codec/codec.js';
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

/** A record as any reader gives it: the value bytes, null for a tombstone. */
export interface ReadRecord {
  readonly value: Buffer | null;
}

/** What the outputs of a disturbed run hold, read after it (read_committed). */
export interface OutputFigures {
  /** Score records on identity.scores, and their distinct score ids. */
  readonly scores: number;
  readonly scoreIds: number;
  /** Score ids with no anchor event on identity.anchors: a score that can never get a receipt. */
  readonly unanchored: number;
  /** Score ids with more than one anchor event. */
  readonly anchoredTwice: number;
}

/** Counts, per score id on `scores`, the anchor events of `anchors` that name it. */
export function outputFigures(
  codec: Codec,
  scores: readonly ReadRecord[],
  anchors: readonly ReadRecord[],
): OutputFigures {
  const anchorsPerScore = new Map<string, number>();
  for (const record of anchors) {
    if (record.value === null) continue;
    const { scoreId } = codec.decode('anchor', record.value);
    anchorsPerScore.set(scoreId, (anchorsPerScore.get(scoreId) ?? 0) + 1);
  }
  const scoreIds = new Set<string>();
  let count = 0;
  for (const record of scores) {
    if (record.value === null) continue;
    count += 1;
    scoreIds.add(codec.decode('score', record.value).scoreId);
  }
  let unanchored = 0;
  let anchoredTwice = 0;
  for (const id of scoreIds) {
    const n = anchorsPerScore.get(id) ?? 0;
    if (n === 0) unanchored += 1;
    if (n > 1) anchoredTwice += 1;
  }
  return { scores: count, scoreIds: scoreIds.size, unanchored, anchoredTwice };
}

/** Every score has its anchor: a score on identity.scores without its anchor event fails. */
export function assertEveryScoreAnchored(figures: OutputFigures): void {
  assert.ok(figures.scores > 0, 'the run produced scores');
  assert.equal(
    figures.unanchored,
    0,
    `${figures.unanchored} of ${figures.scoreIds} score ids have no anchor`,
  );
}
