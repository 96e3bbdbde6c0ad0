/**
 * The labelled data of the identity-fusion model, generated from the simulator: a seeded population of
 * genuine subjects, attack scenarios and benign look-alikes lives through weeks of simulated time; every
 * identity claim (a biometric capture) becomes one row, with the features the pipeline would compute at
 * that moment (the same evidence windows, the same feature code) and the simulator's ground truth.
 *
 * Deterministic: the same options give the same rows. Train, validation and test sets come from different
 * seeds (different people), see {@link splitSeeds}.
 */
import type {
  BiometricSignal,
  CaptureChannel,
  LineType,
  LocationSignal,
  RegistrySignal,
  TelecomSignal,
} from '../codec/types.js';
import { extractFeatures, type SubjectFeatures } from '../features/extract-features.js';
import { FEATURE_COUNT } from '../features/feature-vector.js';
import { capOf } from '../scoring/caps.js';
import { DEFAULT_HALF_LIVES_MS, type HalfLives } from '../scoring/decay.js';
import { allocateRows, writeRow, type ModelRows } from '../scoring/model/model-inputs.js';
import { createRulesScorer } from '../scoring/rules-scorer.js';
import { DIMENSION_INDEX } from '../scoring/scorer.js';
import { RuleHits } from '../scoring/sub-scores.js';
import type { Seed } from '../simulator/prng.js';
import { SCENARIOS, type ScenarioId } from '../simulator/scenario-catalogue.js';
import type { ValidEvent } from '../simulator/events.js';
import { createSignalStream, type SignalStreamOptions } from '../simulator/stream.js';
import { DAY_MS } from '../simulator/time.js';
import { WINDOW_SIZES } from '../state/evidence.js';
import { insertIntoWindow } from '../state/window.js';

/** Options of {@link generateLabelledData}. */
export interface LabelledDataOptions {
  readonly seed: Seed;
  /** Subjects in the population. Default 3,000. */
  readonly subjects?: number;
  /** Share of subjects with an attack scenario. Default 0.3 (far above real life: attacks need rows). */
  readonly fraudRate?: number;
  /** Share of subjects with a benign look-alike. Default 0.3. */
  readonly benignRate?: number;
  /** Simulated days before the episodes window, so subjects have a past. Default 21. */
  readonly historyDays?: number;
  /** Days over which episodes start. Default 14. */
  readonly episodeDays?: number;
  /** Days simulated after the episode window, so the last episodes play out. Default 3. */
  readonly tailDays?: number;
  /** Domain-randomisation factor of the population (population.ts `shift`). Default 1. */
  readonly shift?: number;
  /** Half-lives for the freshness inputs. Default: the engine's defaults. */
  readonly halfLives?: HalfLives;
  /** Called with each claim's features and time, after its row is written (benchmarks reuse them). */
  readonly onClaim?: (features: SubjectFeatures, atMs: number) => void;
  /** Called now and then with the share done, 0..1. */
  readonly onProgress?: (done: number) => void;
}

/** Rows with their ground truth; row `i` of every array belongs to claim `i`. */
export interface LabelledData {
  readonly rows: ModelRows;
  /** 1: the genuine subject claimed; 0: an attack. */
  readonly genuine: Uint8Array;
  /** Per row 4 auxiliary labels (TELECOM, LOCATION, BIOMETRIC, REGISTRY): 0 when the attack touches it. */
  readonly aux: Uint8Array;
  readonly scenario: readonly ScenarioId[];
  /** The contract's cap on each claim's confidence (caps.ts; 1 when none), as the scorers apply it. */
  readonly cap: Float64Array;
  /** The rules baseline's confidence of each claim (the comparison of the evaluation). */
  readonly rulesConfidence: Float64Array;
  readonly channel: readonly CaptureChannel[];
  /** The line type on the newest carrier report ('UNKNOWN' when none). */
  readonly lineType: readonly LineType[];
}

/** The simulated time the episodes window starts at: fixed, so a seed alone decides the data. */
export const DATA_START_MS = Date.UTC(2026, 0, 5);

/** The three seeds of a training run: different populations for train, validation and test. */
export function splitSeeds(seed: Seed): { train: string; validation: string; test: string } {
  return { train: `${seed}/train`, validation: `${seed}/validation`, test: `${seed}/test` };
}

interface Windows {
  readonly telecom: TelecomSignal[];
  readonly location: LocationSignal[];
  readonly biometric: BiometricSignal[];
  readonly registry: RegistrySignal[];
}

/** Inserts an event into its window by the state store's rule (src/state/window.ts). */
function insert(w: Windows, event: ValidEvent): void {
  switch (event.kind) {
    case 'telecom':
      insertIntoWindow(w.telecom, event.record, WINDOW_SIZES.telecom);
      break;
    case 'location':
      insertIntoWindow(w.location, event.record, WINDOW_SIZES.location);
      break;
    case 'biometric':
      insertIntoWindow(w.biometric, event.record, WINDOW_SIZES.biometric);
      break;
    case 'registry':
      insertIntoWindow(w.registry, event.record, WINDOW_SIZES.registry);
      break;
  }
}

