/**
 * A population generated independently of src/simulator/: a sanity check of the scorers on evidence
 * the model was not trained on. Written from the contract's field semantics only (no simulator code, its
 * own PRNG, its own distributions and parameterisation): each subject is a set of signals in the four
 * evidence windows at a fixed time NOW, built directly (no simulated days).
 *
 * Genuine people: an ordinary group and a look-alike group (elderly with poor captures, travellers, new
 * phones and SIMs, transliterated names, returners after months away, lines in someone else's name).
 * Every risk fact also occurs among ordinary people at a small rate. Attacks: six scenarios, each visible
 * in a random subset of its dimensions (the others look like an ordinary person's).
 */
import type {
  BiometricSignal,
  KycMatch,
  LineType,
  LocationSignal,
  RegistrySignal,
  TelecomSignal,
} from '../../src/codec/types.js';
import type { SubjectEvidence } from '../../src/state/evidence.js';

export const NOW = Date.UTC(2026, 5, 1, 10, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** mulberry32: small, seeded, and unrelated to the simulator's generator. */
export class Rand {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  next(): number {
    this.#s = (this.#s + 0x6d2b79f5) >>> 0;
    let t = this.#s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }
  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  int(lo: number, hi: number): number {
    return Math.floor(this.between(lo, hi + 1));
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('empty');
    return item;
  }
}

export type Group = 'ordinary' | 'look-alike' | 'attack';

export interface IndependentSubject {
  readonly group: Group;
  /** Scenario (attacks) or look-alike kind. */
  readonly kind: string;
  readonly evidence: SubjectEvidence;
}

let counter = 0;
function header(
  rand: Rand,
  subjectId: string,
  at: number,
): { eventId: string; subjectId: string; providerId: string; observedAt: number } {
  counter += 1;
  const hex = (counter.toString(16) + Math.floor(rand.next() * 2 ** 32).toString(16))
    .padStart(12, '0')
    .slice(-12);
  return {
    eventId: `00000000-0000-4000-8000-${hex}`,
    subjectId,
    providerId: 'indep',
    observedAt: Math.round(at),
  };
}

/** The person behind an identity: what an ordinary day of their evidence looks like. */
interface Person {
  readonly id: string;
  readonly home: { latitude: number; longitude: number };
  tenureDays: number;
  kyc: KycMatch;
  line: LineType;
  swapAt: number | null;
  portAt: number | null;
  deviceAt: number | null;
  quality: [number, number];
  nameMatch: number;
  birth: boolean;
  found: boolean;
  documentValid: boolean;
  silentDays: number;
}

function ordinaryPerson(rand: Rand, id: string): Person {
  const k = rand.next();
  return {
    id,
    home: { latitude: rand.between(22, 42), longitude: rand.between(102, 122) },
    tenureDays: rand.chance(0.08)
      ? rand.between(3, 150)
      : Math.exp(rand.between(Math.log(200), Math.log(7000))),
    kyc: k < 0.025 ? 'NONE' : k < 0.08 ? 'PARTIAL' : k < 0.13 ? 'UNKNOWN' : 'FULL',
    line: rand.pick<LineType>(['POSTPAID', 'PREPAID', 'PREPAID', 'POSTPAID', 'POSTPAID']),
    swapAt: rand.chance(0.02)
      ? NOW - rand.between(1, 30 * 24) * HOUR
      : rand.chance(0.3)
        ? NOW - rand.between(60, 900) * DAY
        : null,
    portAt: rand.chance(0.015) ? NOW - rand.between(2, 60) * DAY : null,
    deviceAt: rand.chance(0.06) ? NOW - rand.between(1, 30 * 24) * HOUR : NOW - rand.between(90, 1200) * DAY,
    quality: [0.55, 0.97],
    nameMatch: rand.chance(0.03) ? rand.between(0.6, 0.88) : rand.between(0.9, 1),
    birth: !rand.chance(0.008),
    found: !rand.chance(0.004),
    documentValid: !rand.chance(0.03),
    silentDays: 0,
  };
}

function telecomOf(rand: Rand, p: Person, at: number): TelecomSignal {
  const before = (t: number | null): number | null => (t !== null && t <= at ? Math.round(t) : null);
  return {
    ...header(rand, p.id, at),
    msisdnHash: `h${p.id}`,
    carrier: '46000',
    lineType: p.line,
    tenureDays: Math.max(0, Math.round(p.tenureDays - (NOW - at) / DAY)),
    simSwappedAt: before(p.swapAt),
    portedAt: before(p.portAt),
    deviceChangedAt: before(p.deviceAt),
    kycMatch: p.kyc,
  };
}

function fixOf(rand: Rand, p: Person, at: number, far = false): LocationSignal {
  const source = rand.pick(['GNSS', 'GNSS', 'WIFI', 'CELL', 'IP'] as const);
  const accuracy = {
    GNSS: rand.between(4, 40),
    WIFI: rand.between(20, 120),
    CELL: rand.between(300, 4000),
    IP: rand.between(3000, 40000),
  }[source];
  const spread = far ? rand.between(4, 12) : rand.between(0, 0.12);
  return {
    ...header(rand, p.id, at),
    latitude: p.home.latitude + spread * (rand.next() - 0.5),
    longitude: p.home.longitude + spread * (rand.next() - 0.5),
    accuracyMeters: accuracy,
    source,
  };
}

function captureOf(rand: Rand, p: Person, at: number, o: Partial<BiometricSignal> = {}): BiometricSignal {
  const q = rand.between(p.quality[0], p.quality[1]);
  return {
    ...header(rand, p.id, at),
    modality: rand.pick(['FACE', 'FACE', 'FINGERPRINT'] as const),
    matchScore: Math.min(0.999, rand.between(0.82, 0.99) - 0.6 * Math.max(0, 0.6 - q)),
    livenessScore: Math.min(0.999, rand.between(0.82, 0.99) - 0.3 * Math.max(0, 0.5 - q)),
    qualityScore: q,
    presentationAttack: false,
    captureChannel: rand.pick(['KIOSK', 'MOBILE', 'MOBILE', 'BRANCH'] as const),
    ...o,
  };
}

function registryOf(rand: Rand, p: Person, at: number, o: Partial<RegistrySignal> = {}): RegistrySignal {
  return {
    ...header(rand, p.id, at),
    registry: rand.pick(['civil', 'social-insurance']),
    recordFound: p.found,
    nameMatch: p.found ? p.nameMatch : 0,
    birthDateMatch: p.found ? p.birth : false,
    status: p.found ? (rand.chance(0.97) ? 'ACTIVE' : 'UNKNOWN') : 'UNKNOWN',
    documentValid: p.found ? p.documentValid : false,
    ...o,
  };
}

/** An ordinary stretch of evidence up to NOW − silence. */
function everyday(
  rand: Rand,
  p: Person,
): {
  telecom: TelecomSignal[];
  location: LocationSignal[];
  biometric: BiometricSignal[];
  registry: RegistrySignal[];
} {
  const end = NOW - p.silentDays * DAY - rand.between(0.05, 2) * HOUR;
  const span = (days: number): number => end - rand.between(0, days) * DAY;
  const times = (n: number, days: number): number[] =>
    Array.from({ length: n }, () => span(days)).sort((a, b) => a - b);
  const telecom = times(rand.int(1, 4), 25).map((t) => telecomOf(rand, p, t));
  const location = times(rand.int(4, 30), 2.5).map((t) => fixOf(rand, p, t, rand.chance(0.01)));
  const biometric = times(rand.int(1, 4), 9).map((t) => captureOf(rand, p, t));
  const registry = times(rand.int(1, 2), 100).map((t) => registryOf(rand, p, t));
  if (rand.chance(0.008) && biometric.length > 0) {
    // A false PAD flag, lifted by a later live capture in most cases.
    const flagged = biometric[biometric.length - 1];
    if (flagged !== undefined)
      biometric[biometric.length - 1] = {
        ...flagged,
        presentationAttack: true,
        livenessScore: rand.between(0.2, 0.6),
      };
    if (rand.chance(0.8))
      biometric.push(
        captureOf(rand, p, end + HOUR * 0.01, {
          livenessScore: rand.between(0.85, 0.99),
          captureChannel: 'BRANCH',
        }),
      );
  }
  return { telecom, location, biometric, registry };
}

type Windows = ReturnType<typeof everyday>;

function sorted(w: Windows): SubjectEvidence {
  const by = <T extends { observedAt: number; eventId: string }>(a: T, b: T): number =>
    a.observedAt - b.observedAt || (a.eventId < b.eventId ? -1 : 1);
  return {
    telecom: [...w.telecom].sort(by).slice(-16),
    location: [...w.location].sort(by).slice(-64),
    biometric: [...w.biometric].sort(by).slice(-32),
    registry: [...w.registry].sort(by).slice(-8),
  };
}

/** Look-alike kinds: genuine people whose evidence resembles an attack in one way. */
const LOOK_ALIKES: Record<string, (rand: Rand, p: Person) => Windows> = {
  elderly: (rand, p) => {
    p.quality = [0.15, 0.5];
    return everyday(rand, p);
  },
  traveller: (rand, p) => {
    const w = everyday(rand, p);
    const far = {
      ...p,
      home: {
        latitude: p.home.latitude + rand.between(-8, 8),
        longitude: p.home.longitude + rand.between(6, 14),
      },
    };
    w.location.push(fixOf(rand, far, NOW - rand.between(0.2, 6) * HOUR));
    return w;
  },
  'new-sim': (rand, p) => {
    p.swapAt = NOW - rand.between(2, 120) * HOUR;
    if (rand.chance(0.6)) p.deviceAt = (p.swapAt ?? NOW) + rand.between(0, 3) * HOUR;
    return everyday(rand, p);
  },
  transliteration: (rand, p) => {
    p.nameMatch = rand.between(0.55, 0.85);
    if (rand.chance(0.2)) p.birth = false;
    return everyday(rand, p);
  },
  returner: (rand, p) => {
    p.silentDays = rand.between(40, 200);
    const w = everyday(rand, p);
    w.biometric.push(captureOf(rand, p, NOW - rand.between(0.1, 3) * HOUR));
    w.location.push(fixOf(rand, p, NOW - rand.between(0.1, 3) * HOUR));
    return w;
  },
  'relative-line': (rand, p) => {
    p.kyc = rand.chance(0.6) ? 'NONE' : 'PARTIAL';
    p.line = 'PREPAID';
    return everyday(rand, p);
  },
};

/** Attack scenarios; `show` says whether a dimension carries the attack (else it looks ordinary). */
const ATTACKS: Record<string, (rand: Rand, p: Person, show: (chance: number) => boolean) => Windows> = {
  'sim-takeover': (rand, p, show) => {
    p.swapAt = NOW - rand.between(0.3, 36) * HOUR;
    if (show(0.7)) p.deviceAt = p.swapAt + rand.between(0, 1) * HOUR;
    const w = everyday(rand, p);
    w.telecom.push(telecomOf(rand, p, NOW - rand.between(0, 0.2) * HOUR));
    if (show(0.6)) w.location.push(fixOf(rand, p, NOW - 0.05 * HOUR, true));
    if (show(0.7))
      w.biometric.push(
        captureOf(rand, p, NOW - 0.02 * HOUR, {
          matchScore: rand.between(0.15, 0.6),
          captureChannel: 'MOBILE',
        }),
      );
    return w;
  },
  spoof: (rand, p, show) => {
    const w = everyday(rand, p);
    const attack: Partial<BiometricSignal> = show(0.5)
      ? {
          presentationAttack: true,
          livenessScore: rand.between(0.05, 0.5),
          matchScore: rand.between(0.7, 0.97),
        }
      : { livenessScore: rand.between(0.1, 0.55), matchScore: rand.between(0.7, 0.97) };
    w.biometric.push(captureOf(rand, p, NOW - 0.1 * HOUR, attack));
    if (show(0.4))
      w.biometric.push(captureOf(rand, p, NOW - 0.05 * HOUR, { ...attack, presentationAttack: false }));
    return w;
  },
  synthetic: (rand, p, show) => {
    p.tenureDays = rand.between(3, 80);
    if (show(0.7)) p.kyc = rand.pick<KycMatch>(['NONE', 'PARTIAL', 'UNKNOWN']);
    if (show(0.5)) p.line = rand.pick<LineType>(['PREPAID', 'VOIP']);
    if (rand.chance(0.5)) p.found = false;
    else {
      p.nameMatch = rand.between(0.2, 0.7);
      p.birth = !rand.chance(0.6);
    }
    return everyday(rand, p);
  },
  deceased: (rand, p) => {
    const w = everyday(rand, p);
    w.registry.push(
      registryOf(rand, p, NOW - rand.between(1, 20) * DAY, { status: 'DECEASED', documentValid: false }),
    );
    w.biometric.push(captureOf(rand, p, NOW - 0.1 * HOUR, { matchScore: rand.between(0.3, 0.75) }));
    return w;
  },
  'look-alike-impostor': (rand, p, show) => {
    const w = everyday(rand, p);
    w.biometric.push(
      captureOf(rand, p, NOW - 0.1 * HOUR, {
        matchScore: rand.between(0.35, 0.72),
        captureChannel: rand.pick(['KIOSK', 'BRANCH'] as const),
      }),
    );
    if (show(0.5)) w.location.push(fixOf(rand, p, NOW - 0.1 * HOUR, true));
    return w;
  },
  'remote-fraud': (rand, p, show) => {
    if (show(0.5)) p.line = 'VOIP';
    const w = everyday(rand, p);
    const jump = {
      ...p,
      home: {
        latitude: p.home.latitude + rand.between(10, 20),
        longitude: p.home.longitude - rand.between(15, 40),
      },
    };
    w.location.push({
      ...fixOf(rand, jump, NOW - rand.between(0.05, 1) * HOUR),
      source: 'GNSS',
      accuracyMeters: 20,
    });
    if (show(0.6))
      w.biometric.push(
        captureOf(rand, p, NOW - 0.05 * HOUR, {
          matchScore: rand.between(0.2, 0.65),
          captureChannel: 'MOBILE',
        }),
      );
    return w;
  },
};

export const ATTACK_KINDS = Object.keys(ATTACKS);
export const LOOK_ALIKE_KINDS = Object.keys(LOOK_ALIKES);

/** The population: `ordinary` + `lookAlike` genuine people and `perAttack` attacks of each scenario. */
export function independentPopulation(
  seed: number,
  ordinary: number,
  lookAlike: number,
  perAttack: number,
): IndependentSubject[] {
  const rand = new Rand(seed);
  const out: IndependentSubject[] = [];
  let n = 0;
  const person = (): Person => ordinaryPerson(rand, `indep${String((n += 1)).padStart(27, '0')}`);
  for (let i = 0; i < ordinary; i += 1)
    out.push({ group: 'ordinary', kind: 'ordinary', evidence: sorted(everyday(rand, person())) });
  for (let i = 0; i < lookAlike; i += 1) {
    const kind = rand.pick(LOOK_ALIKE_KINDS);
    out.push({
      group: 'look-alike',
      kind,
      evidence: sorted(LOOK_ALIKES[kind]?.(rand, person()) ?? everyday(rand, person())),
    });
  }
  for (const kind of ATTACK_KINDS) {
    for (let i = 0; i < perAttack; i += 1) {
      const windows = ATTACKS[kind]?.(rand, person(), (chance) => rand.chance(chance));
      if (windows !== undefined) out.push({ group: 'attack', kind, evidence: sorted(windows) });
    }
  }
  return out;
}
