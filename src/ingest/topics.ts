/**
 * Creating the topics dmid reads and writes, idempotently: a topic that exists is left exactly as it is
 * (changing partition counts moves keys between partitions, which an operator decides, not a start-up),
 * but a topic with fewer partitions than asked for is reported so the shortfall is visible.
 */
import { DmidError } from '../errors.js';
import type { KafkaAdmin } from './kafka-admin.js';
import {
  isKafkaError,
  isKafkaUnavailable,
  kafkaErrorDetail,
  kafkaProtocolErrorType,
} from './kafka-errors.js';

export interface TopicSpec {
  readonly name: string;
  /** Partitions to create the topic with; at least 1. */
  readonly partitions: number;
  /** Copies of each partition; at least 1 and at most the number of brokers. */
  readonly replicationFactor: number;
  /** `retention.ms` of a topic this call creates; the broker's default when absent. */
  readonly retentionMs?: number;
}

export interface TopicWarning {
  readonly topic: string;
  readonly code: 'PARTITIONS_FEWER_THAN_ASKED';
  readonly asked: number;
  readonly actual: number;
  readonly message: string;
}

export interface EnsureTopicsResult {
  /** Topics this call created. */
  readonly created: string[];
  /** Topics that were there already (including ones another client created meanwhile), left unchanged. */
  readonly existing: string[];
  readonly warnings: TopicWarning[];
}

export interface EnsureTopicsOptions {
  /** How long the controller has to create a topic and elect its leaders, milliseconds. Default 10000. */
  readonly timeoutMs?: number;
}

// Kafka's own rule (kafka.common.Topic): legal characters and at most 249 of them; "." and ".." are not.
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

function validateSpecs(specs: readonly TopicSpec[]): void {
  const seen = new Set<string>();
  for (const spec of specs) {
    if (!TOPIC_NAME.test(spec.name) || spec.name === '.' || spec.name === '..') {
      throw new RangeError(`ensureTopics: "${spec.name}" is not a legal Kafka topic name`);
    }
    if (!Number.isInteger(spec.partitions) || spec.partitions < 1) {
      throw new RangeError(`ensureTopics: partitions of ${spec.name} must be an integer >= 1`);
    }
    if (!Number.isInteger(spec.replicationFactor) || spec.replicationFactor < 1) {
      throw new RangeError(`ensureTopics: replicationFactor of ${spec.name} must be an integer >= 1`);
    }
    if (seen.has(spec.name)) throw new RangeError(`ensureTopics: ${spec.name} is listed twice`);
    seen.add(spec.name);
  }
}

/** A broker refusal (as opposed to an unreachable broker or a bug) becomes DMID_KAFKA_TOPIC_FAILED. */
function topicFailure(action: string, error: unknown): unknown {
  if (error instanceof DmidError || !isKafkaError(error) || isKafkaUnavailable(error)) return error;
  return new DmidError('DMID_KAFKA_TOPIC_FAILED', `${action} failed: ${kafkaErrorDetail(error)}`, {
    cause: error,
  });
}

/** Creates one topic; false when it already existed (a concurrent creator won the race). */
async function createTopic(admin: KafkaAdmin, spec: TopicSpec, timeoutMs: number): Promise<boolean> {
  try {
    const configs: Record<string, string> = {};
    if (spec.retentionMs !== undefined) configs['retention.ms'] = String(spec.retentionMs);
    await admin.createTopic(spec.name, spec.partitions, spec.replicationFactor, configs);
  } catch (error) {
    const cause = error instanceof DmidError ? error.cause : error;
    if (kafkaProtocolErrorType(cause) === 'TOPIC_ALREADY_EXISTS') return false;
    throw topicFailure(`Creating topic ${spec.name}`, error);
  }
  // The controller answers before every broker has learned of the topic: wait for its leaders.
  await awaitLeaders(admin, spec.name, timeoutMs);
  return true;
}

/** Polls the topic's metadata until every partition has a leader; DMID_KAFKA_TOPIC_FAILED after `timeoutMs`. */
async function awaitLeaders(admin: KafkaAdmin, topic: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const metadata = await admin.fetchTopicMetadata([topic]).catch(() => undefined);
    const partitions = metadata?.[0]?.partitions ?? [];
    if (partitions.length > 0 && partitions.every((p) => p.leader >= 0)) return;
    if (Date.now() > deadline)
      throw new DmidError('DMID_KAFKA_TOPIC_FAILED', `Topic ${topic} has no leaders after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function partitionCounts(admin: KafkaAdmin, names: readonly string[]): Promise<Map<string, number>> {
  if (names.length === 0) return new Map();
  try {
    const metadata = await admin.fetchTopicMetadata([...names]);
    return new Map(metadata.map((t) => [t.name, t.partitions.length]));
  } catch (error) {
    throw topicFailure('Describing topics', error);
  }
}

/**
 * Makes sure every topic in `specs` exists. Missing ones are created with the given partitions and
 * replication factor; existing ones are reported in `existing` and never altered, with a warning when they
 * have fewer partitions than asked for.
 */
export async function ensureTopics(
  admin: KafkaAdmin,
  specs: readonly TopicSpec[],
  options: EnsureTopicsOptions = {},
): Promise<EnsureTopicsResult> {
  validateSpecs(specs);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const present = new Set(await admin.listTopics());
  const created: string[] = [];
  const existing: string[] = [];
  for (const spec of specs) {
    if (!present.has(spec.name) && (await createTopic(admin, spec, timeoutMs))) created.push(spec.name);
    else existing.push(spec.name);
  }
  const counts = await partitionCounts(admin, existing);
  const warnings: TopicWarning[] = [];
  for (const spec of specs) {
    const actual = counts.get(spec.name);
    if (actual !== undefined && actual < spec.partitions) {
      warnings.push({
        topic: spec.name,
        code: 'PARTITIONS_FEWER_THAN_ASKED',
        asked: spec.partitions,
        actual,
        message: `${spec.name} has ${actual} partitions, fewer than the ${spec.partitions} asked for; left unchanged`,
      });
    }
  }
  return { created, existing, warnings };
}
