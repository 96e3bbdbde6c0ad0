/**
 * What a contender of the side-by-side benchmark records and reports (contender.ts runs it; compare.ts
 * and contender-process.ts read the report).
 */
import type { BatchStage } from '../../src/ingest/worker.js';

export type ContenderKind = 'ceiling' | 'naive' | 'dmid';

export interface ContenderReport {
  readonly type: 'report';
  readonly processed: number;
  /** Epoch ms the first record arrived (work began) and the last one was handled, since the reset. */
  readonly firstAt: number;
  readonly lastAt: number;
  readonly latenciesMs: number[];
  /** Epoch ms each latency was recorded, parallel to latenciesMs. */
  readonly recordedAt: number[];
  /** User + system CPU seconds (all threads) from the first record handled since the reset. */
  readonly cpuSeconds: number;
  /** Peak resident set size of the process, bytes. */
  readonly maxRssBytes: number;
  /** Seconds per stage summed over batches (dmid only), and units of work seen (dmid: units of partition
   * batches; ceiling: batches; naive peer: records). */
  readonly stages: Partial<Record<BatchStage, number>>;
  readonly batches: number;
  /** Scores produced (none by the ceiling); dmid makes fewer than records when a unit holds several records
   * of one subject. */
  readonly scores: number;
  /** Records dead-lettered, by reason (dmid only): a throughput of dead letters is no throughput. */
  readonly deadLettered: Record<string, number>;
}

/** What every contender records into. */
export class Recording {
  processed = 0;
  firstAt = 0;
  lastAt = 0;
  latenciesMs: number[] = [];
  recordedAt: number[] = [];
  stages: Partial<Record<BatchStage, number>> = {};
  batches = 0;
  scores = 0;
  deadLettered: Record<string, number> = {};
  private cpuStart = process.cpuUsage();

  reset(): void {
    this.processed = 0;
    this.firstAt = 0;
    this.lastAt = 0;
    this.latenciesMs = [];
    this.recordedAt = [];
    this.stages = {};
    this.batches = 0;
    this.scores = 0;
    this.deadLettered = {};
    this.cpuStart = process.cpuUsage();
  }

  /**
   * Records arrived: the first call since the reset starts the clock and the CPU count. Start-up
   * (transpiling, connecting, joining the group) is not the cost of handling events, but the handling of
   * the first batches is: a backlog is taken in a few large fetches, so timing from the first batch
   * *finished* would leave out most of the work.
   */
  arrived(): void {
    if (this.firstAt !== 0) return;
    this.firstAt = Date.now();
    this.cpuStart = process.cpuUsage();
  }

  /** `count` records handled (outputs acknowledged) now. */
  handled(count: number): void {
    this.arrived();
    this.lastAt = Date.now();
    this.processed += count;
  }

  /** One record's latency, recorded now. */
  latency(ms: number): void {
    this.latenciesMs.push(ms);
    this.recordedAt.push(Date.now());
  }

  report(): ContenderReport {
    const cpu = process.cpuUsage(this.cpuStart);
    return {
      type: 'report',
      processed: this.processed,
      firstAt: this.firstAt,
      lastAt: this.lastAt,
      latenciesMs: this.latenciesMs,
      recordedAt: this.recordedAt,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      stages: this.stages,
      batches: this.batches,
      scores: this.scores,
      deadLettered: this.deadLettered,
    };
  }
}
