/**
 * The admin operations dmid and its tools use, over @platformatic/kafka's Admin, in one small shape: topic
 * creation and metadata, partition offsets, a group's committed offsets, deletion. Offsets are decimal
 * strings (64-bit values), as everywhere else in src/ingest/.
 */
import { Admin, ListOffsetTimestamps, type BaseOptions } from '@platformatic/kafka';
import { withKafka } from './kafka-errors.js';

export interface TopicPartitionMetadata {
  readonly partitionId: number;
  /** Broker id of the leader; negative while none is elected. */
  readonly leader: number;
}

export interface TopicMetadata {
  readonly name: string;
  readonly partitions: readonly TopicPartitionMetadata[];
}

export interface PartitionOffsets {
  readonly partition: number;
  /** The next offset to be written (high watermark). */
  readonly high: string;
  /** The oldest offset still held. */
  readonly low: string;
}

export interface GroupTopicOffsets {
  readonly topic: string;
  /** Committed offset per partition; "-1" where the group has none. */
  readonly partitions: readonly { readonly partition: number; readonly offset: string }[];
}

export interface KafkaAdmin {
  listTopics(): Promise<string[]>;
  /**
   * Creates one topic, with topic `configs` (e.g. `retention.ms`) when given; rejects with the broker's
   * error (TOPIC_ALREADY_EXISTS, ...) as cause.
   */
  createTopic(
    name: string,
    partitions: number,
    replicationFactor: number,
    configs?: Readonly<Record<string, string>>,
  ): Promise<void>;
  /** The value of one config of a topic as the broker reports it, or null when it reports none. */
  topicConfig(topic: string, name: string): Promise<string | null>;
  fetchTopicMetadata(topics: readonly string[]): Promise<TopicMetadata[]>;
  /** Low and high watermark of every partition of `topic`. */
  fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]>;
  fetchOffsets(groupId: string, topics: readonly string[]): Promise<GroupTopicOffsets[]>;
  deleteTopics(topics: readonly string[]): Promise<void>;
  deleteGroups(groupIds: readonly string[]): Promise<void>;
  disconnect(): Promise<void>;
}

/** The config resource type of a topic (Kafka's ConfigResource.Type.TOPIC). */
const TOPIC_RESOURCE = 2;

export async function openAdmin(options: BaseOptions, watch: (admin: Admin) => Admin): Promise<KafkaAdmin> {
  const admin = watch(new Admin(options));
  // The first request connects: an unreachable cluster fails here, as a connect would.
  await withKafka('admin connect', () => admin.metadata({ topics: [] })).catch(async (error: unknown) => {
    await admin.close().catch(() => undefined);
    throw error;
  });
  const metadataOf = async (topics: readonly string[]): Promise<TopicMetadata[]> => {
    const cluster = await withKafka('describe topics', () =>
      admin.metadata({ topics: [...topics], forceUpdate: true }),
    );
    return topics.flatMap((name) => {
      const topic = cluster.topics.get(name);
      if (topic === undefined) return [];
      return [
        { name, partitions: topic.partitions.map((p, partitionId) => ({ partitionId, leader: p.leader })) },
      ];
    });
  };
  const listAt = async (topic: string, partitions: number, timestamp: bigint): Promise<bigint[]> => {
    const listed = await withKafka(`offsets of ${topic}`, () =>
      admin.listOffsets({
        topics: [
          {
            name: topic,
            partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({
              partitionIndex,
              timestamp,
            })),
          },
        ],
      }),
    );
    const result = new Array<bigint>(partitions).fill(-1n);
    for (const p of listed[0]?.partitions ?? []) result[p.partitionIndex] = p.offset;
    return result;
  };
  return {
    listTopics: () => withKafka('list topics', () => admin.listTopics()),
    async createTopic(name, partitions, replicationFactor, configs = {}) {
      const entries = Object.entries(configs).map(([key, value]) => ({ name: key, value }));
      await withKafka(`create topic ${name}`, () =>
        admin.createTopics({ topics: [name], partitions, replicas: replicationFactor, configs: entries }),
      );
    },
    async topicConfig(topic, name) {
      const described = await withKafka(`describe configs of ${topic}`, () =>
        admin.describeConfigs({
          resources: [{ resourceType: TOPIC_RESOURCE, resourceName: topic, configurationKeys: [name] }],
        }),
      );
      return described[0]?.configs.find((c) => c.name === name)?.value ?? null;
    },
    fetchTopicMetadata: metadataOf,
    async fetchTopicOffsets(topic) {
      const [metadata] = await metadataOf([topic]);
      const count = metadata?.partitions.length ?? 0;
      const [low, high] = await Promise.all([
        listAt(topic, count, ListOffsetTimestamps.EARLIEST),
        listAt(topic, count, ListOffsetTimestamps.LATEST),
      ]);
      return Array.from({ length: count }, (_, partition) => ({
        partition,
        high: String(high[partition]),
        low: String(low[partition]),
      }));
    },
    async fetchOffsets(groupId, topics) {
      const metadata = await metadataOf(topics);
      const groups = await withKafka(`offsets of group ${groupId}`, () =>
        admin.listConsumerGroupOffsets({
          // Offsets committed in a transaction count once it completed: wait for those in flight.
          requireStable: true,
          groups: [
            {
              groupId,
              topics: metadata.map((t) => ({
                name: t.name,
                partitionIndexes: t.partitions.map((p) => p.partitionId),
              })),
            },
          ],
        }),
      );
      const listed = groups[0]?.topics ?? [];
      return metadata.map((t) => {
        const committed = listed.find((l) => l.name === t.name)?.partitions ?? [];
        return {
          topic: t.name,
          partitions: t.partitions.map(({ partitionId }) => ({
            partition: partitionId,
            offset: String(committed.find((c) => c.partitionIndex === partitionId)?.committedOffset ?? -1n),
          })),
        };
      });
    },
    async deleteTopics(topics) {
      await withKafka('delete topics', () => admin.deleteTopics({ topics: [...topics] }));
    },
    async deleteGroups(groupIds) {
      await withKafka('delete groups', () => admin.deleteGroups({ groups: [...groupIds] }));
    },
    disconnect: () => admin.close(),
  };
}
