/**
 * The signal stream: a seeded, deterministic, endless sequence of simulated signal records in event-time
 * order, with the ground truth of each (scenario, label, claim; or the dead-letter reason of a bad one).
 *
 * How time works. A simulated clock ticks out slots at `eventsPerSecond` (Poisson arrivals, or evenly
 * spaced ones); each slot yields exactly one event, stamped with the slot's time: a scenario step that
 * is due, else (with probability `badRate`) a bad record, else an everyday event of a subject drawn in
 * proportion to their habits. So the event rate is exactly the configured one, and scenario timings
 * (minutes between a SIM swap and the far-away fix, hours of a flight) are in simulated time whatever
 * the rate: a high rate compresses how often each subject acts, never the physics of an episode.
 *
 * Two uses:
 * - offline (the labelled-data generator): leave `eventsPerSecond` unset to get the population's
 *   natural rate, where a subject's day looks like a day; iterate as fast as the CPU allows;
 * - live (`dmid simulate`, the embedded mode): `startMs = Date.now()`, `eventsPerSecond` = the publish
 *   rate, `arrivals: 'uniform'`; event n is observed at `startMs + n / rate`, which a publisher pacing
 *   at that rate reaches at the same wall time (publish.ts never sends an event before it).
 *
 * An optional history (`historyMs`) runs the clock from `startMs - historyMs` at its own rate first, so
 * subjects arrive at `startMs` with a past: learned home regions, and the old evidence of a stale
 * identity.
 */
import type { SignalKind } from '../codec/types.js';
import type { DlqReason } from '../errors.js';
import { badEvent } from './bad-records.js';
import type { SimulatedEvent, ValidEvent } from './events.js';
import { createPopulation, totalPerDay, type Population } from './population.js';
import { Prng, type Seed } from './prng.js';
import { everydayEvent } from './routine.js';
import type { ScenarioMix } from './scenario-catalogue.js';
import { EPISODES } from './scenarios.js';
import type { SimContext, StepRun } from './sim-context.js';
import { StepHeap } from './step-heap.js';
import { createState, isSilent, type SubjectState } from './subject-state.js';
import { DAY_MS } from './time.js';
import { scheduleEverydayTrips } from './trips.js';

export interface SignalStreamOptions {
  readonly seed: Seed;
  /** Number of subjects, ≥ 1. */
  readonly subjects: number;
  /** Share of subjects with an attack scenario, 0..1. */
  readonly fraudRate: number;
  /** Share of subjects with a benign surprise, 0..1. Default 0.1. */
  readonly benignRate?: number;
  /** Relative weights of scenarios within attacks and within benign surprises. Default: all 1. */
  readonly scenarioMix?: ScenarioMix;
  /** Simulated time of the live part's start, epoch ms (the history, if any, comes before it). */
  readonly startMs: number;
  /** Events per second of simulated time, all kinds and bad ones included. Default: the natural rate. */
  readonly eventsPerSecond?: number;
  /** `poisson` (default): random gaps; `uniform`: evenly spaced events, for live runs. */
  readonly arrivals?: 'poisson' | 'uniform';
  /** Episodes start in [startMs + 10% of this, startMs + this), ms. Default 1 day. */
  readonly scenarioWindowMs?: number;
  /** Simulated past before `startMs`, ms. Default 0. */
  readonly historyMs?: number;
  /** Event rate during the history, per second of simulated time. Default: the natural rate. */
  readonly historyEventsPerSecond?: number;
  /** Share of slots given to deliberately invalid records, 0..1. Default 0. */
  readonly badRate?: number;
  /** Which dead-letter reasons bad records are made for. Default: all of the contract's. */
  readonly badReasons?: readonly DlqReason[];
  /** Domain-randomisation factor of the population (population.ts), ≥ 1. Default 1. */
  readonly shift?: number;
}

/** An endless iterator of events, with the population behind it. */
export type SignalStream = Generator<SimulatedEvent, never, undefined> & { readonly population: Population };

