/**
 * One valid record of every contract type. Float fields (Avro `float`) hold values a float32 represents
 * exactly, so a round trip through any Avro implementation gives back the same number.
 */
import type { RecordByType } from '../../../src/codec/types.js';

export const SAMPLES: { readonly [K in keyof RecordByType]: RecordByType[K] } = {
  telecom: {
    eventId: '6f1c1a52-8a7b-4c1e-9f45-0d8f0e6b5a11',
    subjectId: 'mfrggzdfmztwq2lknnwg23tpobyxe43u',
    providerId: 'carrier-cmcc',
    observedAt: 1732435200123,
    msisdnHash: 'n3cq7l4rg2dnuqvbyyxwaxk3hboiyk7k',
    carrier: 'CMCC',
    lineType: 'PREPAID',
    tenureDays: 1200,
    simSwappedAt: null,
    portedAt: 1700000000000,
    deviceChangedAt: 1731000000999,
    kycMatch: 'FULL',
  },
  location: {
    eventId: 'a3bb189e-8bf9-3888-9912-ace4e6543002',
    subjectId: 'mfrggzdfmztwq2lknnwg23tpobyxe43u',
    providerId: 'kiosk-shanghai-07',
    observedAt: 1732435260000,
    latitude: 31.230416,
    longitude: 121.473701,
    accuracyMeters: 12.5,
    source: 'GNSS',
  },
  biometric: {
    eventId: '0b7e5f0c-3a8d-4f6e-8c1b-2d9e7a6f5b4c',
    subjectId: 'mfrggzdfmztwq2lknnwg23tpobyxe43u',
    providerId: 'hospital-kiosk-ruijin-3',
    observedAt: 1732435300500,
    modality: 'FACE',
    matchScore: 0.9375,
    livenessScore: 0.875,
    qualityScore: 0.75,
    presentationAttack: false,
    captureChannel: 'KIOSK',
  },
  registry: {
    eventId: 'c9f8e7d6-b5a4-4321-8fed-cba987654321',
    subjectId: 'mfrggzdfmztwq2lknnwg23tpobyxe43u',
    providerId: 'registry-node-si-sh',
    observedAt: 1732435400000,
    registry: 'social-insurance',
    recordFound: true,
    nameMatch: 0.96875,
    birthDateMatch: true,
    status: 'ACTIVE',
    documentValid: true,
  },
  score: {
    scoreId: '5d2f0a1e-7c3b-4e9d-a1f2-3b4c5d6e7f80',
    subjectId: 'mfrggzdfmztwq2lknnwg23tpobyxe43u',
    computedAt: 1732435401000,
    confidence: 0.8312,
    assuranceLevel: 'SUBSTANTIAL',
    dimensions: [
      { dimension: 'TELECOM', score: 0.9, present: true, evidenceAt: 1732435200123, weight: 0.3 },
      { dimension: 'LOCATION', score: 0.7, present: true, evidenceAt: 1732435260000, weight: 0.2 },
      { dimension: 'BIOMETRIC', score: 0.95, present: true, evidenceAt: 1732435300500, weight: 0.3 },
      { dimension: 'REGISTRY', score: 0, present: false, evidenceAt: null, weight: 0 },
    ],
    reasons: [
      { code: 'BIO_STRONG_MATCH', dimension: 'BIOMETRIC', impact: 0.12, logOdds: 0.4 },
      { code: 'REG_MISSING', dimension: 'REGISTRY', impact: -0.08, logOdds: 0.4 },
      { code: 'TEL_TENURE_LONG', dimension: 'TELECOM', impact: 0.05, logOdds: 0.4 },
    ],
    modelVersion: 'rules-1.0.0',
    triggerEventId: 'c9f8e7d6-b5a4-4321-8fed-cba987654321',
  },
  anchor: {
    anchorId: 'e1d2c3b4-a596-4788-99aa-bbccddeeff00',
    scoreId: '5d2f0a1e-7c3b-4e9d-a1f2-3b4c5d6e7f80',
    recordHash: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    subjectCommitment: '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae',
    computedAt: 1732435401000,
    modelVersion: 'rules-1.0.0',
    anchoredRecord: 'SCORE',
    decisionId: null,
  },
  alert: {
    alertId: 'a1b2c3d4-e5f6-4789-8abc-def012345678',
    subjectId: 'mfrggzdfmztwq2lknnwg23tpobyxe43u',
    kind: 'DENY_CODE_APPEARED',
    reasonCodes: ['REG_DECEASED'],
    previousAssuranceLevel: 'SUBSTANTIAL',
    assuranceLevel: 'NONE',
    scoreId: '5d2f0a1e-7c3b-4e9d-a1f2-3b4c5d6e7f80',
    computedAt: 1732435402000,
  },
  receipt: {
    anchorId: 'a1b2c3d4-e5f6-4789-8abc-def012345679',
    root: 'fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9',
    receipt: '{"format":"dmid-receipt/1"}',
  },
};

/** A copy of `value` without `keys`: a record as an older writer, or a broken caller, would send it. */
export function without(value: object, ...keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([key]) => !keys.includes(key)));
}
