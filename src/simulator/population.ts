/**
 * The simulated population: who the subjects are (home, carrier, number, habits, registry record) and
 * which scenario each one lives through, all drawn from the seed before the first event.
 *
 * Proportions are set to look like China's market and habits, to the precision a test stream needs:
 * China Mobile holds about 57% of lines, Telecom 24%, Unicom 18%; most numbers are years old; real-name
 * (KYC) registration is mandatory, so nearly all lines match; people open location-reporting apps
 * several times a day but see a hospital kiosk a few times a year.
 */
import type { KycMatch, LineType, RegistryStatus } from '../codec/types.js';
import { CITIES, CITY_WEIGHTS, pointNear, type City, type GeoPoint } from './geo.js';
import { Prng, type Seed } from './prng.js';
import {
  ATTACK_SCENARIOS,
  BENIGN_SCENARIOS,
  mixWeights,
  type ScenarioId,
  type ScenarioMix,
} from './scenario-catalogue.js';
import { DAY_MS, MIN_SIMULATED_MS, YEAR_MS } from './time.js';

/** How often a subject does things, per day (natural, uncompressed time). */
export interface Habits {
  readonly locationPerDay: number;
  readonly telecomPerDay: number;
  /** Biometric captures per day, over all channels. */
  readonly biometricPerDay: number;
  readonly registryPerDay: number;
  /** Trips by air per year (ordinary subjects only: scenario subjects keep their episode clean). */
  readonly flightsPerYear: number;
  /** Relative use of the capture channels KIOSK, MOBILE, BRANCH. */
  readonly channelWeights: readonly [number, number, number];
}

/** What the carrier knows about the subject's line. */
export interface TelecomFacts {
  readonly msisdnHash: string;
  readonly carrier: string;
  readonly lineType: LineType;
  readonly kycMatch: KycMatch;
  /** When the subject got the number, epoch ms (may be before 2000: only tenureDays is derived from it). */
  readonly numberSince: number;
  readonly simSwappedAt: number | null;
  readonly portedAt: number | null;
  readonly deviceChangedAt: number | null;
}

/** What a registry check of the subject finds (never the record itself: the contract). */
export interface RegistryFacts {
  readonly recordFound: boolean;
  readonly nameMatch: number;
  readonly birthDateMatch: boolean;
  readonly status: RegistryStatus;
  readonly documentValid: boolean;
}

/** One simulated person (or, for a synthetic identity, one made-up person). Never mutated. */
export interface Subject {
  readonly index: number;
  readonly subjectId: string;
  readonly scenario: ScenarioId;
  /** When the scenario's episode starts, epoch ms; null for ordinary subjects. */
  readonly episodeAt: number | null;
  /** The subject produces no event in [silentFrom, silentUntil) (dormancy, death, not yet existing). */
  readonly silentFrom: number;
  readonly silentUntil: number;
  readonly city: City;
  readonly home: GeoPoint;
  readonly work: GeoPoint;
  /** Speed of everyday movement between home and work, km/h. */
  readonly speedKmh: number;
  /** Typical capture quality of this person (age, skin, habits), 0..1. */
  readonly captureQuality: number;
  /** Chance that a bona fide capture of this subject is wrongly flagged by PAD. */
  readonly padFalseFlagRate: number;
  readonly habits: Habits;
  readonly telecom: TelecomFacts;
  readonly registry: RegistryFacts;
}

export interface PopulationOptions {
  readonly seed: Seed;
  readonly subjects: number;
  /** Share of subjects with an attack scenario, 0..1. */
  readonly fraudRate: number;
  /** Share of subjects with a benign surprise, 0..1; fraudRate + benignRate ≤ 1. */
  readonly benignRate: number;
  readonly scenarioMix?: ScenarioMix;
  /** When the stream's clock starts (history included), epoch ms. */
  readonly clockStartMs: number;
  /** Episodes start in [startMs + 10% of the window, startMs + scenarioWindowMs). */
  readonly startMs: number;
  readonly scenarioWindowMs: number;
  /**
   * Domain-randomisation factor, ≥ 1 (default 1): every genuine base rate of a risk fact is multiplied by
   * it and capture quality spreads wider. The model's shift test evaluates on a population drawn with 2.
   */
  readonly shift?: number;
}

export interface Population {
  readonly subjects: readonly Subject[];
  /** Sum of the subjects' natural event rates, events per second. */
  readonly naturalEventsPerSecond: number;
}

const CARRIERS = ['46000', '46002', '46007', '46011', '46003', '46001', '46009', '46015'];
/** Market shares of {@link CARRIERS}: China Mobile codes, then Telecom, Unicom, Broadnet. */
const CARRIER_WEIGHTS = [45, 8, 4, 20, 4, 15, 3, 1];
const LINE_TYPES: readonly LineType[] = ['POSTPAID', 'PREPAID', 'VOIP', 'UNKNOWN'];

