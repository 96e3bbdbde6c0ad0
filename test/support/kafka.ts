/**
 * Kafka helpers for integration tests. Each registers its own cleanup on the test (`t.after`), so a test
 * reads as what it checks, and every test gets its own topic and group (nothing leaks between tests).
 */
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import type {
  ConsumedRecord,
  KafkaAdmin,
  KafkaClient,
  KafkaClientOptions,
} from '../../src/ingest/kafka-client.js';
import { createKafkaClient } from '../../src/ingest/kafka-client.js';
import { consumeRecords } from '../../src/ingest/kafka-reader.js';
import { ensureTopics } from '../../src/ingest/topics.js';

/** The brokers the test runner provides; a clear failure when a test file is run on its own. */
export function kafkaBrokers(): string[] {
  const value = process.env.DMID_KAFKA_BROKERS?.trim();
  if (value === undefined || value === '') {
    throw new Error(
      'DMID_KAFKA_BROKERS is not set: run integration tests through `npm test` (scripts/test.ts)',
    );
  }
  return value.split(',').map((b) => b.trim());
}

function suffix(): string {
  return randomBytes(6).toString('hex');
}

export function randomGroupId(): string {
  return `test-group-${suffix()}`;
}

/** A client on the test brokers; quieter than the default (which warns about every failed connection). */
export function testKafkaClient(overrides: Partial<KafkaClientOptions> = {}): KafkaClient {
  return createKafkaClient({
    brokers: kafkaBrokers(),
    clientId: `dmid-test-${suffix()}`,
    logLevel: 'error',
    ...overrides,
  });
}

/** A connected admin, disconnected after the test. */
export async function testAdmin(t: TestContext): Promise<KafkaAdmin> {
  const admin = await testKafkaClient().admin();
  t.after(() => admin.disconnect());
  return admin;
}

/**
 * Deletes `name` after the test if it exists then, through its own admin: node:test runs `after` hooks
 * in the order they were added, so sharing a client another hook disconnects would break the cleanup.
 */
export function deleteTopicAfter(t: TestContext, name: string): void {
  t.after(async () => {
    const admin = await testKafkaClient().admin();
    try {
      if ((await admin.listTopics()).includes(name)) {
        await admin.deleteTopics([name]);
      }
    } finally {
      await admin.disconnect();
    }
  });
}

/** A random topic name (`test-<hex>`), not created. */
export function randomTopicName(): string {
  return `test-${suffix()}`;
}

/** Creates a topic with a random name and `partitions` partitions; deleted after the test. */
export async function randomTopic(t: TestContext, partitions = 12): Promise<string> {
  const name = randomTopicName();
  const admin = await testKafkaClient().admin();
  try {
    await ensureTopics(admin, [{ name, partitions, replicationFactor: 1 }]);
  } finally {
    await admin.disconnect();
  }
  deleteTopicAfter(t, name);
  return name;
}

export interface ReadOptions {
  readonly topic: string;
  /** Stop after this many records. */
  readonly count: number;
  readonly groupId?: string;
  /** Fail when `count` records have not arrived by then, milliseconds. Default 30000. */
  readonly timeoutMs?: number;
}

/**
 * Reads `count` records from the start of `topic` with a fresh group (or `groupId`), failing with how many
 * arrived if they do not all come within the time limit: a test never waits unbounded on a broker.
 */
export async function readRecords(options: ReadOptions): Promise<ConsumedRecord[]> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const records: ConsumedRecord[] = [];
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    await consumeRecords({
      client: testKafkaClient(),
      topic: options.topic,
      groupId: options.groupId ?? randomGroupId(),
      fromBeginning: true,
      signal: controller.signal,
      onRecord: (record) => {
        records.push(record);
        if (records.length >= options.count) controller.abort();
      },
    });
  } finally {
    clearTimeout(timer);
  }
  if (timedOut) {
    throw new Error(
      `timed out after ${timeoutMs} ms waiting for ${options.count} records on ${options.topic}; got ${records.length}`,
    );
  }
  return records;
}
