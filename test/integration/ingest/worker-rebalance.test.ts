/**
 * worker-rebalance: a second worker joins the group while the first is handling batches, and later leaves,
 * while events keep arriving: each rebalance moves partitions whose latest batches may not be committed
 * yet (commits go out in the background, kafka-transport.ts), so the new owner redoes them. Every valid
 * event must still be reflected exactly once, every state emitted, and a score id never carry two
 * different records. (The side-by-side benchmark checks the same at scale: bench/compare/scale-out.ts.)
 */
import { test } from 'node:test';
import { goodArrivals, subjectId, T0, type Arrivals } from '../../support/evidence-factory.js';
import { assertEachEventOnce, assertNoConflictingScores } from '../../support/exactly-once.js';
import { startPipeline, waitFor, type TestPipeline } from '../../support/pipeline.js';
import { shiftArrivals } from '../../support/reason-scenarios.js';

async function publishAll(pipeline: TestPipeline, plan: readonly { arrivals: Arrivals }[]): Promise<void> {
  for (const { arrivals } of plan) await pipeline.publish(arrivals);
}

void test('worker-rebalance: a worker joining and leaving mid-stream loses no event and applies none twice', async (t) => {
  const pipeline = await startPipeline(t, { partitions: 6, scorer: 'rules' });
  const scores = pipeline.collect(pipeline.topics.scores);
  const plan = Array.from({ length: 180 }, () => {
    const subject = subjectId();
    return { subject, arrivals: shiftArrivals(goodArrivals(), Date.now() - T0, subject) };
  });
  const [first, second, third] = [plan.slice(0, 60), plan.slice(60, 120), plan.slice(120)];
  const emitted = async (subject: string): Promise<boolean> =>
    (await pipeline.store.readState(subject)).emittedVersion > 0;

  pipeline.startWorker();
  await publishAll(pipeline, first);
  await waitFor(() => emitted(first[0]?.subject ?? ''), 'a first score');
  // The second member joins while the second third streams in: partitions move mid-stream.
  const joining = pipeline.startWorker();
  await publishAll(pipeline, second);
  await waitFor(() => emitted(second[30]?.subject ?? ''), 'the second third under way', 60_000);
  // It leaves while the last third streams in: its partitions move back.
  await Promise.all([publishAll(pipeline, third), joining.stop()]);

  for (const { subject, arrivals } of plan) await assertEachEventOnce(pipeline, subject, arrivals, 60_000);
  assertNoConflictingScores(pipeline, scores);
});
