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
 *   innocent value is sometimes dropped too (its hash stays): 14 of 20,000 random clean signal records
 *   (0.07%, location records whose binary doubles happen to read as an e-mail shape). Losing
 *   bytes of a letter is recoverable (the provider has them, matched by hash); a leak is not.
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

/** Characters outside ASCII become `#`, which the guard reads as neither digit, letter nor separator. */
const asciiOnly = (text: string): string => text.replace(/[^\p{ASCII}]/gu, '#');

/**
 * The text readings of `bytes` under which a producer's identifier could appear. UTF-8 is read whole (the
 * guard NFKC-normalises it, so full-width digits count); the byte-wise readings keep their ASCII only, since
 * random binary read as Latin-1 or UTF-16 is full of characters that normalise to digits (`²`, `①`).
 */
export function textReadings(bytes: Buffer): string[] {
  const readings = [bytes.toString('utf8'), asciiOnly(bytes.toString('latin1'))];
  for (const offset of [0, 1]) {
    // An odd tail gets a zero byte: the last character of `1\03\08...` (a NUL-spread number) still counts.
    const slice = bytes.subarray(offset);
    const even = slice.length % 2 === 0 ? Buffer.from(slice) : Buffer.concat([slice, Buffer.alloc(1)]);
    readings.push(asciiOnly(even.toString('utf16le')));
    readings.push(asciiOnly(Buffer.from(even).swap16().toString('utf16le')));
  }
  return readings;
}

/**
 * A canonical UUID (an `eventId`) inside binary is opaque, as the guard reads one standing on its own
 * (pii-guard.ts): without this, the Avro length byte before it (`H` for 36) glues it into a digit run.
 */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Whether any text reading of the bytes holds a raw identifier. */
export function holdsRawIdentifier(bytes: Buffer): boolean {
  return textReadings(bytes).some((text) => detectRawIdentifier(text.replace(UUID, '#')) !== null);
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
