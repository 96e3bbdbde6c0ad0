/**
 * ledger-writer-killed-mid-stream: a `dmid ledger-writer` process killed with SIGKILL while it anchors,
 * then started again, leaves every anchor with a receipt, every copy of a receipt byte-identical, the
 * ledger chain whole with no root twice and no anchor in two blocks; SIGTERM then stops it cleanly.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { walkChain } from '../../../src/anchor/ledger/file-chain.js';
import { tempDir } from '../../support/anchors.js';
import { kafkaBrokers, randomGroupId } from '../../support/kafka.js';
import { receiptsOf, RECEIPTS_TIMEOUT_MS } from '../../support/ledger-writer.js';
import { startPipeline, waitFor, type TestPipeline } from '../../support/pipeline.js';
import { redisUrl } from '../../support/redis.js';
import { scoreSubjects } from '../../support/scored-subjects.js';

const CLI = new URL('../../../src/cli/bin.ts', import.meta.url).pathname;

function startWriterProcess(pipeline: TestPipeline, ledgerFile: string, groupId: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CLI, 'ledger-writer'], {
    env: {
      PATH: process.env.PATH,
      DMID_KAFKA_BROKERS: kafkaBrokers().join(','),
      DMID_REDIS_URL: redisUrl(),
      DMID_TOPIC_PREFIX: pipeline.topicPrefix,
      DMID_REDIS_KEY_PREFIX: pipeline.keyPrefix,
      DMID_TOPIC_PARTITIONS: '3',
      DMID_LEDGER_GROUP_ID: groupId,
      // The killed writer holds its partitions until the group evicts it: 8 s instead of the default 30.
      DMID_KAFKA_SESSION_TIMEOUT_MS: '8000',
      DMID_LEDGER_FILE: ledgerFile,
      DMID_LEDGER_BATCH_MS: '100',
      DMID_LEDGER_BATCH_MAX_ANCHORS: '7',
      DMID_API_PORT: '0',
      DMID_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

void test('ledger-writer-killed-mid-stream: SIGKILL and restart leave a receipt per anchor (repeats identical) and no duplicate batch', async (t) => {
  const pipeline = await startPipeline(t);
  const scores = pipeline.collect(pipeline.topics.scores);
  const anchors = pipeline.collect(pipeline.topics.anchors);
  const receipts = pipeline.collect(pipeline.topics.receipts);
  pipeline.startWorker();
  const run = await scoreSubjects(pipeline, { scores, anchors }, 40);
  const ledgerFile = join(await tempDir(t), 'ledger.jsonl');
  const groupId = randomGroupId();

  let child = startWriterProcess(pipeline, ledgerFile, groupId);
  t.after(() => child.kill('SIGKILL'));
  // Kill it as soon as some (not all) receipts are out: batches of 7 anchors are in flight.
  await receipts.until((r) => r.length > 0, 'a first receipt', 60_000);
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));

  child = startWriterProcess(pipeline, ledgerFile, groupId);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  // A writer that exits early fails the test at once, with what it printed.
  let exit: string | undefined;
  child.once('exit', (code, signal) => (exit = `exited (code ${code}, signal ${signal})`));
  const anchored = (): number => new Set(receiptsOf(receipts.records).map((x) => x.anchor.anchorId)).size;
  try {
    await waitFor(
      () => {
        if (exit !== undefined) throw new Error(`the restarted writer ${exit}`);
        return anchored() === run.anchorIds.size;
      },
      'a receipt for every anchor after the restart',
      RECEIPTS_TIMEOUT_MS,
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${message}: ${anchored()} of ${run.anchorIds.size} anchors have a receipt; the writer's stderr:\n${stderr.slice(-4000)}`,
      { cause: error },
    );
  }
  const byAnchor = new Map<string, string>();
  for (const record of receipts.records) {
    const text = (record.value ?? Buffer.alloc(0)).toString('utf8');
    const id = receiptsOf([record])[0]?.anchor.anchorId ?? '';
    const seen = byAnchor.get(id);
    if (seen !== undefined) assert.equal(text, seen, 'a repeated receipt is the same document');
    byAnchor.set(id, text);
  }
  const walk = walkChain(await readFile(ledgerFile, 'utf8'));
  assert.equal(walk.break, null, 'the chain is whole, no root twice');
  assert.equal(
    walk.blocks.reduce((sum, b) => sum + b.count, 0),
    run.anchorIds.size,
    'no anchor in two blocks',
  );

  await waitFor(() => stderr.includes('API on'), 'the restarted writer to report it started');
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  assert.equal(child.exitCode, 0, 'SIGTERM stops the ledger writer cleanly');
});
