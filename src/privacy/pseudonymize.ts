/**
 * Pseudonymisation of national identity numbers into subject ids (contract: "Identifiers and personal data").
 *
 * What a provider must do, in any language, to produce the `subjectId` of a person:
 *
 * 1. Normalise the national ID number:
 *    a. apply Unicode normalisation form NFKC (full-width `１２３` becomes ASCII `123`, `Ｘ` becomes `X`);
 *    b. remove every whitespace character, hyphen-minus `-` (U+002D), dash U+2010..U+2015, minus sign
 *       U+2212 and full stop `.` (U+002E);
 *    c. refuse the input if the result is empty or has any character outside ASCII `0-9`, `A-Z`, `a-z`;
 *    d. upper-case the ASCII letters (so check digit `x` and `X` give the same subject).
 *    Implementations that remove a different set of separators can only differ in which inputs they
 *    refuse, never in the subject id of an input both accept: what is hashed is always the sequence of
 *    `[0-9A-Z]` characters.
 * 2. Compute HMAC-SHA-256 keyed with the pseudonymisation key's bytes (at least 32; a key handed out as
 *    hex, like `DMID_PSEUDONYM_KEY`, is hex-decoded first: the key is never the hex text) over the ASCII
 *    bytes of the normalised ID.
 * 3. Encode the 32-byte MAC in base32 (RFC 4648 section 6, alphabet `A-Z2-7`), lower-case it, drop the
 *    `=` padding, and keep the first 32 characters. Those are exactly the encoding of the first 20 bytes
 *    of the MAC (160 bits).
 *
 * In Python (the known-answer vectors in test/unit/privacy/pseudonymize.test.ts were computed this way):
 * ```python
 * nid = re.sub(r'[-\s\u2010-\u2015\u2212.]', '', unicodedata.normalize('NFKC', raw))
 * assert re.fullmatch(r'[0-9A-Za-z]+', nid, re.ASCII)
 * mac = hmac.new(key, nid.upper().encode('ascii'), hashlib.sha256).digest()
 * subject_id = base64.b32encode(mac).decode('ascii').lower()[:32]
 * ```
 * In Java: `Mac.getInstance("HmacSHA256")` over `nid.getBytes(US_ASCII)`, then Apache Commons Codec
 * `new Base32().encodeAsString(mac).toLowerCase(Locale.ROOT).substring(0, 32)`.
 *
 * Known answer: key = the 32 bytes 0x00, 0x01, ..., 0x1f; national ID `11010519491231002X` (the example of
 * GB 11643-1999, not a person); subject id `uztvkrj3cbw45igpujsccsxft7y6rmdh`.
 *
 * The key is what makes the pseudonym unlinkable: national IDs are few enough to enumerate, so anyone
 * holding the key can reverse a subject id. Keep it a secret and never log it.
 */
import { createHmac } from 'node:crypto';

import { DmidError } from '../errors.js';

/** Shortest accepted key, in bytes: the output size of SHA-256, as RFC 2104 recommends. */
export const MIN_KEY_BYTES = 32;
/** Length of a subject id in characters (160 bits of the MAC). */
export const SUBJECT_ID_LENGTH = 32;
/** Bytes of the MAC that the first {@link SUBJECT_ID_LENGTH} base32 characters encode. */
const SUBJECT_ID_BYTES = (SUBJECT_ID_LENGTH * 5) / 8;

const BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const SEPARATORS = /[-\s\u2010-\u2015\u2212.]/gu;
const NATIONAL_ID_CHARS = /^[0-9A-Za-z]+$/;

/**
 * Lower-case RFC 4648 base32 without padding. Used only on MACs, so it favours clarity over speed.
 */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET[(buffer >>> bits) & 31] ?? '';
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31] ?? '';
  return out;
}

/**
 * Normalises a national ID number as step 1 of the module comment describes.
 *
 * @throws DmidError DMID_INPUT_INVALID (field `nationalId`) when nothing is left or a character other than
 *   an ASCII letter or digit remains. The message never contains the input.
 */
export function normaliseNationalId(raw: string): string {
  const stripped = raw.normalize('NFKC').replace(SEPARATORS, '');
  if (stripped.length === 0) {
    throw new DmidError('DMID_INPUT_INVALID', 'nationalId is empty after normalisation', {
      field: 'nationalId',
    });
  }
  // Checked before upper-casing: toUpperCase turns some non-ASCII letters (ß, ı) into ASCII ones.
  if (!NATIONAL_ID_CHARS.test(stripped)) {
    throw new DmidError('DMID_INPUT_INVALID', 'nationalId may only contain digits and letters A-Z', {
      field: 'nationalId',
    });
  }
  return stripped.toUpperCase();
}

/**
 * Computes the subject id of a national ID number: lower-case base32 of HMAC-SHA-256(key, normalised ID),
 * first 32 characters.
 *
 * @param key the pseudonymisation key, raw bytes, at least {@link MIN_KEY_BYTES} long.
 * @throws DmidError DMID_INPUT_INVALID with field `key` for a short key, `nationalId` for a bad ID.
 */
export function pseudonymize(key: Uint8Array, rawNationalId: string): string {
  if (key.length < MIN_KEY_BYTES) {
    throw new DmidError('DMID_INPUT_INVALID', `key must be at least ${MIN_KEY_BYTES} bytes`, {
      field: 'key',
    });
  }
  const mac = createHmac('sha256', key).update(normaliseNationalId(rawNationalId), 'utf8').digest();
  return base32Encode(mac.subarray(0, SUBJECT_ID_BYTES));
}

/** True when `value` has the shape of a subject id: exactly 32 characters of `[a-z2-7]`. */
export function isWellFormedSubjectId(value: string): boolean {
  if (value.length !== SUBJECT_ID_LENGTH) return false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const isLetter = code >= 97 && code <= 122;
    const isDigit = code >= 50 && code <= 55;
    if (!isLetter && !isDigit) return false;
  }
  return true;
}
