/**
 * The attack episodes. Each starts at the subject's `episodeAt`, changes the state the attack changes
 * (a swapped SIM, a death on record, who controls the identity), returns its first event and schedules
 * the rest. What each promises is documented in scenario-catalogue.ts and held by the scenario tests.
 */
import type { CaptureChannel } from '../codec/types.js';
import type { ValidEvent } from './events.js';
import { cityFartherThan, pointNear } from './geo.js';
import {
  captureRecord,
  impostorCapture,
  preciseFixRecord,
  registryRecord,
  telecomRecord,
  type CaptureValues,
} from './records.js';
import { emit, type SimContext } from './sim-context.js';
import { advancePosition, type SubjectState } from './subject-state.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './time.js';

const ATTACK = 'attack';

/**
 * Share of the attacks with a subtle variant that shows in only one or two dimensions while the others
 * look genuine (sim-swap takeover: telecom and one capture; impossible travel: location only; stale
 * identity: biometric and the silence). Presentation attacks (biometric), synthetic identities (registry
 * and telecom) and deceased identities (registry and biometric) show in one or two already.
 */
export const SUBTLE_SHARE = 0.3;

/** Schedules a capture at `at` as a step of an attack. */
function scheduleCapture(
  ctx: SimContext,
  state: SubjectState,
  at: number,
  step: string,
  channel: CaptureChannel,
  values: () => CaptureValues,
): void {
  ctx.schedule(at, (t) => {
    const record = captureRecord(
      ctx.prng,
      state,
      t,
      channel,
      values(),
      channel === 'MOBILE' ? 'FACE' : undefined,
    );
    return emit(state, 'biometric', record, { label: ATTACK, step });
  });
}

function scheduleTelecom(ctx: SimContext, state: SubjectState, at: number, step: string): void {
  ctx.schedule(at, (t) => emit(state, 'telecom', telecomRecord(ctx.prng, state, t), { label: ATTACK, step }));
}

/** Uniform time offset in [minMs, maxMs), whole milliseconds. */
function within(ctx: SimContext, minMs: number, maxMs: number): number {
  return Math.floor(ctx.prng.uniform(minMs, maxMs));
}

/**
 * SIM-swap takeover: the fraudster has the number moved to their SIM and a new handset, shows up far
 * away and fails the face check of the app; for hours the line (and what it reports) is theirs.
 */
export function simSwapTakeover(ctx: SimContext, state: SubjectState, t: number): ValidEvent {
  const { prng } = ctx;
  const swappedAt = t - within(ctx, 20 * MINUTE_MS, 6 * HOUR_MS);
  state.telecom = {
    ...state.telecom,
    simSwappedAt: swappedAt,
    deviceChangedAt: swappedAt + within(ctx, MINUTE_MS, 20 * MINUTE_MS),
  };
  // The quiet variant (SUBTLE_SHARE): a fraudster in the subject's own city (a relative, a colleague)
  // shows in telecom and in one capture only; location looks like the subject's own.
  const quiet = prng.chance(SUBTLE_SHARE);
  const city = cityFartherThan(prng, state.subject.home, 550);
  const point = quiet ? null : pointNear(prng, city, city.radiusKm / 2);
  state.attacker = { matchMin: 0.05, matchMax: 0.45, point };
  state.attackFrom = t;
  state.attackUntil = t + within(ctx, 6 * HOUR_MS, 48 * HOUR_MS);
  if (point !== null)
    ctx.schedule(t + within(ctx, 2 * MINUTE_MS, 20 * MINUTE_MS), (at) =>
      emit(state, 'location', preciseFixRecord(prng, state, at, point), {
        label: ATTACK,
        step: 'sim-swap-takeover/far-fix',
      }),
    );
  let at = t + within(ctx, 25 * MINUTE_MS, 40 * MINUTE_MS);
  for (let i = quiet ? 1 : prng.int(1, 4); i > 0; i--) {
    scheduleCapture(ctx, state, at, 'sim-swap-takeover/capture', 'MOBILE', () =>
      impostorCapture(prng, 0.05, 0.45),
    );
    at += within(ctx, MINUTE_MS, 5 * MINUTE_MS);
  }
  const record = telecomRecord(prng, state, t);
  return emit(state, 'telecom', record, { label: ATTACK, step: 'sim-swap-takeover/telecom' });
}

/**
 * Impossible travel: a sharp fix at home by the subject's own phone, then minutes later a sharp fix
 * from a city 1,000+ km away by a cloned or spoofed device, which then tries the app's face check.
 */
export function impossibleTravel(ctx: SimContext, state: SubjectState, t: number): ValidEvent {
  const { prng } = ctx;
  const home = advancePosition(state, prng, t);
  const city = cityFartherThan(prng, state.subject.home, 1_100);
  const point = pointNear(prng, city, city.radiusKm / 2);
  const farAt = t + within(ctx, 3 * MINUTE_MS, 30 * MINUTE_MS);
  ctx.schedule(farAt, (at) =>
    emit(state, 'location', preciseFixRecord(prng, state, at, point), {
      label: ATTACK,
      step: 'impossible-travel/far-fix',
    }),
  );
  let at = farAt + within(ctx, MINUTE_MS, 10 * MINUTE_MS);
  // The location-only variant (SUBTLE_SHARE): the cloned device never tries a face check.
  for (let i = prng.chance(SUBTLE_SHARE) ? 0 : prng.int(1, 3); i > 0; i--) {
    scheduleCapture(ctx, state, at, 'impossible-travel/capture', 'MOBILE', () =>
      impostorCapture(prng, 0.3, 0.75),
    );
    at += within(ctx, MINUTE_MS, 5 * MINUTE_MS);
  }
  // The subject's own fix, just before: the genuine half of the impossible pair.
  const record = preciseFixRecord(prng, state, t, home);
  return emit(state, 'location', record, { label: 'genuine', step: 'impossible-travel/home-fix' });
}

