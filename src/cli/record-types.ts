/** Which record type a topic carries, and how its records are keyed: shared by `produce` and `consume`. */
import type { TopicNames } from '../config.js';
import { RECORD_TYPES, SIGNAL_KINDS, type RecordType, type SignalKind } from '../codec/types.js';
import { usage } from './io.js';

const TOPIC_OF_TYPE: Readonly<Record<RecordType, keyof TopicNames>> = {
  telecom: 'telecom',
  location: 'location',
  biometric: 'biometric',
  registry: 'registry',
  score: 'scores',
  anchor: 'anchors',
  alert: 'alerts',
  receipt: 'receipts',
};

export function isRecordType(value: string): value is RecordType {
  return (RECORD_TYPES as readonly string[]).includes(value);
}

export function isSignalKind(value: string): value is SignalKind {
  return (SIGNAL_KINDS as readonly string[]).includes(value);
}

/** The record type from `--type`, else from the topic name; a usage error when neither says. */
export function recordTypeFor(topic: string, typeFlag: string | undefined, names: TopicNames): RecordType {
  if (typeFlag !== undefined) {
    if (!isRecordType(typeFlag)) throw usage(`--type must be one of ${RECORD_TYPES.join(', ')}`);
    return typeFlag;
  }
  const found = RECORD_TYPES.find((type) => names[TOPIC_OF_TYPE[type]] === topic);
  if (found === undefined) throw usage(`topic '${topic}' is not a topic of the contract: give --type`);
  return found;
}