/** Growable columns, copied into exact-size arrays at the end. */
class Columns {
  rows = allocateRows(1024);
  genuine = new Uint8Array(1024);
  aux = new Uint8Array(4096);
  rules = new Float64Array(1024);
  cap = new Float64Array(1024);
  readonly scenario: ScenarioId[] = [];
  readonly channel: CaptureChannel[] = [];
  readonly lineType: LineType[] = [];
  count = 0;

  ensure(): void {
    if (this.count < this.genuine.length) return;
    const size = this.genuine.length * 2;
    const rows = allocateRows(size);
    rows.vectors.set(this.rows.vectors);
    rows.rulesRaw.set(this.rows.rulesRaw);
    rows.fresh.set(this.rows.fresh);
    rows.present.set(this.rows.present);
    this.rows = rows;
    this.genuine = grow(this.genuine, size);
    this.aux = grow(this.aux, size * 4);
    this.rules = growFloat(this.rules, size);
    this.cap = growFloat(this.cap, size);
  }

  finish(): LabelledData {
    const n = this.count;
    return {
      rows: {
        count: n,
        vectors: this.rows.vectors.slice(0, n * FEATURE_COUNT),
        rulesRaw: this.rows.rulesRaw.slice(0, n * 4),
        fresh: this.rows.fresh.slice(0, n * 4),
        present: this.rows.present.slice(0, n * 4),
      },
      genuine: this.genuine.slice(0, n),
      aux: this.aux.slice(0, n * 4),
      scenario: this.scenario,
      cap: this.cap.slice(0, n),
      rulesConfidence: this.rules.slice(0, n),
      channel: this.channel,
      lineType: this.lineType,
    };
  }
}

function growFloat(array: Float64Array<ArrayBuffer>, size: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(size);
  out.set(array);
  return out;
}

function grow(array: Uint8Array<ArrayBuffer>, size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  out.set(array);
  return out;
}

/** The simulator stream behind a data set (exported so tests can replay it through the state store). */
export function streamOptionsOf(options: LabelledDataOptions): SignalStreamOptions {
  return {
    seed: options.seed,
    subjects: options.subjects ?? 3_000,
    fraudRate: options.fraudRate ?? 0.3,
    benignRate: options.benignRate ?? 0.3,
    startMs: DATA_START_MS,
    historyMs: (options.historyDays ?? 21) * DAY_MS,
    scenarioWindowMs: (options.episodeDays ?? 14) * DAY_MS,
    shift: options.shift ?? 1,
  };
}

/** The simulated time a data set ends at: no event at or after it is read. */
export function dataEndMs(options: LabelledDataOptions): number {
  return DATA_START_MS + ((options.episodeDays ?? 14) + (options.tailDays ?? 3)) * DAY_MS;
}

/**
 * Runs the simulator and collects one row per claim made inside the episodes window or after it (claims
 * of the history only build up evidence).
 */
export function generateLabelledData(options: LabelledDataOptions): LabelledData {
  const historyMs = (options.historyDays ?? 21) * DAY_MS;
  const endMs = dataEndMs(options);
  const halfLives = options.halfLives ?? DEFAULT_HALF_LIVES_MS;
  const stream = createSignalStream(streamOptionsOf(options));
  const windows = new Map<number, Windows>();
  const columns = new Columns();
  const hits = new RuleHits();
  const rules = createRulesScorer({ halfLivesMs: halfLives });
  const clockStart = DATA_START_MS - historyMs;
  let nextProgress = 0;
  for (const event of stream) {
    if (event.at >= endMs) break;
    if (!event.valid) continue;
    let w = windows.get(event.subjectIndex);
    if (w === undefined) {
      w = { telecom: [], location: [], biometric: [], registry: [] };
      windows.set(event.subjectIndex, w);
    }
    insert(w, event);
    const done = (event.at - clockStart) / (endMs - clockStart);
    if (options.onProgress !== undefined && done >= nextProgress) {
      options.onProgress(done);
      nextProgress = done + 0.01;
    }
    if (event.kind !== 'biometric' || !event.claim || event.at < DATA_START_MS) continue;
    const features = extractFeatures(w, event.at);
    columns.ensure();
    const i = columns.count;
    writeRow(columns.rows, i, features, event.at, halfLives, hits);
    let cap = 1;
    for (let k = 0; k < hits.count; k += 1) cap = Math.min(cap, capOf(hits.codes[k] ?? ''));
    columns.cap[i] = cap;
    columns.genuine[i] = event.label === 'genuine' ? 1 : 0;
    const touched = event.label === 'attack' ? SCENARIOS[event.scenario].dimensions : [];
    for (let d = 0; d < 4; d += 1) columns.aux[i * 4 + d] = 1;
    for (const dimension of touched) columns.aux[i * 4 + DIMENSION_INDEX[dimension]] = 0;
    const [scored] = rules.score([
      { subjectId: event.record.subjectId, features, computedAtMs: event.at, triggerEventId: '' },
    ]);
    columns.rules[i] = scored?.confidence ?? 0;
    columns.scenario.push(event.scenario);
    columns.channel.push(event.record.captureChannel);
    columns.lineType.push(features.telecom.lineType ?? 'UNKNOWN');
    columns.count += 1;
    options.onClaim?.(features, event.at);
  }
  options.onProgress?.(1);
  return columns.finish();
}