/** Builds the population: the same options always give the same subjects. */
export function createPopulation(options: PopulationOptions): Population {
  const prng = new Prng(options.seed, 'population');
  const attackWeights = mixWeights(ATTACK_SCENARIOS, options.scenarioMix ?? {});
  const benignWeights = mixWeights(BENIGN_SCENARIOS, options.scenarioMix ?? {});
  if (options.fraudRate > 0 && attackWeights.every((w) => w === 0)) {
    throw new RangeError('scenarioMix disables every attack scenario but fraudRate is above 0');
  }
  if (options.benignRate > 0 && benignWeights.every((w) => w === 0)) {
    throw new RangeError('scenarioMix disables every benign scenario but benignRate is above 0');
  }
  const subjects: Subject[] = [];
  let perDay = 0;
  for (let index = 0; index < options.subjects; index++) {
    const u = prng.float();
    let scenario: ScenarioId = 'ordinary';
    if (u < options.fraudRate) scenario = ATTACK_SCENARIOS[prng.weightedIndex(attackWeights)] ?? 'ordinary';
    else if (u < options.fraudRate + options.benignRate) {
      scenario = BENIGN_SCENARIOS[prng.weightedIndex(benignWeights)] ?? 'ordinary';
    }
    const subject = createSubject(prng, index, scenario, options);
    perDay += totalPerDay(subject.habits);
    subjects.push(subject);
  }
  return { subjects, naturalEventsPerSecond: perDay / 86_400 };
}

/** Events per day of all kinds. */
export function totalPerDay(h: Habits): number {
  return h.locationPerDay + h.telecomPerDay + h.biometricPerDay + h.registryPerDay;
}

function createSubject(prng: Prng, index: number, scenario: ScenarioId, options: PopulationOptions): Subject {
  const city = CITIES[prng.weightedIndex(CITY_WEIGHTS)] ?? CITIES[0];
  if (city === undefined) throw new RangeError('no cities');
  const home = pointNear(prng, city, city.radiusKm);
  const shift = Math.max(1, options.shift ?? 1);
  const episodeAt =
    scenario === 'ordinary'
      ? null
      : Math.floor(options.startMs + options.scenarioWindowMs * prng.uniform(0.1, 1));
  const base = {
    index,
    subjectId: prng.base32(32),
    scenario,
    episodeAt,
    silentFrom: Number.POSITIVE_INFINITY,
    silentUntil: Number.POSITIVE_INFINITY,
    city,
    home,
    work: pointNear(prng, home, prng.uniform(2, 15)),
    speedKmh: prng.uniform(15, 40),
    captureQuality: prng.clampedNormal(0.78 - 0.04 * (shift - 1), 0.07 * shift, 0.5 / shift, 0.95),
    padFalseFlagRate: 0.005 * shift,
    habits: drawHabits(prng),
    telecom: genuineTelecom(prng, options, shift),
    registry: genuineRegistry(prng, shift),
  } satisfies Subject;
  return episodeAt === null ? base : shapeForScenario(prng, base, episodeAt);
}

function drawHabits(prng: Prng): Habits {
  const kioskPerWeek = prng.logNormal(0.15, 0.8);
  const appPerWeek = prng.chance(0.35) ? 0 : prng.logNormal(1, 0.8);
  const branchPerWeek = prng.logNormal(0.02, 0.5);
  return {
    locationPerDay: Math.min(80, Math.max(1, prng.logNormal(10, 0.6))),
    telecomPerDay: prng.logNormal(1, 0.3),
    biometricPerDay: (kioskPerWeek + appPerWeek + branchPerWeek) / 7,
    registryPerDay: prng.logNormal(1, 0.5) / 30,
    flightsPerYear: prng.chance(0.45) ? 0 : prng.logNormal(2, 0.8),
    channelWeights: [kioskPerWeek, appPerWeek, branchPerWeek],
  };
}

/** A time in [from, to], or null when the range is empty; never before {@link MIN_SIMULATED_MS}. */
function timeBetween(prng: Prng, from: number, to: number): number | null {
  const lo = Math.max(from, MIN_SIMULATED_MS);
  return to <= lo ? null : Math.floor(prng.uniform(lo, to));
}

/**
 * Genuine carrier facts. Every telecom risk fact also happens to genuine people, at these base rates
 * (× `shift`), so that no fact alone marks an attack:
 * - KYC: FULL 90%, PARTIAL 4% (old registrations, name variants), NONE 2% (a line registered to a relative
 *   or an employer), UNKNOWN the rest; line types 55% postpaid, 42% prepaid, 1% VoIP;
 * - during the simulated period: a SIM swap for 3% (lost or damaged SIM, eSIM conversion; half of them with
 *   a new handset the same day), a port for 1.5% (operator change), a new handset for 5% (people replace
 *   phones every 2–3 years, ~4% a month);
 * - a number held for 5 to 120 days: 6%.
 */
