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
 * the collectors of the scores and anchors topics saw one anchor per score record.
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
  await collectors.anchors.until(
    (records) => records.length > 0 && records.length === collectors.scores.records.length,
    'one anchor per score record',
  );
  const anchorIds = new Set(pipeline.anchorsOf(collectors.anchors).map((a) => a.anchorId));
  return { subjects: plan.map((p) => p.subject), anchorIds };
}
