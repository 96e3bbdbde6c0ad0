/**
 * What the benchmarks share: percentiles, preloading a seeded stream onto the signal topics, running
 * `dmid simulate` as an open-loop load generator in its own process, and cleaning up Redis keys.
 */
import { spawn } from 'node:child_process';
import type { Redis } from 'ioredis';
import { createCodec } from '../src/codec/codec.js';
import type { SignalKind } from '../src/codec/types.js';
import type { TopicNames } from '../src/config.js';
import { produceRecords, type KafkaProducer } from '../src/ingest/kafka-client.js';
import { encodeEvent } from '../src/simulator/encode.js';
import { createSignalStream } from '../src/simulator/stream.js';

/** The value after `--<name>` on the command line, if given. */
export function argument(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

/** A positive number option `--<name>`, or `fallback` when absent or not a positive number. */
export function option(name: string, fallback: number): number {
  const value = Number(argument(name) ?? fallback);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** The `p`th percentile (0..100) of ascending `sorted` values (nearest rank); NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export interface LatencySummary {
  readonly events: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
}

export function summarize(latenciesMs: readonly number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    events: sorted.length,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    p999Ms: percentile(sorted, 99.9),
    maxMs: sorted.at(-1) ?? NaN,
  };
}

export interface PreloadOptions {
  readonly events: number;
  readonly subjects: number;
  readonly seed: string;
  /**
   * Produce at about this many events/s (in chunks every 100 ms) instead of as fast as possible: a load
   * whose every event the caller knows. Default: as fast as possible, all events encoded first.
   */
  readonly ratePerSecond?: number;
  /** Called after each chunk is acknowledged. */
  readonly onProgress?: (produced: number) => void;
}

/**
 * Produces `events` events of a seeded stream (5% fraud, no bad records) and returns how many valid events
 * each subject got. Simulated time runs at `events` per 10 s ending a minute ago, so no `observedAt` lies in
 * the future when a worker reads it.
 */
export async function preloadEvents(
  producer: KafkaProducer,
  topics: TopicNames,
  options: PreloadOptions,
): Promise<Map<string, number>> {
  const codec = createCodec();
  const stream = createSignalStream({
    seed: options.seed,
    subjects: options.subjects,
    fraudRate: 0.05,
    startMs: Date.now() - 60_000,
    eventsPerSecond: options.events / 10,
    arrivals: 'uniform',
  });
  const perSubject = new Map<string, number>();
  // Encoded up front, so producing runs at the broker's pace, not the encoder's.
  const encoded: { kind: SignalKind; record: { key: string; value: Buffer } }[] = [];
  for (const event of stream) {
    const { topicKind, record } = encodeEvent(codec, event);
    if (event.valid) perSubject.set(record.key, (perSubject.get(record.key) ?? 0) + 1);
    encoded.push({ kind: topicKind, record: { key: record.key, value: record.value } });
    if (encoded.length >= options.events) break;
  }
  const chunk =
    options.ratePerSecond === undefined ? 10_000 : Math.max(1, Math.round(options.ratePerSecond / 10));
  const started = Date.now();
  for (let i = 0; i < encoded.length; i += chunk) {
    const byKind = new Map<SignalKind, { key: string; value: Buffer }[]>();
    for (const { kind, record } of encoded.slice(i, i + chunk)) {
      const list = byKind.get(kind) ?? [];
      list.push(record);
      byKind.set(kind, list);
    }
    await Promise.all([...byKind].map(([kind, records]) => produceRecords(producer, topics[kind], records)));
    const produced = Math.min(encoded.length, i + chunk);
    options.onProgress?.(produced);
    if (options.ratePerSecond !== undefined) {
      const due = started + (produced / options.ratePerSecond) * 1000;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
    }
  }
  return perSubject;
}

export interface SimulateOptions {
  readonly brokers: string;
  readonly topicPrefix: string;
  readonly ratePerSecond: number;
  readonly durationMs: number;
  readonly subjects: number;
  readonly seed: string;
  /** Pass the simulator's progress lines through to stderr. Default false (shown only if it fails). */
  readonly verbose?: boolean;
}

/**
 * `dmid simulate` at a fixed rate for a fixed time, open loop (paced by the clock, not by the worker), in
 * a child process as providers would be; resolves when it exits 0.
 */
export function simulateInChild(options: SimulateOptions): Promise<void> {
  const cli = new URL('../src/cli/bin.ts', import.meta.url).pathname;
  const args = ['--import', 'tsx', cli, 'simulate'];
  args.push('--rate', String(options.ratePerSecond), '--duration-ms', String(options.durationMs));
  args.push('--subjects', String(options.subjects), '--seed', options.seed);
  const child = spawn(process.execPath, args, {
    env: {
      PATH: process.env.PATH,
      DMID_KAFKA_BROKERS: options.brokers,
      DMID_TOPIC_PREFIX: options.topicPrefix,
    },
    stdio: ['ignore', 'ignore', options.verbose === true ? 'inherit' : 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`dmid simulate exited with ${code}: ${stderr}`)),
    );
  });
}

/** Unlinks every key under `prefix` (a benchmark's own random prefix). */
export async function deleteKeys(redis: Redis, prefix: string, perUnlink = 1000): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    for (let i = 0; i < keys.length; i += perUnlink) await redis.unlink(...keys.slice(i, i + perUnlink));
    cursor = next;
  } while (cursor !== '0');
}
