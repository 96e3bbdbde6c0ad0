/**
 * The transport: where records come from and go to. Two adapters: Kafka (kafka-transport.ts) and the
 * in-process partitioned log of the embedded mode (memory-transport.ts). The worker sees only this.
 */

/** One consumed record. */
export interface InboundRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly offset: string;
  /** The record's timestamp (producer create time), epoch ms. */
  readonly timestampMs: number;
  /** Record headers, values as UTF-8 (a name repeated keeps its last value); absent where none. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Consecutive records of one partition, handed to the handler in offset order. */
export interface InboundBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly InboundRecord[];
  /** Offset of the next record the partition will get: lag = highWatermark - last offset - 1. */
  readonly highWatermark: string;
  /** Tells the group this member is alive, during a long retry. */
  readonly heartbeat: () => Promise<void>;
}

export interface OutboundRecord {
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface TopicRecords {
  readonly topic: string;
  readonly records: readonly OutboundRecord[];
}

export interface RunOptions {
  readonly topics: readonly string[];
  /**
   * Handles one batch. The batch's offsets are committed only after it resolves; when it rejects, the
   * transport stops and `run` rejects with that error (the batch is redelivered to whoever consumes next).
   */
  readonly handle: (batch: InboundBatch) => Promise<void>;
}

export interface TransportStatus {
  /** Connected and consuming. */
  readonly ok: boolean;
  readonly detail: string;
}

export interface Transport {
  /** Consumes `topics` until `stop()`; resolves when stopped, rejects when consumption failed. */
  run(options: RunOptions): Promise<void>;
  /**
   * Writes records to several topics; resolves when every record is acknowledged. `consumed` names the
   * batches these records were made from: a transactional transport commits their offsets in the same
   * transaction as the records (all or nothing); others commit them after the handler, as without it.
   */
  send(batches: readonly TopicRecords[], consumed?: readonly InboundBatch[]): Promise<void>;
  /** Lets the batch in flight finish and commit, then disconnects. Safe to call more than once. */
  stop(): Promise<void>;
  status(): TransportStatus;
}
