/**
 * One scripted situation per negative reason code, as a change to the good subject of evidence-factory.ts
 * (scripted at its fixed time T0). The scoring unit tests run them directly; the pipeline integration
 * tests replay them through Kafka and Redis, shifted to the real clock with {@link shiftArrivals}.
 */
import { randomUUID } from 'node:crypto';
import type { Dimension, Signal } from '../../src/codec/types.js';
import type { ReasonCode } from '../../src/scoring/reasons.js';
import {
  biometric,
  homeFixes,
  hoursAgo,
  location,
  registry,
  SHANGHAI,
  telecom,
  type Arrivals,
} from './evidence-factory.js';

export interface NegativeCase {
  readonly code: ReasonCode;
  readonly dimension: Dimension;
  /** The situation, as a change to the good subject. */
  readonly arrivals: Arrivals;
  /** What falls against the good subject besides confidence: its sub-score, or (staleness) its weight. */
  readonly lowers: 'score' | 'weight' | 'presence';
}

export const NEGATIVE_CASES: readonly NegativeCase[] = [
  {
    code: 'TEL_SIM_SWAP_RECENT',
    dimension: 'TELECOM',
    lowers: 'score',
    arrivals: { telecom: [telecom({ simSwappedAt: hoursAgo(1) })] },
  },
  {
    code: 'TEL_PORTED_RECENT',
    dimension: 'TELECOM',
    lowers: 'score',
    arrivals: { telecom: [telecom({ portedAt: hoursAgo(48) })] },
  },
  {
    code: 'TEL_NUMBER_NEW',
    dimension: 'TELECOM',
    lowers: 'score',
    arrivals: { telecom: [telecom({ tenureDays: 10 })] },
  },
  {
    code: 'TEL_KYC_MISMATCH',
    dimension: 'TELECOM',
    lowers: 'score',
    arrivals: { telecom: [telecom({ kycMatch: 'NONE' })] },
  },
  {
    code: 'TEL_VOIP_LINE',
    dimension: 'TELECOM',
    lowers: 'score',
    arrivals: { telecom: [telecom({ lineType: 'VOIP' })] },
  },
  {
    code: 'LOC_IMPOSSIBLE_TRAVEL',
    dimension: 'LOCATION',
    lowers: 'score',
    arrivals: { location: [...homeFixes(6), location({ ...SHANGHAI, observedAt: hoursAgo(1.5) })] },
  },
  {
    code: 'LOC_FAR_FROM_HOME',
    dimension: 'LOCATION',
    lowers: 'score',
    arrivals: { location: [...homeFixes(6, 5), location({ ...SHANGHAI, observedAt: hoursAgo(1) })] },
  },
  {
    code: 'LOC_LOW_ACCURACY',
    dimension: 'LOCATION',
    lowers: 'score',
    arrivals: { location: [...homeFixes(6, 2), location({ accuracyMeters: 20_000, source: 'IP' })] },
  },
  {
    code: 'BIO_MATCH_LOW',
    dimension: 'BIOMETRIC',
    lowers: 'score',
    arrivals: { biometric: [biometric({ matchScore: 0.4 })] },
  },
  {
    code: 'BIO_LIVENESS_LOW',
    dimension: 'BIOMETRIC',
    lowers: 'score',
    arrivals: { biometric: [biometric({ livenessScore: 0.3 })] },
  },
  {
    code: 'BIO_PRESENTATION_ATTACK',
    dimension: 'BIOMETRIC',
    lowers: 'score',
    arrivals: {
      biometric: [biometric({ observedAt: hoursAgo(5) }), biometric({ presentationAttack: true })],
    },
  },
  {
    code: 'BIO_REPEATED_FAILURES',
    dimension: 'BIOMETRIC',
    lowers: 'score',
    arrivals: {
      biometric: [
        biometric({ observedAt: hoursAgo(20), matchScore: 0.3 }),
        biometric({ observedAt: hoursAgo(10), matchScore: 0.3 }),
        biometric({ observedAt: hoursAgo(5), matchScore: 0.3 }),
        biometric(),
      ],
    },
  },
  {
    code: 'REG_NO_RECORD',
    dimension: 'REGISTRY',
    lowers: 'score',
    arrivals: { registry: [registry({ recordFound: false, status: 'UNKNOWN' })] },
  },
  {
    code: 'REG_NAME_MISMATCH',
    dimension: 'REGISTRY',
    lowers: 'score',
    arrivals: { registry: [registry({ nameMatch: 0.5 })] },
  },
  {
    code: 'REG_BIRTHDATE_MISMATCH',
    dimension: 'REGISTRY',
    lowers: 'score',
    arrivals: { registry: [registry({ birthDateMatch: false })] },
  },
  {
    code: 'REG_DECEASED',
    dimension: 'REGISTRY',
    lowers: 'score',
    arrivals: { registry: [registry({ status: 'DECEASED' })] },
  },
  {
    code: 'REG_SUSPENDED',
    dimension: 'REGISTRY',
    lowers: 'score',
    arrivals: { registry: [registry({ status: 'SUSPENDED' })] },
  },
  {
    code: 'REG_DOCUMENT_INVALID',
    dimension: 'REGISTRY',
    lowers: 'score',
    arrivals: { registry: [registry({ documentValid: false })] },
  },
  {
    code: 'TEL_STALE',
    dimension: 'TELECOM',
    lowers: 'weight',
    arrivals: { telecom: [telecom({ observedAt: hoursAgo(40 * 24) })] },
  },
  { code: 'LOC_STALE', dimension: 'LOCATION', lowers: 'weight', arrivals: { location: homeFixes(6, 20) } },
  {
    code: 'BIO_STALE',
    dimension: 'BIOMETRIC',
    lowers: 'weight',
    arrivals: { biometric: [biometric({ observedAt: hoursAgo(10 * 24) })] },
  },
  {
    code: 'REG_STALE',
    dimension: 'REGISTRY',
    lowers: 'weight',
    arrivals: { registry: [registry({ observedAt: hoursAgo(100 * 24) })] },
  },
  { code: 'TEL_MISSING', dimension: 'TELECOM', lowers: 'presence', arrivals: { telecom: [] } },
  { code: 'LOC_MISSING', dimension: 'LOCATION', lowers: 'presence', arrivals: { location: [] } },
  { code: 'BIO_MISSING', dimension: 'BIOMETRIC', lowers: 'presence', arrivals: { biometric: [] } },
  { code: 'REG_MISSING', dimension: 'REGISTRY', lowers: 'presence', arrivals: { registry: [] } },
];

function shift<T extends Signal>(record: T, deltaMs: number, subjectId: string): T {
  const moved: T = { ...record, subjectId, eventId: randomUUID(), observedAt: record.observedAt + deltaMs };
  for (const field of ['simSwappedAt', 'portedAt', 'deviceChangedAt'] as const) {
    if (field in moved) {
      const value: unknown = Reflect.get(moved, field);
      if (typeof value === 'number') Reflect.set(moved, field, value + deltaMs);
    }
  }
  return moved;
}

/** The same arrivals for another subject, every timestamp moved by `deltaMs`, with fresh event ids. */
export function shiftArrivals(arrivals: Arrivals, deltaMs: number, subjectId: string): Arrivals {
  return {
    telecom: arrivals.telecom?.map((r) => shift(r, deltaMs, subjectId)),
    location: arrivals.location?.map((r) => shift(r, deltaMs, subjectId)),
    biometric: arrivals.biometric?.map((r) => shift(r, deltaMs, subjectId)),
    registry: arrivals.registry?.map((r) => shift(r, deltaMs, subjectId)),
  };
}
