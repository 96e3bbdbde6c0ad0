/**
 * One fault test on the three-broker cluster, start to finish: a pipeline with replicated topics, a
 * `dmid run` worker process, producers under load, the fault (given by the test), and then the figures
 * of the issue, read independently of the Node client (Kafka's Java consumer, read_committed) and from
 * Redis: acknowledged records lost, events applied twice, scores without their anchor, recovery seconds.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import {
  ackedAtLeast,
  figuresLine,
  lostAcked,
  recoverySeconds,
  startLoad,
  stateFigures,
  type Load,
} from './cluster-load.js';
import { startWorkerProcess, type DmidProcess } from './cluster-processes.js';
import { assertEveryScoreAnchored, outputFigures } from './exactly-once.js';
import { readWithJava } from './kafka-cluster.js';
import { startPipeline, waitFor, type TestPipeline } from './pipeline.js';

export interface FaultContext {
  readonly pipeline: TestPipeline;
  readonly load: Load;
  readonly worker: DmidProcess;
}

export interface FaultOutcome {
  /** When the fault began (recovery is measured from there), epoch ms. */
  readonly faultAt: number;
  /** Puts the cluster back whole (restarts what was killed), under load, after recovery. */
  readonly heal: () => Promise<void>;
}

export interface FaultFigures {
  readonly acked: number;
  readonly lost: number;
  readonly doubled: number;
  readonly unscored: number;
  readonly unanchored: number;
  readonly recoverySeconds: number;
}

/**
 * Runs `fault` under load and returns the figures, after asserting them: none lost, none doubled, every
 * subject scored, every score anchored, the worker scoring again within `maxRecoverySeconds`, and the
 * worker process never exited.
 */
export async function runUnderFault(
  t: TestContext,
  name: string,
  fault: (context: FaultContext) => Promise<FaultOutcome>,
  options: { maxRecoverySeconds: number },
): Promise<FaultFigures> {
  const began = Date.now();
  const phases: string[] = [];
  const phase = (what: string): void => {
    phases.push(`${what}@${((Date.now() - began) / 1000).toFixed(1)}`);
  };
  const pipeline = await startPipeline(t, { replicationFactor: 3 });
  const worker = startWorkerProcess(t, pipeline);
  await waitFor(() => worker.started() || worker.exit() !== null, 'the worker to start', 90_000);
  assert.equal(worker.exit(), null, `the worker exited at start: ${worker.stderr()}`);

  phase('worker-up');
  const load = startLoad(pipeline);
  // Bounded: a send the client never settles must not hold the test file open.
  t.after(() => withinMs(load.stop(), 30_000).catch(() => undefined));
  await ackedAtLeast(load, 20);
  phase('fault');
  const { faultAt, heal } = await fault({ pipeline, load, worker });
  let healed = false;
  t.after(async () => {
    if (!healed) await heal();
  });
  // A worker that never recovers still gets its figures counted: NaN fails the check below.
  const recovery = await recoverySeconds(pipeline, load, faultAt, 30_000, () => worker.exit() !== null).catch(
    () => Number.NaN,
  );
  phase('recovered');
  // The cluster made whole again (the killed node back with the data it kept) while the load goes on.
  const healing = heal();
  await ackedAtLeast(load, load.acked.length + 40, 30_000).catch(() => undefined);
  await healing;
  healed = true;
  await withinMs(load.stop(), 60_000);
  phase('healed');

  const { topics } = pipeline;
  const inputTopics = [topics.telecom, topics.location, topics.biometric, topics.registry];
  const lost = lostAcked(pipeline, load.acked, await readWithJava(inputTopics));
  // Nothing to wait for when records are missing or the worker is gone: the figures are final then.
  const broken = lost > 0 || worker.exit() !== null;
  const state = await stateFigures(pipeline, load.acked, broken ? 3_000 : 45_000);
  phase('drained');
  const outputs = await readWithJava([topics.scores, topics.anchors]);
  phase('read');
  const output = outputFigures(
    pipeline.codec,
    outputs.filter((r) => r.topic === topics.scores),
    outputs.filter((r) => r.topic === topics.anchors),
  );
  const figures: FaultFigures = {
    acked: load.acked.length,
    lost,
    doubled: state.doubled,
    unscored: state.unscored,
    unanchored: output.unanchored,
    recoverySeconds: Number(recovery.toFixed(1)),
  };
  t.diagnostic(figuresLine(name, { ...figures, retriedSends: load.retriedSends(), scores: output.scores }));
  t.diagnostic(`phases [${name}]: ${phases.join(' ')}; worker ${worker.exit() ?? 'running'}`);
  const failed =
    lost + state.doubled + state.unscored + output.unanchored > 0 ||
    !(recovery <= options.maxRecoverySeconds);
  if (failed) t.diagnostic(`worker stderr (last 3000 characters):\n${worker.stderr().slice(-3000)}`);

  assert.equal(figures.lost, 0, 'no acknowledged record lost');
  assert.equal(figures.doubled, 0, 'no event applied twice');
  assert.equal(figures.unscored, 0, 'every acknowledged subject scored');
  assertEveryScoreAnchored(output);
  assert.ok(
    recovery <= options.maxRecoverySeconds, // false for NaN: it never recovered
    `the worker scored again ${figures.recoverySeconds} s after the fault (at most ${options.maxRecoverySeconds})`,
  );
  assert.equal(worker.exit(), null, `the worker exited during the fault: ${worker.stderr()}`);
  assert.equal(await worker.stop(), 0, 'SIGTERM stops the worker cleanly');
  return figures;
}

/** `promise`, or a rejection after `ms`. */
function withinMs<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
