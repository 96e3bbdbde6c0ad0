/**
 * Dead letters: a record dmid cannot use goes to `signals.dlq` with headers saying why (contract.md,
 * "Nothing is lost"), so that a provider can find and fix it and nothing disappears silently.
 *
 * The value and key are the original bytes, unchanged, with one exception. A record refused because it
 * carries a raw identifier (`PII_IN_SUBJECT_ID`, `PII_IN_FIELD`) would put that identifier on a topic,
 * which the contract forbids everywhere. Such a dead letter keeps its headers but has a null key and
 * value, `dlq.redacted: true`, and `dlq.value-sha256` (the SHA-256 of the original value) so the provider
 * can match it against what it sent.
 */
import { createHash } from 'node:crypto';
import type { DlqReason } from '../errors.js';
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
  if (!REDACTED_REASONS.has(letter.reason)) {
    return { key: letter.record.key?.toString('utf8') ?? null, value: letter.record.value, headers };
  }
  headers['dlq.redacted'] = 'true';
  if (letter.record.value !== null) {
    headers['dlq.value-sha256'] = createHash('sha256').update(letter.record.value).digest('hex');
  }
  return { key: null, value: null, headers };
}
