/**
 * `dmid produce` and `dmid consume` against a real broker: a JSON file of each signal type goes through
 * Kafka and comes back unchanged; bad input sends nothing; undecodable records are shown, not hidden.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test, type TestContext } from 'node:test';
import { main } from '../../../src/cli/main.js';
import { SIGNAL_KINDS } from '../../../src/codec/types.js';
import { allTopics, topicNames } from '../../../src/config.js';
import { produceRecords } from '../../../src/ingest/kafka-client.js';
import { captureIo } from '../../support/cli-io.js';
import {
  deleteTopicAfter,
  kafkaBrokers,
  randomTopic,
  randomTopicName,
  testAdmin,
  testKafkaClient,
} from '../../support/kafka.js';

const EXAMPLES = new URL('../../../examples/', import.meta.url);

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { DMID_KAFKA_BROKERS: kafkaBrokers().join(','), ...extra };
}

async function dmid(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) {
  const io = captureIo({ stdin: options.stdin, env: options.env ?? env() });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

async function recordCount(t: TestContext, topic: string): Promise<number> {
  const admin = await testAdmin(t);
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}

for (const kind of SIGNAL_KINDS) {
  void test(`a JSON file of ${kind} signals round-trips through Kafka unchanged`, async (t) => {
    const file = new URL(`${kind}.jsonl`, EXAMPLES);
    const input = lines(readFileSync(file, 'utf8'));
    const topic = await randomTopic(t);

    const produced = await dmid(['produce', '--topic', topic, '--type', kind, file.pathname]);
    assert.equal(produced.code, 0, produced.err);
    assert.equal(produced.out, '', 'produce writes no data to stdout');

    const consumed = await dmid([
      'consume',
      '--topic',
      topic,
      '--type',
      kind,
      '--from-beginning',
      '--max',
      String(input.length),
      '--idle-ms',
      '30000',
    ]);
    assert.equal(consumed.code, 0, consumed.err);
    // --max N stops after N records and says so (it once said N-1: the record that stopped it was not counted).
    assert.match(consumed.err, new RegExp(`read ${input.length} records from ${topic}\\n`));
    assert.match(produced.err, new RegExp(`produced ${input.length} ${kind} records to ${topic}\\n`));
    // Records of different subjects sit on different partitions, so only the set is ordered.
    assert.deepEqual(lines(consumed.out).sort(), [...input].sort());
  });
}

void test('records are keyed by subjectId: the same subject lands on the same partition', async (t) => {
  const topic = await randomTopic(t);
  const input = lines(readFileSync(new URL('telecom.jsonl', EXAMPLES), 'utf8'));
  const twice = [...input, ...input].join('\n');
  assert.equal(
    (await dmid(['produce', '--topic', topic, '--type', 'telecom', '--no-validate'], { stdin: twice })).code,
    0,
  );
  const consumed = await dmid([
    'consume',
    '--topic',
    topic,
    '--type',
    'telecom',
    '--from-beginning',
    '--max',
    '6',
    '--envelope',
    '--idle-ms',
    '30000',
  ]);
  assert.equal(consumed.code, 0, consumed.err);
  const partitionOf = new Map<string, Set<number>>();
  for (const line of lines(consumed.out)) {
    const envelope = JSON.parse(line) as { key: string; partition: number; value: { subjectId: string } };
    assert.equal(envelope.key, envelope.value.subjectId);
    partitionOf.set(envelope.key, (partitionOf.get(envelope.key) ?? new Set()).add(envelope.partition));
  }
  assert.equal(partitionOf.size, 3);
  for (const partitions of partitionOf.values()) assert.equal(partitions.size, 1);
});

void test('a bad line sends nothing and names its line and reason, not its value', async (t) => {
  const topic = await randomTopic(t, 3);
  const [good] = lines(readFileSync(new URL('location.jsonl', EXAMPLES), 'utf8'));
  assert.ok(good !== undefined);
  const pii = JSON.stringify({ ...(JSON.parse(good) as object), subjectId: '13800138000' });
  const typo = JSON.stringify({ ...(JSON.parse(good) as object), latitudee: 1 });

  const refused = await dmid(['produce', '--topic', topic, '--type', 'location'], {
    stdin: `${good}\n${pii}\n`,
  });
  assert.equal(refused.code, 1);
  assert.match(refused.err, /line 2: PII_IN_SUBJECT_ID/);
  assert.doesNotMatch(refused.err, /13800138000/);

  const misspelt = await dmid(['produce', '--topic', topic, '--type', 'location'], { stdin: `${typo}\n` });
  assert.equal(misspelt.code, 1);
  assert.match(misspelt.err, /line 1: .*latitudee/);

  const notJson = await dmid(['produce', '--topic', topic, '--type', 'location'], {
    stdin: `${good}\n{oops\n`,
  });
  assert.equal(notJson.code, 1);
  assert.match(notJson.err, /line 2: not valid JSON/);

  assert.equal(await recordCount(t, topic), 0, 'nothing may reach the topic when a line is bad');
});

void test('consume --envelope shows records that do not decode, with their error, instead of hiding them', async (t) => {
  const topic = await randomTopic(t, 1);
  const [good] = lines(readFileSync(new URL('registry.jsonl', EXAMPLES), 'utf8'));
  assert.ok(good !== undefined);
  const one = await dmid(['produce', '--topic', topic, '--type', 'registry'], { stdin: good });
  assert.equal(one.code, 0, one.err);
  assert.match(one.err, /produced 1 registry record to /);
  const producer = await testKafkaClient().producer();
  t.after(() => producer.disconnect());
  await produceRecords(producer, topic, [{ key: 'k', value: Buffer.from('not avro') }]);

  const plain = await dmid([
    'consume',
    '--topic',
    topic,
    '--type',
    'registry',
    '--from-beginning',
    '--max',
    '2',
    '--idle-ms',
    '30000',
  ]);
  assert.equal(plain.code, 1, 'a record that does not decode makes the exit code 1');
  assert.equal(lines(plain.out).length, 1);
  assert.match(plain.err, /DMID_CODEC_BAD_MAGIC/);
  assert.match(plain.err, /read 2 records from .*\n.*1 record did not decode \(use --envelope to see it\)/s);

  const shown = await dmid([
    'consume',
    '--topic',
    topic,
    '--from-beginning',
    '--max',
    '2',
    '--envelope',
    '--idle-ms',
    '30000',
  ]);
  assert.equal(shown.code, 0, shown.err);
  const [first, second] = lines(shown.out).map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(first?.type, 'registry');
  assert.deepEqual(second?.error, { code: 'DMID_CODEC_BAD_MAGIC', reason: 'DECODE_BAD_MAGIC' });
  assert.equal(second?.valueBase64, Buffer.from('not avro').toString('base64'));
});

void test('dmid topics create makes every contract topic once, then reports them as existing', async (t) => {
  const prefix = `${randomTopicName()}.`;
  const names = allTopics(topicNames(prefix));
  for (const name of names) deleteTopicAfter(t, name);

  const first = await dmid(['topics', 'create', '--partitions', '3'], {
    env: env({ DMID_TOPIC_PREFIX: prefix }),
  });
  assert.equal(first.code, 0, first.err);
  const created = JSON.parse(first.out) as { created: string[]; existing: string[] };
  assert.deepEqual([...created.created].sort(), [...names].sort());
  // Signal topics keep what a state rebuild needs: DMID_STATE_TTL_SECONDS (180 days) and one day more.
  const admin = await testAdmin(t);
  const retention = new Map<string, string | null>();
  for (const name of names) retention.set(name, await admin.topicConfig(name, 'retention.ms'));
  const signals = topicNames(prefix);
  for (const name of [signals.telecom, signals.location, signals.biometric, signals.registry]) {
    assert.equal(retention.get(name), String(181 * 86_400_000), name);
  }
  assert.notEqual(retention.get(signals.scores), String(181 * 86_400_000));

  const second = await dmid(['topics', 'create', '--partitions', '3'], {
    env: env({ DMID_TOPIC_PREFIX: prefix }),
  });
  assert.equal(second.code, 0, second.err);
  const again = JSON.parse(second.out) as { created: string[]; existing: string[] };
  assert.deepEqual(again.created, []);
  assert.deepEqual([...again.existing].sort(), [...names].sort());
  assert.match(second.err, new RegExp(`0 topics created, ${names.length} already there`));
});

void test('produce and consume without DMID_KAFKA_BROKERS fail with a usage message, not a hang', async () => {
  const result = await dmid(['consume', '--topic', 'signals.telecom'], { env: {} });
  assert.equal(result.code, 2);
  assert.match(result.err, /DMID_KAFKA_BROKERS/);
});
