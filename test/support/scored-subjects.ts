/** Subjects scored through the test pipeline, for the ledger writer's tests. */
import { goodArrivals, subjectId, T0, type Arrivals } from './evidence-factory.js';
import type { Collector, TestPipeline } from './pipeline.js';
import { waitFor } from './pipeline.js';
import { shiftArrivals } from './reason-scenarios.js';

function eventCount(arrivals: Arrivals): number {
  return [arrivals.telecom, arrivals.location, arrivals.biometric, arrivals.registry].reduce(
    (sum, list) => sum + (list?.length ?? 0),
    0,
  );
}

export interface ScoredRun {
  readonly subjects: readonly string[];
  /** Every anchor the worker produced, distinct by id. */
  readonly anchorIds: ReadonlySet<string>;
}

/**
 * Publishes good evidence for `count` new subjects, waits until the worker scored all of it, and until
 * the collectors of the scores and anchors topics hold every score and anchor the worker produced.
 *
 * How many score records that is depends on how the events fell into units, so it is taken from the
 * worker's own count once every event is emitted (the worker produces nothing more after that). Comparing
 * the two collectors with each other instead (the way this once waited) held too early under load, when
 * both lagged by the same record: the run then missed an anchor, and a test waiting for "a receipt per
 * anchor" waited for a count that was already exceeded, until its deadline.
 */
export async function scoreSubjects(
  pipeline: TestPipeline,
  collectors: { readonly scores: Collector; readonly anchors: Collector },
  count: number,
): Promise<ScoredRun> {
  const delta = Date.now() - T0;
  const plan = Array.from({ length: count }, () => {
    const subject = subjectId();
    return { subject, arrivals: shiftArrivals(goodArrivals(), delta, subject) };
  });
  for (const { arrivals } of plan) await pipeline.publish(arrivals);
  for (const { subject, arrivals } of plan) {
    const events = eventCount(arrivals);
    await waitFor(
      async () => {
        const state = await pipeline.store.readState(subject);
        return state.version === events && state.emittedVersion === events;
      },
      'every event applied and its score emitted',
      90_000,
    );
  }
  const caughtUp = (collector: Collector, what: string): boolean => {
    const emitted = pipeline.scoresEmitted();
    const seen = collector.records.length;
    if (seen > emitted) throw new Error(`${seen} ${what} records on the topic, ${emitted} produced`);
    return seen === emitted;
  };
  await waitFor(
    () => caughtUp(collectors.scores, 'score') && caughtUp(collectors.anchors, 'anchor'),
    'every score and anchor the worker produced on its topic',
  );
  const anchorIds = new Set(pipeline.anchorsOf(collectors.anchors).map((a) => a.anchorId));
  return { subjects: plan.map((p) => p.subject), anchorIds };
}
