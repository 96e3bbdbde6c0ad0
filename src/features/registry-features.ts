/**
 * Registry features: the newest check result of each registry, combined so that a problem in any one
 * registry shows (the worst status, the lowest name match).
 *
 * Status is the worst, by DECEASED > SUSPENDED > UNKNOWN > ACTIVE, across the newest signal of each
 * registry that found a record; DECEASED and SUSPENDED count even from a registry that reports no record
 * (a registry saying "deceased" is never ignored), while the UNKNOWN that a registry without a record
 * reports does not downgrade another registry's ACTIVE.
 */
import type { RegistrySignal, RegistryStatus } from '../codec/types.js';
import { hoursSince, visibleInOrder } from './event-window.js';

/** Registry features of one subject at one time. */
export interface RegistryFeatures {
  /** Any registry signal observed by then. */
  readonly present: boolean;
  /** `observedAt` of the newest registry signal, epoch ms; null when absent. */
  readonly evidenceAt: number | null;
  /** Hours since the newest registry signal. */
  readonly ageHours: number | null;
  /** Distinct registries heard from (their newest signal counts). */
  readonly registryCount: number;
  /** Of those, how many found a record. */
  readonly foundCount: number;
  /** At least one registry found a record. */
  readonly recordFound: boolean;
  /** Lowest name match (0..1) among registries that found a record; null when none did. */
  readonly nameMatch: number | null;
  /** Every registry that found a record matched the birth date; null when none did. */
  readonly birthDateMatch: boolean | null;
  /** Every registry that found a record reports a valid document; null when none did. */
  readonly documentValid: boolean | null;
  /** Worst status (see the module comment); null when absent. */
  readonly status: RegistryStatus | null;
}

/** Features of a subject with no registry evidence. */
export const ABSENT_REGISTRY: RegistryFeatures = Object.freeze({
  present: false,
  evidenceAt: null,
  ageHours: null,
  registryCount: 0,
  foundCount: 0,
  recordFound: false,
  nameMatch: null,
  birthDateMatch: null,
  documentValid: null,
  status: null,
});

/** Severity of each status; higher is worse. */
const STATUS_SEVERITY: Readonly<Record<RegistryStatus, number>> = {
  ACTIVE: 0,
  UNKNOWN: 1,
  SUSPENDED: 2,
  DECEASED: 3,
};

/**
 * Registry features from a window of registry signals (any order; see `visibleInOrder`) at `nowMs`
 * (epoch ms). Signals observed after `nowMs` are ignored.
 */
export function registryFeatures(window: readonly RegistrySignal[], nowMs: number): RegistryFeatures {
  const signals = visibleInOrder(window, nowMs);
  const newest = signals[signals.length - 1];
  if (newest === undefined) return ABSENT_REGISTRY;
  let registryCount = 0;
  let foundCount = 0;
  let nameMatch = 1;
  let birthDateMatch = true;
  let documentValid = true;
  let status: RegistryStatus = 'UNKNOWN';
  let statusSeverity = -1;
  for (let i = signals.length - 1; i >= 0; i -= 1) {
    const signal = signals[i];
    if (signal === undefined || hasNewerOfSameRegistry(signals, i)) continue;
    registryCount += 1;
    const severity = STATUS_SEVERITY[signal.status];
    const counts = signal.recordFound || severity >= STATUS_SEVERITY.SUSPENDED;
    if (counts && severity > statusSeverity) {
      status = signal.status;
      statusSeverity = severity;
    }
    if (!signal.recordFound) continue;
    foundCount += 1;
    nameMatch = Math.min(nameMatch, signal.nameMatch);
    birthDateMatch &&= signal.birthDateMatch;
    documentValid &&= signal.documentValid;
  }
  const found = foundCount > 0;
  return {
    present: true,
    evidenceAt: newest.observedAt,
    ageHours: hoursSince(newest.observedAt, nowMs),
    registryCount,
    foundCount,
    recordFound: found,
    nameMatch: found ? nameMatch : null,
    birthDateMatch: found ? birthDateMatch : null,
    documentValid: found ? documentValid : null,
    status,
  };
}

/** Windows hold a handful of signals (8), so a quadratic scan beats building a map per call. */
function hasNewerOfSameRegistry(signals: readonly RegistrySignal[], index: number): boolean {
  const registry = signals[index]?.registry;
  for (let j = index + 1; j < signals.length; j += 1) if (signals[j]?.registry === registry) return true;
  return false;
}
