/**
 * worker-killed-during-backlog (issue 16): with a backlog on the three-broker cluster and a
 * `dmid ledger-writer` running, a `dmid run` worker is SIGKILLed three times while it works through it,
 * then one runs to the end. Every event is applied once, and every score on identity.scores (read
 * read_committed by Kafka's own Java consumer) has exactly one anchor on identity.anchors and exactly one
 * receipt on identity.anchor-receipts.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseReceipt } from '../../../src/anchor/receipt.js';
import { tempDir } from '../../support/anchors.js';
import { eventIdsOf, figuresLine, stateFigures, type AckedSubject } from '../../support/cluster-load.js';
import { startLedgerWriterProcess, startWorkerProcess } from '../../support/cluster-processes.js';
import { goodArrivals, subjectId, T0, type Arrivals } from '../../support/evidence-factory.js';
import { outputFigures } from '../../support/exactly-once.js';
import { readWithJava } from '../../support/kafka-cluster.js';
import { randomGroupId } from '../../support/kafka.js';
import { startPipeline, waitFor } from '../../support/pipeline.js';
import { shiftArrivals } from '../../support/reason-scenarios.js';

const SUBJECTS = 1500;
const KILLS = 3;

/** The arrivals of many subjects as one, so each kind goes out in one send. */
function merged(plan: readonly AckedSubject[]): Arrivals {
  const all = (pick: (a: Arrivals) => readonly unknown[] | undefined): never[] =>
    plan.flatMap((s) => (pick(s.arrivals) ?? []) as never[]);
  return {
    telecom: all((a) => a.telecom),
    location: all((a) => a.location),
    biometric: all((a) => a.biometric),
    registry: all((a) => a.registry),
  };
}

void test('worker-killed-during-backlog: every score has exactly one anchor and one receipt after three SIGKILLs', async (t) => {
  const pipeline = await startPipeline(t, { replicationFactor: 3 });
  const { topics, codec } = pipeline;
  const delta = Date.now() - T0;
  const plan: AckedSubject[] = Array.from({ length: SUBJECTS }, () => {
    const subject = subjectId();
    return { subject, arrivals: shiftArrivals(goodArrivals(), delta, subject), ackedAt: Date.now() };
  });
  await pipeline.publish(merged(plan));
  const events = plan.reduce((sum, s) => sum + eventIdsOf(s.arrivals).length, 0);

  const ledgerFile = join(await tempDir(t), 'ledger.jsonl');
  const writer = startLedgerWriterProcess(t, pipeline, ledgerFile, randomGroupId());
  const receipts = pipeline.collect(topics.receipts);

  // Progress is read from Redis (subjects with a score emitted), not from the scores topic: a read_committed
  // reader stops at a transaction a killed worker left open.
  // A sample, read every 50 ms: reading all subjects takes longer than the worker needs for the backlog.
  const sample = plan.filter((_, i) => i % 25 === 0);
  const emitted = async (): Promise<number> =>
    (await Promise.all(sample.map((s) => pipeline.store.readState(s.subject)))).filter(
      (x) => x.emittedVersion > 0,
    ).length;
  let killedMidBacklog = 0;
  for (let kill = 0; kill < KILLS; kill += 1) {
    const worker = startWorkerProcess(t, pipeline);
    const before = await emitted();
    // Killed as soon as it has scored some subjects (units are in flight), unless the backlog is done.
    const target = Math.min(before + 1, sample.length);
    await waitFor(
      async () => (await emitted()) >= target || worker.exit() !== null,
      `worker ${kill + 1} to score subjects`,
      60_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; its stderr:\n${worker.stderr().slice(-3000)}`, { cause: error });
    });
    assert.equal(worker.exit(), null, `worker ${kill + 1} exited on its own: ${worker.stderr()}`);
    if ((await emitted()) < sample.length) killedMidBacklog += 1;
    await worker.kill();
  }
  const last = startWorkerProcess(t, pipeline);
  const state = await stateFigures(pipeline, plan, 60_000);
  assert.equal(last.exit(), null, `the last worker exited: ${last.stderr()}`);

  // Every distinct anchor gets a receipt; then the outputs are read independently.
  const anchorIdsOf = (records: readonly { value: Buffer | null }[]): Set<string> =>
    new Set(records.map((r) => codec.decode('anchor', r.value ?? Buffer.alloc(0)).anchorId));
  const anchors = pipeline.collect(topics.anchors);
  await waitFor(
    () => {
      const wanted = anchorIdsOf(anchors.records).size;
      return wanted > 0 && receipts.records.length >= wanted;
    },
    'a receipt for every anchor',
    60_000,
  ).catch(() => undefined);
  const read = await readWithJava([topics.scores, topics.anchors, topics.receipts]);
  const of = (topic: string): typeof read => read.filter((r) => r.topic === topic);
  const output = outputFigures(codec, of(topics.scores), of(topics.anchors));
  const receiptsPerAnchor = new Map<string, number>();
  for (const r of of(topics.receipts)) {
    const receipt = parseReceipt(JSON.parse(codec.decode('receipt', r.value ?? Buffer.alloc(0)).receipt));
    const id = receipt.anchor.anchorId;
    receiptsPerAnchor.set(id, (receiptsPerAnchor.get(id) ?? 0) + 1);
  }
  const anchorIds = anchorIdsOf(of(topics.anchors));
  const withoutReceipt = [...anchorIds].filter((id) => !receiptsPerAnchor.has(id)).length;
  const receiptTwice = [...receiptsPerAnchor.values()].filter((n) => n > 1).length;
  const scoresTwice = output.scores - output.scoreIds;
  t.diagnostic(
    figuresLine('worker-killed-backlog', {
      events,
      killedMidBacklog,
      doubled: state.doubled,
      unscored: state.unscored,
      scores: output.scores,
      scoresTwice,
      unanchored: output.unanchored,
      anchoredTwice: output.anchoredTwice,
      withoutReceipt,
      receiptTwice,
    }),
  );

  assert.ok(killedMidBacklog > 0, 'at least one worker was killed with work left');
  assert.equal(state.doubled, 0, 'no event applied twice');
  assert.equal(state.unscored, 0, 'every subject scored');
  assert.ok(output.scores > 0, 'the run produced scores');
  assert.equal(output.unanchored, 0, 'every score has its anchor');
  assert.equal(output.anchoredTwice, 0, 'no score has two anchors');
  assert.equal(scoresTwice, 0, 'no score record twice on identity.scores');
  assert.equal(withoutReceipt, 0, 'every anchor has a receipt');
  assert.equal(receiptTwice, 0, 'no anchor has two receipts');
  assert.equal(writer.exit(), null, `the ledger writer exited: ${writer.stderr()}`);
  assert.equal(await last.stop(), 0, 'SIGTERM stops the last worker cleanly');
  assert.equal(await writer.stop(), 0, 'SIGTERM stops the ledger writer cleanly');
});