/** Presentation attack: a photo, replayed video or mask of the subject's face. */
export function presentationAttack(ctx: SimContext, state: SubjectState, t: number): ValidEvent {
  const { prng } = ctx;
  const channel: CaptureChannel = prng.chance(0.5) ? 'KIOSK' : 'MOBILE';
  const attempt = (first: boolean): CaptureValues => ({
    matchScore: prng.uniform(0.6, 0.95),
    livenessScore: prng.uniform(0.02, 0.4),
    qualityScore: prng.uniform(0.4, 0.9),
    presentationAttack: first || prng.chance(0.85),
  });
  let at = t;
  for (let i = prng.int(0, 3); i > 0; i--) {
    at += within(ctx, MINUTE_MS, 4 * MINUTE_MS);
    scheduleCapture(ctx, state, at, 'presentation-attack/capture', channel, () => attempt(false));
  }
  const record = captureRecord(prng, state, t, channel, attempt(true), 'FACE');
  return emit(state, 'biometric', record, { label: ATTACK, step: 'presentation-attack/capture' });
}

/**
 * Synthetic identity: the made-up person (see population.ts) enrols at a social-insurance branch: the
 * registry check fails, the carrier reports a young prepaid or VOIP line, the face matches (their own).
 */
export function syntheticIdentity(ctx: SimContext, state: SubjectState, t: number): ValidEvent {
  scheduleTelecom(ctx, state, t + within(ctx, 0, 10 * MINUTE_MS), 'synthetic-identity/telecom');
  scheduleCapture(
    ctx,
    state,
    t + within(ctx, MINUTE_MS, 30 * MINUTE_MS),
    'synthetic-identity/claim',
    'BRANCH',
    () => impostorCapture(ctx.prng, 0.85, 0.98),
  );
  const record = registryRecord(ctx.prng, state, t, 'social-insurance');
  return emit(state, 'registry', record, { label: ATTACK, step: 'synthetic-identity/registry' });
}

/**
 * Deceased identity: the civil registry reports the death, and some hours later the identity is used
 * again (a relative collecting a pension, someone with the papers).
 */
export function deceasedIdentity(ctx: SimContext, state: SubjectState, t: number): ValidEvent {
  state.registry = { ...state.registry, status: 'DECEASED', documentValid: false };
  const reuseAt = t + within(ctx, 10 * MINUTE_MS, 6 * HOUR_MS);
  state.silentUntil = reuseAt;
  state.attacker = { matchMin: 0.3, matchMax: 0.75, point: null };
  state.attackFrom = reuseAt;
  state.attackUntil = Number.POSITIVE_INFINITY;
  scheduleCapture(ctx, state, reuseAt, 'deceased-identity/claim', 'KIOSK', () =>
    impostorCapture(ctx.prng, 0.3, 0.75),
  );
  const record = registryRecord(ctx.prng, state, t, 'civil');
  return emit(state, 'registry', record, { label: ATTACK, step: 'deceased-identity/registry' });
}

/**
 * Stale identity: after months without a trace, someone else claims the identity with a fresh prepaid
 * number, uses it for some days, and disappears again.
 */
export function staleIdentity(ctx: SimContext, state: SubjectState, t: number): ValidEvent {
  const { prng } = ctx;
  // The same-line variant (SUBTLE_SHARE): the impostor holds the subject's old line and handset (a
  // relative's drawer), so telecom looks genuine; only the face and the long silence show.
  if (!prng.chance(SUBTLE_SHARE)) {
    const numberSince = t - within(ctx, 0, 20 * DAY_MS);
    state.telecom = {
      ...state.telecom,
      msisdnHash: prng.hex(32),
      lineType: 'PREPAID',
      kycMatch: prng.chance(0.5) ? 'FULL' : 'PARTIAL',
      numberSince,
      simSwappedAt: null,
      portedAt: null,
      deviceChangedAt: numberSince,
    };
  }
  state.attacker = { matchMin: 0.35, matchMax: 0.8, point: null };
  state.attackFrom = t;
  state.attackUntil = t + within(ctx, DAY_MS, 10 * DAY_MS);
  state.silentFrom = state.attackUntil;
  state.silentUntil = Number.POSITIVE_INFINITY;
  scheduleTelecom(ctx, state, t + within(ctx, 0, 15 * MINUTE_MS), 'stale-identity/telecom');
  const channel: CaptureChannel = prng.chance(0.5) ? 'BRANCH' : 'KIOSK';
  const record = captureRecord(prng, state, t, channel, impostorCapture(prng, 0.35, 0.8));
  return emit(state, 'biometric', record, { label: ATTACK, step: 'stale-identity/claim' });
}
