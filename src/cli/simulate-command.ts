/**
 * `dmid simulate`: a seeded population of subjects living through ordinary days and fraud scenarios,
 * published in real time to the contract's signal topics (or printed, with --dry-run).
 */
import { parseArgs } from 'node:util';
import type { Codec } from '../codec/codec.js';
import { createConfiguredCodec } from '../codec/schema-files.js';
import type { SignalKind } from '../codec/types.js';
import { loadConfig, type TopicNames } from '../config.js';
import { produceRecords, type KafkaProducer } from '../ingest/kafka-client.js';
import type { SimulatedRecord } from '../simulator/encode.js';
import { publish, type PublishProgress, type SimulatorSink } from '../simulator/publish.js';
import { ATTACK_SCENARIOS, BENIGN_SCENARIOS } from '../simulator/scenario-catalogue.js';
import { createSignalStream } from '../simulator/stream.js';
import { usage, writeLine, type CliIo } from './io.js';
import { count } from './suggest.js';
import { kafkaClientFor } from './kafka-config.js';

export const SIMULATE_HELP = `Usage: dmid simulate [options]

Publishes a realistic, seeded stream of telecom, location, biometric and registry signals to the
contract's signal topics, keyed by subjectId, at a steady rate, until --count records were sent,
--duration-ms passed or it is interrupted (Ctrl-C). Records are observed "now": observedAt follows
the wall clock. Progress goes to standard error.

Options:
  --rate N[/s]        records per second (default 1000)
  --count N           stop after exactly N records
  --duration-ms MS    stop after MS milliseconds
  --subjects N        size of the simulated population, up to 200000 (default 10000)
  --seed S            seed (default 1): the same seed and options give the same subjects and
                      events (only the timestamps move with the start time)
  --fraud-rate F      share of subjects living through an attack, 0..1 (default 0.05); another
                      10% live through a benign surprise
  --bad-rate F        share of records made invalid on purpose, one kind per dead-letter reason,
                      0..1 (default 0); each carries the header sim.expected-reason
  --dry-run           print the records as JSON lines on standard output instead of producing
                      them (no Kafka): topic, key, headers and the decoded value (valueBase64 for
                      bytes that do not decode)

Attacks: ${ATTACK_SCENARIOS.join(', ')}.
Benign surprises: ${BENIGN_SCENARIOS.join(', ')}.`;

const DEFAULT_RATE = 1000;
const DEFAULT_SUBJECTS = 10_000;
/** Each subject costs about 1.5 KB of heap: 200,000 take some 300 MB and a second to build. */
const MAX_SUBJECTS = 200_000;
const DEFAULT_FRAUD_RATE = 0.05;
const BENIGN_RATE = 0.1;
/** Episode window when the run has no bound: scenarios keep starting for an hour. */
const UNBOUNDED_WINDOW_MS = 3_600_000;
const MIN_WINDOW_MS = 60_000;

interface Options {
  readonly rate: number;
  readonly count: number | undefined;
  readonly durationMs: number | undefined;
  readonly subjects: number;
  readonly seed: string;
  readonly fraudRate: number;
  readonly badRate: number;
  readonly dryRun: boolean;
}

function wholeNumber(
  flag: string,
  text: string | undefined,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > max)
    throw usage(`${flag} must be a whole number from 1 to ${max}`);
  return value;
}

function share(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !(value >= 0 && value <= 1)) throw usage(`${flag} must be a number from 0 to 1`);
  return value;
}

function rate(text: string | undefined): number {
  if (text === undefined) return DEFAULT_RATE;
  const match = /^(\d+(?:\.\d+)?)(?:\/s)?$/.exec(text);
  const value = Number(match?.[1]);
  if (match === null || !(value > 0))
    throw usage('--rate must be a number of records per second > 0, e.g. 2000/s');
  return value;
}

