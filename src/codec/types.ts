/**
 * TypeScript shapes of the records in `schemas/` (the contract, ../shared/contract.md).
 *
 * Timestamps (`timestamp-millis`) are numbers of milliseconds since the Unix epoch, UTC: the codec does
 * not turn them into Date objects, so decoding allocates nothing per timestamp and JSON stays plain.
 * Nullable fields are `null`, never `undefined`.
 */

export const SIGNAL_KINDS = ['telecom', 'location', 'biometric', 'registry'] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

/** The common header: the first fields of every signal record. */
export interface SignalHeader {
  /** UUID, unique per event: the idempotency key. */
  eventId: string;
  /** Pseudonymous subject (see src/privacy/pseudonymize.ts); never a raw identifier. */
  subjectId: string;
  providerId: string;
  /** Event time, epoch milliseconds UTC. */
  observedAt: number;
}

export type LineType = 'POSTPAID' | 'PREPAID' | 'VOIP' | 'UNKNOWN';
export type KycMatch = 'FULL' | 'PARTIAL' | 'NONE' | 'UNKNOWN';

export interface TelecomSignal extends SignalHeader {
  msisdnHash: string;
  carrier: string;
  lineType: LineType;
  tenureDays: number;
  simSwappedAt: number | null;
  portedAt: number | null;
  deviceChangedAt: number | null;
  kycMatch: KycMatch;
}

export type LocationSource = 'GNSS' | 'CELL' | 'WIFI' | 'IP';

export interface LocationSignal extends SignalHeader {
  latitude: number;
  longitude: number;
  accuracyMeters: number;
  source: LocationSource;
}

export type Modality = 'FACE' | 'FINGERPRINT' | 'IRIS' | 'VOICE';
export type CaptureChannel = 'KIOSK' | 'MOBILE' | 'BRANCH';

export interface BiometricSignal extends SignalHeader {
  modality: Modality;
  matchScore: number;
  livenessScore: number;
  qualityScore: number;
  presentationAttack: boolean;
  captureChannel: CaptureChannel;
}

export type RegistryStatus = 'ACTIVE' | 'SUSPENDED' | 'DECEASED' | 'UNKNOWN';

export interface RegistrySignal extends SignalHeader {
  registry: string;
  recordFound: boolean;
  nameMatch: number;
  birthDateMatch: boolean;
  status: RegistryStatus;
  documentValid: boolean;
}

export interface SignalByKind {
  telecom: TelecomSignal;
  location: LocationSignal;
  biometric: BiometricSignal;
  registry: RegistrySignal;
}

export type Signal = SignalByKind[SignalKind];

export type Dimension = 'TELECOM' | 'LOCATION' | 'BIOMETRIC' | 'REGISTRY';
export type AssuranceLevel = 'NONE' | 'LOW' | 'SUBSTANTIAL' | 'HIGH';

export interface DimensionScore {
  dimension: Dimension;
  score: number;
  present: boolean;
  evidenceAt: number | null;
  weight: number;
}

export interface Reason {
  code: string;
  dimension: Dimension;
  impact: number;
  /**
   * The reason's exact contribution in log-odds (identity-fusion 2: its additive term after calibration;
   * with the bias they sum to logit(confidence)). 0 from the rules scorer and in records written before
   * the field existed (the schema's default).
   */
  logOdds: number;
}

export interface IdentityScore {
  scoreId: string;
  subjectId: string;
  computedAt: number;
  confidence: number;
  assuranceLevel: AssuranceLevel;
  dimensions: DimensionScore[];
  reasons: Reason[];
  modelVersion: string;
  triggerEventId: string;
}

/** A hash commitment to one score record; carries no personal data. */
export interface AnchorEvent {
  anchorId: string;
  scoreId: string;
  /** Hex SHA-256 of the canonical encoding of the score record. */
  recordHash: string;
  /** Hex HMAC-SHA-256 of the subject id under the subject's random salt. */
  subjectCommitment: string;
  computedAt: number;
  modelVersion: string;
  /** What `recordHash` commits to (added in v2 of the schema; absent is written as `SCORE`). */
  anchoredRecord?: AnchoredRecord;
  /** The committed decision record's id when `anchoredRecord` is `DECISION`, else null. */
  decisionId?: string | null;
}

export type AnchoredRecord = 'SCORE' | 'DECISION';

export type AlertKind = 'ASSURANCE_DROPPED' | 'DENY_CODE_APPEARED';

/** A subject's assurance fell or an alert code appeared (identity.alerts; src/alerts/). */
export interface IdentityAlert {
  alertId: string;
  subjectId: string;
  kind: AlertKind;
  reasonCodes: string[];
  previousAssuranceLevel: AssuranceLevel | null;
  assuranceLevel: AssuranceLevel;
  scoreId: string;
  computedAt: number;
}

/** The receipt of one anchor (identity.anchor-receipts; src/anchor/). */
export interface AnchorReceiptRecord {
  anchorId: string;
  /** Lower-case hex Merkle root of the anchor's batch. */
  root: string;
  /** The receipt as the JSON document of docs/receipt.md. */
  receipt: string;
}

/** Every record type of the contract, by the name used in code, CLI flags and topic mapping. */
export interface RecordByType extends SignalByKind {
  score: IdentityScore;
  anchor: AnchorEvent;
  alert: IdentityAlert;
  receipt: AnchorReceiptRecord;
}

export type RecordType = keyof RecordByType;
export const RECORD_TYPES = [
  'telecom',
  'location',
  'biometric',
  'registry',
  'score',
  'anchor',
  'alert',
  'receipt',
] as const;
