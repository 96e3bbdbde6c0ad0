/**
 * Synthetic subjects and signals for the state-store benchmarks (state-store-apply.ts,
 * state-store-live.ts): valid pseudonyms and one signal of each kind, in the mix a busy pipeline sees.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { KindedSignal } from '../src/state/state-store.js';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const BASE_MS = Date.UTC(2025, 0, 15);

export function subjectId(): string {
  let id = '';
  for (const byte of randomBytes(32)) id += BASE32[byte % 32] ?? 'a';
  return id;
}

/** Kinds in the proportion a busy pipeline sees them: location and biometric most. */
const MIX = ['location', 'location', 'location', 'biometric', 'biometric', 'telecom', 'registry'] as const;

export function signal(subject: string, n: number): KindedSignal {
  const kind = MIX[n % MIX.length] ?? 'location';
  const header = {
    eventId: randomUUID(),
    subjectId: subject,
    providerId: 'bench',
    observedAt: BASE_MS + n * 1000,
  };
  switch (kind) {
    case 'location':
      return {
        kind,
        signal: { ...header, latitude: 39.9042, longitude: 116.4074, accuracyMeters: 20, source: 'GNSS' },
      };
    case 'biometric':
      return {
        kind,
        signal: {
          ...header,
          modality: 'FACE',
          matchScore: 0.93,
          livenessScore: 0.97,
          qualityScore: 0.9,
          presentationAttack: false,
          captureChannel: 'KIOSK',
        },
      };
    case 'telecom':
      return {
        kind,
        signal: {
          ...header,
          msisdnHash: 'msisdn-3f9a1c0e77d2',
          carrier: 'CMCC',
          lineType: 'POSTPAID',
          tenureDays: 800,
          simSwappedAt: null,
          portedAt: null,
          deviceChangedAt: null,
          kycMatch: 'FULL',
        },
      };
    case 'registry':
      return {
        kind,
        signal: {
          ...header,
          registry: 'social-insurance',
          recordFound: true,
          nameMatch: 1,
          birthDateMatch: true,
          status: 'ACTIVE',
          documentValid: true,
        },
      };
  }
}
