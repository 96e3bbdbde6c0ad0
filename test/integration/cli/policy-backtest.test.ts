/**
 * `dmid policy backtest` over a recorded identity.scores stream on the real broker: the expected counts
 * and exactly the subjects whose outcome the draft changes, by pseudonym; scores before --from ignored.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../../../src/cli/main.js';
import { createCodec } from '../../../src/codec/codec.js';
import { topicNames } from '../../../src/config.js';
import { produceRecords } from '../../../src/ingest/kafka-client.js';
import { ensureTopics } from '../../../src/ingest/topics.js';
import { loadPolicyDir } from '../../../src/policy/policy-loader.js';
import { identityScore } from '../../support/api-harness.js';
import { captureIo } from '../../support/cli-io.js';
import { goodArrivals, hoursAgo, subjectId, T0, telecom } from '../../support/evidence-factory.js';
import { deleteTopicAfter, kafkaBrokers, testKafkaClient } from '../../support/kafka.js';

void describe('dmid policy backtest (Kafka)', () => {
  void it('reports per-outcome counts and the subjects that flip', async (t) => {
    const prefix = `test-${randomBytes(5).toString('hex')}.`;
    const topic = topicNames(prefix).scores;
    const client = testKafkaClient();
    const admin = await client.admin();
    try {
      await ensureTopics(admin, [{ name: topic, partitions: 3, replicationFactor: 1 }]);
    } finally {
      await admin.disconnect();
    }
    deleteTopicAfter(t, topic);

    const codec = createCodec();
    const swapped = goodArrivals({ telecom: [telecom({ simSwappedAt: hoursAgo(1) })] });
    const flipping = [subjectId(), subjectId()];
    const steady = [subjectId(), subjectId(), subjectId()];
    const before = subjectId();
    const scores = [
      identityScore(before, T0 - 3_600_000, swapped), // before --from: not counted
      ...flipping.map((s) => identityScore(s, T0, swapped)),
      ...steady.map((s) => identityScore(s, T0)),
    ];
    const producer = await client.producer();
    try {
      await produceRecords(
        producer,
        topic,
        scores.map((s) => ({ key: s.subjectId, value: codec.encode('score', s) })),
      );
    } finally {
      await producer.disconnect();
    }

    const live = loadPolicyDir().live('hospital.outpatient-checkin');
    assert.ok(live);
    const dir = mkdtempSync(join(tmpdir(), 'dmid-draft-'));
    const draftFile = join(dir, 'draft.yaml');
    // The draft: the live hospital policy that also denies a recent SIM swap.
    writeFileSync(
      draftFile,
      JSON.stringify({
        ...live.rules,
        version: '1.1.0',
        denyReasons: [...live.rules.denyReasons, 'TEL_SIM_SWAP_RECENT'],
      }),
    );
    const io = captureIo({
      env: { DMID_KAFKA_BROKERS: kafkaBrokers().join(','), DMID_TOPIC_PREFIX: prefix },
    });
    const code = await main(
      ['policy', 'backtest', '--policy', draftFile, '--from', new Date(T0 - 60_000).toISOString()],
      io,
    );
    assert.equal(code, 0, io.err());
    const report: unknown = JSON.parse(io.out());
    assert.ok(typeof report === 'object' && report !== null);
    assert.equal(Reflect.get(report, 'scores'), 5);
    assert.deepEqual(Reflect.get(report, 'outcomes'), {
      draft: { ALLOW: 3, STEP_UP: 0, DENY: 2 },
      live: { ALLOW: 5, STEP_UP: 0, DENY: 0 },
    });
    const flips: unknown = Reflect.get(report, 'flips');
    assert.ok(Array.isArray(flips));
    assert.deepEqual(
      flips.map((f: unknown): unknown[] => {
        assert.ok(typeof f === 'object' && f !== null);
        return ['subjectId', 'live', 'draft'].map((name): unknown => Reflect.get(f, name));
      }),
      [...flipping].sort().map((s) => [s, 'ALLOW', 'DENY']),
    );
  });
});
