/**
 * `dmid simulate` against a real broker: exactly --count records land on the signal topics, each keyed
 * by its subjectId (so a subject's records share a partition), bad ones marked with their expected
 * dead-letter reason.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { simulateCommand } from '../../../src/cli/simulate-command.js';
import { createCodec } from '../../../src/codec/codec.js';
import { SIGNAL_KINDS } from '../../../src/codec/types.js';
import { topicNames } from '../../../src/config.js';
import { ensureTopics } from '../../../src/ingest/topics.js';
import { EXPECTED_REASON_HEADER } from '../../../src/simulator/encode.js';
import { captureIo } from '../../support/cli-io.js';
import { deleteTopicAfter, kafkaBrokers, readRecords, testAdmin } from '../../support/kafka.js';

const codec = createCodec();

void test('dmid simulate produces exactly --count records to the signal topics, keyed by subjectId', async (t) => {
  const prefix = `test-${randomBytes(6).toString('hex')}.`;
  const names = topicNames(prefix);
  const topics = SIGNAL_KINDS.map((kind) => names[kind]);
  const admin = await testAdmin(t);
  await ensureTopics(
    admin,
    topics.map((name) => ({ name, partitions: 4, replicationFactor: 1 })),
  );
  for (const name of topics) deleteTopicAfter(t, name);

  const io = captureIo({ env: { DMID_KAFKA_BROKERS: kafkaBrokers().join(','), DMID_TOPIC_PREFIX: prefix } });
  const args = ['--count', '600', '--rate', '3000', '--subjects', '200', '--seed', 'it', '--bad-rate', '0.1'];
  assert.equal(await simulateCommand(args, io), 0, io.err());
  assert.match(io.err(), /simulated 600 records/);
  assert.equal(io.out(), '');

  const counts = await Promise.all(
    topics.map(async (topic) => {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    }),
  );
  assert.equal(
    counts.reduce((a, b) => a + b, 0),
    600,
  );

  const location = SIGNAL_KINDS.indexOf('location');
  const records = await readRecords({ topic: names.location, count: counts[location] ?? 0 });
  const partitionOf = new Map<string, number>();
  for (const record of records) {
    assert.ok(record.key !== null && record.value !== null);
    if (record.headers[EXPECTED_REASON_HEADER] !== undefined) continue;
    const decoded = codec.decode('location', record.value);
    assert.equal(record.key, decoded.subjectId);
    const seen = partitionOf.get(record.key);
    assert.ok(seen === undefined || seen === record.partition, 'a subject on two partitions');
    partitionOf.set(record.key, record.partition);
  }
  assert.ok(records.some((r) => r.headers[EXPECTED_REASON_HEADER] !== undefined));
});
