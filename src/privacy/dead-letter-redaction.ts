/**
 * What of a refused record may go to the dead-letter topic: its original bytes only where they are proven
 * free of raw identifiers (contract.md: no topic may hold one).
 *
 * - Key: kept only when it is a well-formed pseudonym (and the record was not refused for a raw
 *   identifier, whose letters keep nothing). Anything else (a resident ID, an e-mail, a typo) is
 *   dropped: null key, and `dlq.key-sha256` so the provider can still match it against what it sent.
 * - Value: a record refused for a raw identifier (`PII_IN_SUBJECT_ID`, `PII_IN_FIELD`) is dropped whole.
 *   Any other value (including bytes that do not decode) is scanned with the identifier guard under every
 *   text reading a producer's bytes may have: UTF-8, Latin-1 and UTF-16 (both byte orders, both
 *   alignments); on any hit it is dropped, with `dlq.value-sha256`. The guard is broad by design, so an
 *   innocent value is sometimes dropped too (its hash stays): losing bytes is recoverable, a leak is not.
 */
import { createHash } from 'node:crypto';
import { detectRawIdentifier } from './pii-guard.js';
import { isWellFormedSubjectId } from './pseudonymize.js';

export interface RedactionInput {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** The record was refused for carrying a raw identifier: its value is dropped whatever it holds. */
  readonly refusedForPii: boolean;
}

export interface Redacted {
  readonly key: string | null;
  readonly value: Buffer | null;
  /** Headers to add (`dlq.redacted`, `dlq.key-sha256`, `dlq.value-sha256`). */
  readonly headers: Readonly<Record<string, string>>;
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** The text readings of `bytes` under which a producer's identifier could appear. */
export function textReadings(bytes: Buffer): string[] {
  const readings = [bytes.toString('utf8'), bytes.toString('latin1')];
  for (const offset of [0, 1]) {
    const slice = bytes.subarray(offset, offset + ((bytes.length - offset) & ~1));
    readings.push(slice.toString('utf16le'));
    readings.push(Buffer.from(slice).swap16().toString('utf16le'));
  }
  return readings;
}

/**
 * Whether any reading holds a raw identifier. NUL and other control characters (Avro length prefixes,
 * UTF-16 high bytes) are read as separators first, so they cannot split a number out of the guard's view.
 */
export function holdsRawIdentifier(bytes: Buffer): boolean {
  return textReadings(bytes).some((text) => {
    // Control characters between digits would otherwise end a digit run; as a space they are a separator.
    // eslint-disable-next-line no-control-regex
    const spaced = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
    return detectRawIdentifier(spaced) !== null || detectRawIdentifier(text) !== null;
  });
}

export function redactDeadLetter(input: RedactionInput): Redacted {
  const headers: Record<string, string> = {};
  let key: string | null = null;
  if (input.key !== null) {
    const text = input.key.toString('utf8');
    const pseudonym = isWellFormedSubjectId(text) && Buffer.from(text, 'utf8').equals(input.key);
    if (pseudonym && !input.refusedForPii) key = text;
    else headers['dlq.key-sha256'] = sha256(input.key);
  }
  let value = input.value;
  if (value !== null && (input.refusedForPii || holdsRawIdentifier(value))) {
    headers['dlq.value-sha256'] = sha256(value);
    value = null;
  }
  const dropped = (input.key !== null && key === null) || value !== input.value;
  if (input.refusedForPii || dropped) headers['dlq.redacted'] = 'true';
  return { key, value, headers };
}
