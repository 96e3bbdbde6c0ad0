/**
 * Canonical JSON: object keys sorted, no whitespace, numbers as JavaScript prints them. Used where a hash
 * must not depend on how a value was written: a policy's content hash (so reformatting the YAML or adding
 * a comment keeps the hash) and a decision record's hash (so anyone holding the record can recompute it).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new RangeError('canonicalJson: numbers must be finite');
    }
    if (value === undefined) throw new TypeError('canonicalJson: undefined has no JSON form');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item: unknown) => canonicalJson(item)).join(',')}]`;
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
