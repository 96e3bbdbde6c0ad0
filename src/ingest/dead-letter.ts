/**
 * Dead letters: a record dmid cannot use goes to `signals.dlq` with headers saying why (contract.md,
 * "Nothing is lost"), so that a provider can find and fix it and nothing disappears silently.
 *
 * The value and key are the original bytes only where they are proven free of raw identifiers (a topic
 * must never hold one): src/privacy/dead-letter-redaction.ts drops a key that is not a pseudonym and a
 * value refused for, or found to hold, a raw identifier, leaving `dlq.redacted: true` and SHA-256 headers
 * so the provider can match the letter against what it sent.
 */
import type { DlqReason } from '../errors.js';
import { redactDeadLetter } from '../privacy/dead-letter-redaction.js';
import type { InboundRecord, OutboundRecord } from './transport.js';

const REDACTED_REASONS: ReadonlySet<DlqReason> = new Set(['PII_IN_SUBJECT_ID', 'PII_IN_FIELD']);

export interface DeadLetter {
  readonly record: InboundRecord;
  readonly reason: DlqReason;
  /** Says what is wrong without personal data (codec and validation messages name fields, not values). */
  readonly message: string;
}

export interface DeadLetterSource {
  readonly topic: string;
  readonly partition: number;
  readonly groupId: string;
}

export function toDeadLetterRecord(letter: DeadLetter, source: DeadLetterSource): OutboundRecord {
  const headers: Record<string, string> = {
    'dlq.reason': letter.reason,
    'dlq.error': letter.message,
    'dlq.topic': source.topic,
    'dlq.partition': String(source.partition),
    'dlq.offset': letter.record.offset,
    'dlq.timestamp': String(letter.record.timestampMs),
    'dlq.group': source.groupId,
  };
  const redacted = redactDeadLetter({
    key: letter.record.key,
    value: letter.record.value,
    refusedForPii: REDACTED_REASONS.has(letter.reason),
  });
  return { key: redacted.key, value: redacted.value, headers: { ...headers, ...redacted.headers } };
}