/** Earliest accepted clock start: with years of tenure drawn before it, older would near the year 2000. */
const MIN_CLOCK_START_MS = Date.UTC(2001, 0, 1);
/** Redraws of a subject for one slot before it is left empty (when many subjects are silent). */
const PICK_TRIES = 8;
/** Consecutive empty slots after which the stream gives up: nobody can produce an event any more. */
const MAX_EMPTY_SLOTS = 10_000_000;
const KINDS: readonly SignalKind[] = ['location', 'telecom', 'biometric', 'registry'];

function check(condition: boolean, message: string): void {
  if (!condition) throw new RangeError(`createSignalStream: ${message}`);
}

function validate(o: SignalStreamOptions): void {
  const share = (v: number | undefined): boolean => v === undefined || (v >= 0 && v <= 1);
  const positive = (v: number | undefined): boolean => v === undefined || (Number.isFinite(v) && v > 0);
  check(Number.isInteger(o.subjects) && o.subjects >= 1, 'subjects must be an integer >= 1');
  check(share(o.fraudRate) && share(o.benignRate) && share(o.badRate), 'rates must be within 0..1');
  check(o.fraudRate + (o.benignRate ?? 0.1) <= 1, 'fraudRate + benignRate must not exceed 1');
  check(positive(o.eventsPerSecond) && positive(o.historyEventsPerSecond), 'event rates must be > 0');
  check(positive(o.scenarioWindowMs), 'scenarioWindowMs must be > 0');
  check(
    o.historyMs === undefined || (Number.isSafeInteger(o.historyMs) && o.historyMs >= 0),
    'historyMs must be whole ms >= 0',
  );
  check(
    Number.isSafeInteger(o.startMs) && o.startMs - (o.historyMs ?? 0) >= MIN_CLOCK_START_MS,
    'startMs - historyMs must be whole epoch ms from 2001 on',
  );
  check(o.badReasons === undefined || o.badReasons.length > 0, 'badReasons must not be empty');
}

/**
 * The simulated clock: slot times at a rate that changes once, at `startMs`. Time is kept as an offset
 * from the clock's start, which is small, so that rounding never depends on the start itself: the same
 * seed gives the same events whenever the stream starts, only shifted in time.
 */
class Clock {
  private offset = 0;
  private first = true;

  constructor(
    private readonly prng: Prng,
    private readonly origin: number,
    private readonly historyMs: number,
    private readonly historyGapMs: number,
    private readonly gapMs: number,
    private readonly poisson: boolean,
  ) {}

  /** The next slot's time, whole epoch ms, non-decreasing. */
  next(): number {
    if (this.first) {
      this.first = false;
      return this.origin;
    }
    const history = this.offset < this.historyMs;
    const mean = history ? this.historyGapMs : this.gapMs;
    const next = this.offset + (this.poisson ? this.prng.exponential(mean) : mean);
    // A Poisson process is memoryless, so restarting it at the change of rate keeps it one.
    this.offset = history && next >= this.historyMs ? this.historyMs : next;
    return this.origin + Math.floor(this.offset);
  }
}

/** The engine: subjects' states, the steps scheduled, and who acts in each slot. */
class Engine implements SimContext {
  readonly prng: Prng;
  private readonly badPrng: Prng;
  private readonly heap = new StepHeap();
  private readonly states: SubjectState[];
  /** Cumulative everyday event rates of the subjects, for drawing who acts. */
  private readonly cumulative: Float64Array;
  /** Per subject, cumulative rates of location, telecom, biometric, registry (4 entries each). */
  private readonly kindCumulative: Float64Array;

  constructor(options: SignalStreamOptions, population: Population, clockStartMs: number) {
    this.prng = new Prng(options.seed, 'stream');
    this.badPrng = new Prng(options.seed, 'bad');
    this.states = population.subjects.map((s) => createState(s, clockStartMs));
    this.cumulative = new Float64Array(this.states.length);
    this.kindCumulative = new Float64Array(this.states.length * 4);
    let total = 0;
    for (const [i, { subject }] of this.states.entries()) {
      const h = subject.habits;
      const rates = [h.locationPerDay, h.telecomPerDay, h.biometricPerDay, h.registryPerDay];
      let acc = 0;
      for (const [k, rate] of rates.entries()) this.kindCumulative[i * 4 + k] = acc += rate;
      this.cumulative[i] = total += totalPerDay(h);
    }
    this.scheduleEpisodes(clockStartMs);
  }

