/**
 * The canonical textual UUID shape (8-4-4-4-12 hex digits, any version or variant, either case), checked
 * without a regular expression because it runs per record.
 */

export const UUID_LENGTH = 36;

function isHexDigit(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 97 && code <= 102) || (code >= 65 && code <= 70);
}

function isUuidHyphenAt(index: number): boolean {
  return index === 8 || index === 13 || index === 18 || index === 23;
}

/** True when the 36 characters of `value` starting at `offset` are a canonical UUID. */
export function isUuidAt(value: string, offset: number): boolean {
  if (offset < 0 || offset + UUID_LENGTH > value.length) return false;
  for (let i = 0; i < UUID_LENGTH; i++) {
    const code = value.charCodeAt(offset + i);
    if (isUuidHyphenAt(i) ? code !== 45 : !isHexDigit(code)) return false;
  }
  return true;
}

/** True when `value` is exactly one canonical UUID. */
export function isUuid(value: string): boolean {
  return value.length === UUID_LENGTH && isUuidAt(value, 0);
}
