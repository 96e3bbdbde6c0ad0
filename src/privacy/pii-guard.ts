/**
 * The personal-data guard: does a string look like, or contain, a raw identifier?
 *
 * It runs on every record of the hot path (subject ids, provider ids, carrier codes, msisdn hashes), so it
 * is one linear scan over char codes with no regular expression and no allocation for ASCII input.
 *
 * "Looks like" is deliberately broad, because a false refusal costs a dead-lettered record and a leak
 * cannot be undone. It is refused:
 * - a PRC resident identity number: 18 characters (17 digits and a digit or X), whatever its check
 *   digit, or a 15-digit first-generation number;
 * - a mobile number: 11 digits starting 1[3-9], also behind a `0`, `86`, `+86` or `0086` prefix;
 * - any value made of digits and separators only, whose digits are 11, 15 or 18 long (or 17 and an X);
 * - an e-mail address: `local@domain.tld`.
 * Digits may be split by separators (space, `-`, `.`, `_`, `/`, `+`, brackets) and may sit inside a longer
 * string (`cn-110101199003074514`, `id:13800138000`). Every run of separated digit groups is checked at
 * every group boundary, so a suffix (`13800138000-2`) cannot hide a number. Non-ASCII input is NFKC
 * normalised first, so full-width digits and `＠` are caught too.
 *
 * One restriction keeps pseudonyms safe. When the value contains letters (so it may be a pseudonym or a
 * hash), an identifier-length digit run inside it is refused only if it contains a 0, 1, 8 or 9. Every
 * real identifier does (a resident ID has a birth year 19xx/20xx and a month 01-12, a mobile number
 * starts with 1), while base32 pseudonyms (`[a-z2-7]`, see pseudonymize.ts) never contain one. So a
 * well-formed subject id is never refused, by construction rather than by luck (and takes a fast path).
 * A canonical UUID standing on its own (`kiosk-550e8400-e29b-…`) is read as opaque, for the same reason.
 *
 * The known cost: a hex-encoded hash has long digit runs, and about 1.1% of random 64-character hex
 * strings hold an ID-shaped one. So hash fields are not scanned with this function when they are a whole
 * hex digest (src/ingest/validate.ts, `checkHashPii`); free-text fields are.
 */

import { isUuidAt, UUID_LENGTH } from './uuid.js';

export type RawIdentifierKind = 'PRC_RESIDENT_ID' | 'MOBILE_NUMBER' | 'EMAIL';

const OTHER = 0;
const DIGIT = 1;
const SEPARATOR = 2;
const LETTER_X = 3;
const LETTER = 4;
const AT = 5;
const NON_ASCII = 6;
/** Characters of an e-mail local part other than letters and digits (RFC 5322 atext and the dot). */
const LOCAL_SYMBOLS = ".!#$%&'*+/=?^_`{|}~-";

const CHAR_CLASS = buildCharClassTable();
const LOCAL_PART_CHAR = buildLocalPartTable();

function buildCharClassTable(): Uint8Array {
  const table = new Uint8Array(128);
  for (let c = 48; c <= 57; c++) table[c] = DIGIT;
  for (let c = 65; c <= 90; c++) table[c] = LETTER;
  for (let c = 97; c <= 122; c++) table[c] = LETTER;
  table[88] = LETTER_X;
  table[120] = LETTER_X;
  for (const ch of ' \t\n\r\f\v-._/+()[]') table[ch.charCodeAt(0)] = SEPARATOR;
  table[64] = AT;
  return table;
}

function buildLocalPartTable(): Uint8Array {
  const table = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    const cls = CHAR_CLASS[c];
    if (cls === DIGIT || cls === LETTER || cls === LETTER_X) table[c] = 1;
  }
  for (const ch of LOCAL_SYMBOLS) table[ch.charCodeAt(0)] = 1;
  return table;
}

/** Dashes, the minus sign and middle dots, which NFKC leaves alone but people type between digits. */
function isUnicodeSeparator(code: number): boolean {
  return (code >= 0x2010 && code <= 0x2015) || code === 0x2212 || code === 0x00b7 || code === 0x30fb;
}

const QUICK_LETTER = 1;
const QUICK_SUSPECT = 2;
const QUICK_TABLE = buildQuickTable();

function buildQuickTable(): Uint8Array {
  const table = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    const cls = CHAR_CLASS[c];
    if (cls !== DIGIT && cls !== SEPARATOR) table[c] = QUICK_LETTER;
  }
  for (const ch of '0189') table[ch.charCodeAt(0)] = QUICK_SUSPECT;
  table[64] = QUICK_LETTER | QUICK_SUSPECT;
  return table;
}

