/**
 * The benign surprises: episodes of genuine subjects that look, in one dimension, like an attack. They
 * are what keeps any single feature from separating genuine claims from attacks.
 */
import type { CaptureChannel } from '../codec/types.js';
import type { ValidEvent } from './events.js';
import {
  captureRecord,
  everydayChannel,
  registryRecord,
  telecomRecord,
  type CaptureValues,
} from './records.js';
import { emit, type SimContext } from './sim-context.js';
import type { SubjectState } from './subject-state.js';
import { roundTrip } from './trips.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './time.js';

const GENUINE = 'genuine';

/** A flight to a city 800+ km away and back some days later. */
export function flight(ctx: SimContext, state: SubjectState, t: number): ValidEvent {
  return roundTrip(ctx, state, t, { prefix: 'flight', label: GENUINE, minKm: 800 });
}

/** A new handset with the same SIM: the network sees the device change, nothing else. */
export function newPhone(ctx: SimContext, state: SubjectState, t: number): ValidEvent {
  const changedAt = t - Math.floor(ctx.prng.uniform(30 * MINUTE_MS, 48 * HOUR_MS));
  state.telecom = { ...state.telecom, deviceChangedAt: changedAt };
  const record = telecomRecord(ctx.prng, state, t);
  return emit(state, 'telecom', record, { label: GENUINE, step: 'new-phone/telecom' });
}

/** A few captures of the real subject in bad conditions: low quality, a middling match, but live. */
export function poorCapture(ctx: SimContext, state: SubjectState, t: number): ValidEvent {
  const { prng } = ctx;
  const channel: CaptureChannel = everydayChannel(prng, state);
  const attempt = (): CaptureValues => ({
    qualityScore: prng.uniform(0.2, 0.45),
    matchScore: prng.uniform(0.45, 0.7),
    livenessScore: prng.uniform(0.55, 0.9),
    presentationAttack: false,
  });
  let at = t;
  for (let i = prng.int(0, 3); i > 0; i--) {
    at += Math.floor(prng.uniform(MINUTE_MS, 4 * MINUTE_MS));
    ctx.schedule(at, (when) =>
      emit(state, 'biometric', captureRecord(prng, state, when, channel, attempt()), {
        label: GENUINE,
        step: 'poor-capture/capture',
      }),
    );
  }
  const record = captureRecord(prng, state, t, channel, attempt());
  return emit(state, 'biometric', record, { label: GENUINE, step: 'poor-capture/capture' });
}

/** A registry check that finds the record under a differently written name (population.ts sets it). */
export function nameTransliteration(ctx: SimContext, state: SubjectState, t: number): ValidEvent {
  const record = registryRecord(ctx.prng, state, t);
  return emit(state, 'registry', record, { label: GENUINE, step: 'name-transliteration/registry' });
}

/**
 * The subject comes back after months away and proves it in person with a strong live capture; half
 * of them have a new number by then.
 */
export function returningResident(ctx: SimContext, state: SubjectState, t: number): ValidEvent {
  const { prng } = ctx;
  if (prng.chance(0.5)) {
    const numberSince = t - Math.floor(prng.uniform(0, 20 * DAY_MS));
    state.telecom = {
      ...state.telecom,
      msisdnHash: prng.hex(32),
      lineType: prng.chance(0.5) ? 'PREPAID' : 'POSTPAID',
      numberSince,
      simSwappedAt: null,
      portedAt: null,
      deviceChangedAt: numberSince,
    };
  }
  ctx.schedule(t + Math.floor(prng.uniform(0, 15 * MINUTE_MS)), (when) =>
    emit(state, 'telecom', telecomRecord(prng, state, when), {
      label: GENUINE,
      step: 'returning-resident/telecom',
    }),
  );
  const channel: CaptureChannel = prng.chance(0.5) ? 'BRANCH' : 'KIOSK';
  const values: CaptureValues = {
    qualityScore: prng.uniform(0.7, 0.95),
    matchScore: prng.uniform(0.86, 0.98),
    livenessScore: prng.uniform(0.85, 0.99),
    presentationAttack: false,
  };
  const record = captureRecord(prng, state, t, channel, values);
  return emit(state, 'biometric', record, { label: GENUINE, step: 'returning-resident/claim' });
}
