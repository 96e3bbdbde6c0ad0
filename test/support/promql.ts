/**
 * The metric names a PromQL expression reads, for checking dashboards and alert rules against the metric
 * catalogue. Not a PromQL parser: it strips what cannot hold a metric name (strings, label matchers,
 * ranges, `by (...)` and friends), drops function names (followed by `(`) and keywords, and keeps the
 * identifiers left. promtool parses the rules for real (`check rules`); this only reads names.
 */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*(\s*\()?/g)) {
    const [token = '', call] = match;
    const name = token.replace(/\s*\($/, '');
    if (call !== undefined || KEYWORDS.has(name.toLowerCase())) continue;
    // The tail of a number or duration (`1e3`, `offset 5m`), or a template variable (`$__interval`).
    const before = match.index > 0 ? (stripped[match.index - 1] ?? '') : '';
    if (/[0-9.$]/.test(before)) continue;
    names.add(name);
  }
  return [...names].sort();
}