function parse(args: string[]): Options {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      rate: { type: 'string' },
      count: { type: 'string' },
      'duration-ms': { type: 'string' },
      subjects: { type: 'string' },
      seed: { type: 'string' },
      'fraud-rate': { type: 'string' },
      'bad-rate': { type: 'string' },
      'dry-run': { type: 'boolean' },
    },
  });
  if (values.seed !== undefined && values.seed.trim() === '') throw usage('--seed must not be empty');
  return {
    rate: rate(values.rate),
    count: wholeNumber('--count', values.count),
    durationMs: wholeNumber('--duration-ms', values['duration-ms']),
    subjects: wholeNumber('--subjects', values.subjects, MAX_SUBJECTS) ?? DEFAULT_SUBJECTS,
    seed: values.seed ?? '1',
    fraudRate: share('--fraud-rate', values['fraud-rate'], DEFAULT_FRAUD_RATE),
    badRate: share('--bad-rate', values['bad-rate'], 0),
    dryRun: values['dry-run'] === true,
  };
}

/** How long the run is expected to last, which is the window in which scenario episodes start. */
function scenarioWindowMs(options: Options): number {
  const spans = [
    options.count === undefined ? Infinity : (options.count * 1000) / options.rate,
    options.durationMs ?? Infinity,
  ];
  const span = Math.min(...spans);
  return Number.isFinite(span) ? Math.max(MIN_WINDOW_MS, span) : UNBOUNDED_WINDOW_MS;
}

/** One JSON line per record: what `dmid consume --envelope` would show for it, without Kafka's fields. */
function dryRunSink(io: CliIo, codec: Codec, names: TopicNames): SimulatorSink {
  return async (kind, records) => {
    for (const record of records) await writeLine(io.stdout, dryRunLine(codec, names[kind], record));
  };
}

function dryRunLine(codec: Codec, topic: string, record: SimulatedRecord): string {
  const head = `{"topic":${JSON.stringify(topic)},"key":${JSON.stringify(record.key)}`;
  const headers = record.headers === undefined ? '' : `,"headers":${JSON.stringify(record.headers)}`;
  let value: string;
  try {
    const decoded = codec.decodeAny(record.value);
    value = `"type":${JSON.stringify(decoded.type)},"value":${codec.toJson(decoded.type, decoded.value)}`;
  } catch {
    value = `"valueBase64":${JSON.stringify(record.value.toString('base64'))}`;
  }
  return `${head}${headers},${value}}`;
}

function kafkaSink(producer: KafkaProducer, names: TopicNames): SimulatorSink {
  return async (kind: SignalKind, records) => {
    await produceRecords(producer, names[kind], records);
  };
}

function progressLine(p: PublishProgress): string {
  const seconds = (p.elapsedMs / 1000).toFixed(1);
  const bad = p.bad > 0 ? `, ${p.bad} bad` : '';
  const verb = p.done ? 'simulated' : 'simulating:';
  return `dmid: ${verb} ${count(p.sent, 'record')} in ${seconds} s (${Math.round(p.ratePerSecond)}/s${bad})\n`;
}

export async function simulateCommand(args: string[], io: CliIo): Promise<number> {
  const options = parse(args);
  const config = loadConfig(io.env);
  const names = config.topics.names;
  const codec = createConfiguredCodec(config.extraSchemaDir);
  const stream = createSignalStream({
    seed: options.seed,
    subjects: options.subjects,
    fraudRate: options.fraudRate,
    benignRate: Math.min(BENIGN_RATE, 1 - options.fraudRate),
    badRate: options.badRate,
    startMs: Date.now(),
    eventsPerSecond: options.rate,
    arrivals: 'uniform',
    scenarioWindowMs: scenarioWindowMs(options),
  });
  const producer = options.dryRun ? undefined : await kafkaClientFor(config).producer();
  try {
    await publish({
      stream,
      sink: producer === undefined ? dryRunSink(io, codec, names) : kafkaSink(producer, names),
      ratePerSecond: options.rate,
      codec,
      signal: io.signal,
      onProgress: (p) => io.stderr.write(progressLine(p)),
      ...(options.count === undefined ? {} : { count: options.count }),
      ...(options.durationMs === undefined ? {} : { durationMs: options.durationMs }),
    });
    return 0;
  } finally {
    await producer?.disconnect();
  }
}