/**
 * True when `value` certainly holds no identifier: it has a letter, and no 0, 1, 8, 9, `@` or non-ASCII
 * character. Every detection in a value with letters needs one of those (module comment), and subject
 * ids never have one, so the bulk of the hot path costs this one tight loop.
 */
function isCertainlyClean(value: string): boolean {
  let seen = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 128) return false;
    seen |= QUICK_TABLE[code] ?? 0;
  }
  return seen === QUICK_LETTER;
}

function classify(code: number, normalised: boolean): number {
  if (code < 128) return CHAR_CLASS[code] ?? OTHER;
  if (!normalised) return NON_ASCII;
  // After NFKC, what is left outside ASCII is letters of other scripts, or separators NFKC keeps.
  return isUnicodeSeparator(code) ? SEPARATOR : LETTER;
}

/** Longest digit span that can be an identifier: an 18-digit resident ID. */
const MAX_SPAN = 18;
const MIN_SPAN = 11;

/**
 * Scratch state for one scan, reused across calls: the digits of the current run, where its groups start,
 * and a prefix count of digits that base32 never produces. Calls are synchronous, so sharing is safe.
 */
let runDigits = new Uint8Array(64);
let strangeBefore = new Uint32Array(65);
let groupStarts = new Uint32Array(65);

function ensureCapacity(length: number): void {
  if (runDigits.length >= length) return;
  runDigits = new Uint8Array(length);
  strangeBefore = new Uint32Array(length + 1);
  groupStarts = new Uint32Array(length + 1);
}

function digitAt(index: number): number {
  return runDigits[index] ?? -1;
}

function hasStrangeDigit(from: number, to: number): boolean {
  return (strangeBefore[to] ?? 0) - (strangeBefore[from] ?? 0) > 0;
}

function startsLikeMobile(from: number): boolean {
  return digitAt(from) === 1 && digitAt(from + 1) >= 3;
}

function startsWithDigits(from: number, prefix: readonly number[]): boolean {
  for (let i = 0; i < prefix.length; i++) if (digitAt(from + i) !== prefix[i]) return false;
  return true;
}

const TRUNK_PREFIX = [0];
const COUNTRY_PREFIX = [8, 6];
const INTERNATIONAL_PREFIX = [0, 0, 8, 6];

/** Classifies the digits [from, from+length), followed by an X check character when `withX`. */
function classifySpan(
  from: number,
  length: number,
  withX: boolean,
  lettered: boolean,
): RawIdentifierKind | null {
  const idLike = !lettered || hasStrangeDigit(from, from + length);
  if (withX) return length === 17 && idLike ? 'PRC_RESIDENT_ID' : null;
  switch (length) {
    case 11:
      return startsLikeMobile(from) || !lettered ? 'MOBILE_NUMBER' : null;
    case 12:
      return startsWithDigits(from, TRUNK_PREFIX) && startsLikeMobile(from + 1) ? 'MOBILE_NUMBER' : null;
    case 13:
      return startsWithDigits(from, COUNTRY_PREFIX) && startsLikeMobile(from + 2) ? 'MOBILE_NUMBER' : null;
    case 15:
      if (startsWithDigits(from, INTERNATIONAL_PREFIX) && startsLikeMobile(from + 4)) return 'MOBILE_NUMBER';
      return idLike ? 'PRC_RESIDENT_ID' : null;
    case 18:
      return idLike ? 'PRC_RESIDENT_ID' : null;
    default:
      return null;
  }
}

/**
 * Checks every span of whole digit groups of the current run. A span longer than {@link MAX_SPAN} digits
 * stops the inner loop, and every group holds at least one digit, so this is O(groups × 19).
 */
function checkRun(
  digitCount: number,
  groupCount: number,
  trailingX: boolean,
  lettered: boolean,
): RawIdentifierKind | null {
  if (digitCount + (trailingX ? 1 : 0) < MIN_SPAN) return null;
  groupStarts[groupCount] = digitCount;
  for (let first = 0; first < groupCount; first++) {
    const from = groupStarts[first] ?? 0;
    for (let end = first + 1; end <= groupCount; end++) {
      const length = (groupStarts[end] ?? 0) - from;
      if (length > MAX_SPAN) break;
      const found =
        classifySpan(from, length, false, lettered) ??
        (trailingX && end === groupCount ? classifySpan(from, length, true, lettered) : null);
      if (found !== null) return found;
    }
  }
  return null;
}

/**
 * True when the value has a character that is neither digit nor separator: it may be a pseudonym. An X
 * counts as a letter, because base32 has one; a real ID ending in X is still caught by its 19xx/20xx.
 */
