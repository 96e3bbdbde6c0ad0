/**
 * The one pure function from a subject's evidence to its features, used by the scoring pipeline and by
 * model training alike.
 */
import type { SubjectEvidence } from '../state/evidence.js';
import { biometricFeatures, type BiometricFeatures } from './biometric-features.js';
import { locationFeatures, type LocationFeatures } from './location-features.js';
import { registryFeatures, type RegistryFeatures } from './registry-features.js';
import { telecomFeatures, type TelecomFeatures } from './telecom-features.js';

/** Every feature of one subject at one time: one typed record per dimension. */
export interface SubjectFeatures {
  /** The time the features describe, epoch ms: only evidence observed at or before it counts. */
  readonly asOfMs: number;
  readonly telecom: TelecomFeatures;
  readonly location: LocationFeatures;
  readonly biometric: BiometricFeatures;
  readonly registry: RegistryFeatures;
}

/**
 * Features of a subject at `nowMs` (epoch ms) from its evidence windows. Pure: the same evidence and time
 * always give the same features, whatever order the events arrived in.
 */
export function extractFeatures(evidence: SubjectEvidence, nowMs: number): SubjectFeatures {
  return {
    asOfMs: nowMs,
    telecom: telecomFeatures(evidence.telecom, nowMs),
    location: locationFeatures(evidence.location, nowMs),
    biometric: biometricFeatures(evidence.biometric, nowMs),
    registry: registryFeatures(evidence.registry, nowMs),
  };
}