  schedule(at: number, run: StepRun): void {
    this.heap.push(at, run);
  }

  private scheduleEpisodes(clockStartMs: number): void {
    for (const state of this.states) {
      const { scenario, episodeAt } = state.subject;
      if (scenario === 'ordinary') scheduleEverydayTrips(this, state, clockStartMs);
      else if (episodeAt !== null) {
        const start = EPISODES[scenario];
        this.schedule(episodeAt, (t) => start(this, state, t));
      }
    }
  }

  /** The event of the slot at `t`, or null when no one could act. */
  fill(t: number, badRate: number, badReasons: readonly DlqReason[] | undefined): SimulatedEvent | null {
    for (let run = this.heap.popDue(t); run !== undefined; run = this.heap.popDue(t)) {
      const event = run(t);
      if (event !== null) return event;
    }
    if (badRate > 0 && this.badPrng.chance(badRate)) {
      const state = this.states[this.badPrng.int(0, this.states.length)];
      if (state !== undefined) return badEvent(this.badPrng, state, t, badReasons);
    }
    return this.everyday(t);
  }

  private everyday(t: number): ValidEvent | null {
    for (let i = 0; i < PICK_TRIES; i++) {
      const state = this.states[this.pickSubject()];
      if (state === undefined || isSilent(state, t)) continue;
      const event = everydayEvent(this, state, this.pickKind(state.subject.index), t);
      if (event !== null) return event;
    }
    return null;
  }

  /** Binary search of a uniform draw in the cumulative rates: who acts, in proportion to habits. */
  private pickSubject(): number {
    const c = this.cumulative;
    const r = this.prng.float() * (c[c.length - 1] ?? 0);
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((c[mid] ?? 0) > r) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private pickKind(index: number): SignalKind {
    const base = index * 4;
    const r = this.prng.float() * (this.kindCumulative[base + 3] ?? 0);
    for (let k = 0; k < 3; k++) if ((this.kindCumulative[base + k] ?? 0) > r) return KINDS[k] ?? 'location';
    return 'registry';
  }
}

function* run(
  engine: Engine,
  clock: Clock,
  options: SignalStreamOptions,
): Generator<SimulatedEvent, never, undefined> {
  const badRate = options.badRate ?? 0;
  let empty = 0;
  for (;;) {
    const event = engine.fill(clock.next(), badRate, options.badReasons);
    if (event !== null) {
      empty = 0;
      yield event;
    } else if (++empty >= MAX_EMPTY_SLOTS) {
      throw new RangeError('createSignalStream: every subject has gone silent; no event can be made');
    }
  }
}

/**
 * Creates the stream. The same options give the same events, byte for byte; the population is built
 * at once, events are made as they are pulled.
 *
 * @throws RangeError for options out of range (a programmer error).
 */
export function createSignalStream(options: SignalStreamOptions): SignalStream {
  validate(options);
  const historyMs = options.historyMs ?? 0;
  const clockStartMs = options.startMs - historyMs;
  const population = createPopulation({
    seed: options.seed,
    subjects: options.subjects,
    fraudRate: options.fraudRate,
    benignRate: options.benignRate ?? 0.1,
    scenarioMix: options.scenarioMix ?? {},
    clockStartMs,
    startMs: options.startMs,
    scenarioWindowMs: options.scenarioWindowMs ?? DAY_MS,
    shift: options.shift ?? 1,
  });
  const engine = new Engine(options, population, clockStartMs);
  const rate = options.eventsPerSecond ?? population.naturalEventsPerSecond;
  const historyRate = options.historyEventsPerSecond ?? population.naturalEventsPerSecond;
  const clock = new Clock(
    engine.prng,
    clockStartMs,
    historyMs,
    1000 / historyRate,
    1000 / rate,
    options.arrivals !== 'uniform',
  );
  return Object.assign(run(engine, clock, options), { population });
}