function genuineTelecom(prng: Prng, options: PopulationOptions, shift: number): TelecomFacts {
  const clockStartMs = options.clockStartMs;
  const endMs = options.startMs + options.scenarioWindowMs;
  const tenureMs = prng.chance(0.06 * shift)
    ? prng.uniform(5, 120) * DAY_MS
    : Math.min(25, Math.max(0.3, prng.logNormal(5, 0.7))) * YEAR_MS;
  const numberSince = Math.floor(clockStartMs - tenureMs);
  const oldBefore = clockStartMs - 60 * DAY_MS;
  const during = (): number => Math.floor(prng.uniform(Math.max(clockStartMs, numberSince), endMs));
  const k = prng.float();
  const kycMatch: KycMatch =
    k < 0.02 * shift ? 'NONE' : k < 0.06 * shift ? 'PARTIAL' : k < 0.06 * shift + 0.04 ? 'UNKNOWN' : 'FULL';
  let simSwappedAt = prng.chance(0.2) ? timeBetween(prng, numberSince, oldBefore) : null;
  let deviceChangedAt = prng.chance(0.9)
    ? timeBetween(prng, Math.max(numberSince, clockStartMs - 4 * YEAR_MS), oldBefore)
    : null;
  if (prng.chance(0.03 * shift)) {
    simSwappedAt = during();
    if (prng.chance(0.5)) deviceChangedAt = simSwappedAt + Math.floor(prng.uniform(0, 6) * 3_600_000);
  }
  if (prng.chance(0.05 * shift)) deviceChangedAt = during();
  const lineWeights = [55, 42, 1 * shift, 2]; // POSTPAID, PREPAID, VOIP, UNKNOWN
  return {
    msisdnHash: prng.hex(32),
    carrier: CARRIERS[prng.weightedIndex(CARRIER_WEIGHTS)] ?? '46000',
    lineType: LINE_TYPES[prng.weightedIndex(lineWeights)] ?? 'POSTPAID',
    kycMatch,
    numberSince,
    simSwappedAt,
    portedAt: prng.chance(0.015 * shift)
      ? during()
      : prng.chance(0.08)
        ? timeBetween(prng, numberSince, oldBefore)
        : null,
    deviceChangedAt,
  };
}

/**
 * Genuine registry answers, with soft mismatches at these base rates (× `shift`): a name match of 0.6 to
 * 0.9 for 3% (transliteration, typos, a name changed at marriage), a birth date not matching for 1% (data
 * entry errors), no record for 0.5% (registry lag for new residents), an invalid document for 2% (expired).
 */
function genuineRegistry(prng: Prng, shift: number): RegistryFacts {
  return {
    recordFound: !prng.chance(0.005 * shift),
    nameMatch: prng.chance(0.03 * shift)
      ? prng.uniform(0.6, 0.9)
      : prng.chance(0.98)
        ? prng.uniform(0.95, 1)
        : prng.uniform(0.9, 0.95),
    birthDateMatch: !prng.chance(0.01 * shift),
    status: prng.chance(0.995) ? 'ACTIVE' : 'UNKNOWN',
    documentValid: !prng.chance(0.02 * shift),
  };
}

function shapeForScenario(prng: Prng, subject: Subject, t0: number): Subject {
  switch (subject.scenario) {
    case 'synthetic-identity':
      return syntheticProfile(prng, subject, t0);
    case 'deceased-identity':
      return { ...subject, silentFrom: t0 - Math.floor(prng.uniform(2, 30) * DAY_MS), silentUntil: t0 };
    case 'stale-identity':
    case 'returning-resident':
      return { ...subject, silentFrom: t0 - Math.floor(prng.uniform(45, 150) * DAY_MS), silentUntil: t0 };
    case 'name-transliteration':
      return {
        ...subject,
        registry: {
          recordFound: true,
          nameMatch: prng.uniform(0.8, 0.9),
          birthDateMatch: true,
          status: 'ACTIVE',
          documentValid: true,
        },
      };
    default:
      return subject;
  }
}

function syntheticProfile(prng: Prng, subject: Subject, t0: number): Subject {
  const numberSince = t0 - Math.floor(prng.uniform(2, 60) * DAY_MS);
  const telecom: TelecomFacts = {
    ...subject.telecom,
    lineType: prng.chance(0.6) ? 'PREPAID' : 'VOIP',
    kycMatch: prng.chance(0.6) ? 'NONE' : 'PARTIAL',
    numberSince,
    simSwappedAt: null,
    portedAt: null,
    deviceChangedAt: numberSince,
  };
  return {
    ...subject,
    // A made-up person does not exist before the number that gives it a presence.
    silentFrom: Number.NEGATIVE_INFINITY,
    silentUntil: numberSince,
    telecom,
    registry: syntheticRegistry(prng),
  };
}

function syntheticRegistry(prng: Prng): RegistryFacts {
  if (prng.chance(0.6)) {
    return {
      recordFound: false,
      nameMatch: 0,
      birthDateMatch: false,
      status: 'UNKNOWN',
      documentValid: false,
    };
  }
  // A borrowed or forged record: at least one of the name and the birth date does not match.
  const nameMismatch = prng.chance(0.6);
  return {
    recordFound: true,
    nameMatch: nameMismatch ? prng.uniform(0.2, 0.6) : prng.uniform(0.9, 1),
    birthDateMatch: nameMismatch ? prng.chance(0.3) : false,
    status: 'ACTIVE',
    documentValid: prng.chance(0.5),
  };
}