function hasLetters(value: string, normalised: boolean): boolean {
  for (let i = 0; i < value.length; i++) {
    const cls = classify(value.charCodeAt(i), normalised);
    if (cls !== DIGIT && cls !== SEPARATOR) return true;
  }
  return false;
}

function isWordClass(cls: number): boolean {
  return cls === DIGIT || cls === LETTER || cls === LETTER_X || cls === NON_ASCII;
}

/**
 * True when a canonical UUID starts at `index` and is not glued to a letter or digit after it (the caller
 * checks before it). Providers use UUIDs as ids, and without this one in a few thousand would be refused
 * for a digit run like `a716-446655440000`. Called only where a word starts, so the scan stays linear.
 */
function isStandaloneUuidAt(value: string, index: number, normalised: boolean): boolean {
  if (!isUuidAt(value, index)) return false;
  const after = index + UUID_LENGTH;
  return after >= value.length || !isWordClass(classify(value.charCodeAt(after), normalised));
}

/** Sentinel: the scan met a non-ASCII character and must be repeated on the NFKC form. */
const RESCAN = 'RESCAN';

/** Scans digit runs. A run is digit groups joined by separators; it may end with an X check character. */
function scanDigits(value: string, normalised: boolean): RawIdentifierKind | null | typeof RESCAN {
  ensureCapacity(value.length);
  // Computed only once a run is long enough to matter: most values never need it.
  let lettered: boolean | undefined;
  let digitCount = 0;
  let groupCount = 0;
  let inGroup = false;
  let previousWasWord = false;
  for (let i = 0; i <= value.length; i++) {
    let cls = i < value.length ? classify(value.charCodeAt(i), normalised) : OTHER;
    if (cls === NON_ASCII) return RESCAN;
    const wordStart = !previousWasWord && (cls === DIGIT || cls === LETTER);
    previousWasWord = isWordClass(cls);
    if (wordStart && isStandaloneUuidAt(value, i, normalised)) {
      // Its digit groups (`a716-446655440000`) are no identifier: read the whole UUID as one letter.
      cls = LETTER;
      i += UUID_LENGTH - 1;
    }
    if (cls === DIGIT) {
      if (!inGroup) groupStarts[groupCount++] = digitCount;
      inGroup = true;
      const digit = value.charCodeAt(i) - 48;
      runDigits[digitCount] = digit;
      const strange = digit <= 1 || digit >= 8 ? 1 : 0;
      strangeBefore[digitCount + 1] = (strangeBefore[digitCount] ?? 0) + strange;
      digitCount++;
      continue;
    }
    inGroup = false;
    if (cls === SEPARATOR && digitCount > 0) continue;
    if (digitCount >= MIN_SPAN - 1) {
      lettered ??= hasLetters(value, normalised);
      const found = checkRun(digitCount, groupCount, cls === LETTER_X, lettered);
      if (found !== null) return found;
    }
    digitCount = 0;
    groupCount = 0;
  }
  return null;
}

/** True when the text at `from` starts with a `label.tld` domain (tld of 2 or more characters). */
function startsWithDomain(value: string, from: number, normalised: boolean): boolean {
  let labelLength = 0;
  let dots = 0;
  let i = from;
  for (; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const cls = classify(code, normalised);
    if (cls === DIGIT || cls === LETTER || cls === LETTER_X || code === 45 /* - */) {
      labelLength++;
    } else if (code === 46 /* . */ && labelLength > 0) {
      dots++;
      labelLength = 0;
    } else {
      break;
    }
  }
  return dots > 0 && labelLength >= 2;
}

function scanEmail(value: string, normalised: boolean): boolean {
  for (let at = value.indexOf('@'); at !== -1; at = value.indexOf('@', at + 1)) {
    const before = at > 0 ? value.charCodeAt(at - 1) : -1;
    const localOk = before >= 0 && (before >= 128 ? normalised : LOCAL_PART_CHAR[before] === 1);
    if (localOk && startsWithDomain(value, at + 1, normalised)) return true;
  }
  return false;
}

function scan(value: string, normalised: boolean): RawIdentifierKind | null | typeof RESCAN {
  const digits = scanDigits(value, normalised);
  if (digits !== null) return digits;
  return scanEmail(value, normalised) ? 'EMAIL' : null;
}

/**
 * Returns what kind of raw identifier `value` looks like or contains, or null when it contains none.
 * Never throws; runs in time linear in the length of `value`.
 */
export function detectRawIdentifier(value: string): RawIdentifierKind | null {
  if (isCertainlyClean(value)) return null;
  const result = scan(value, false);
  if (result !== RESCAN) return result;
  const normalised = value.normalize('NFKC');
  const second = scan(normalised, true);
  return second === RESCAN ? null : second;
}
