/**
 * Rewrites the generated parts of the docs from the code that owns them: `.env.example`, the README's
 * configuration and error tables (between `<!-- NAME:start -->` and `<!-- NAME:end -->` markers) and
 * docs/metrics.md (from the metric catalogue, src/api/metric-catalog.ts).
 * Unit tests fail when these are out of date, so run `npm run gen:docs` after changing a setting or code.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { metricsDoc } from '../src/api/metric-catalog.js';
import { configTable, envExample, toolingTable } from '../src/config.js';
import { errorTable, reasonTable } from '../src/errors.js';
import { assuranceRuleTable } from '../src/scoring/assurance.js';
import { reasonCodeTable } from '../src/scoring/reasons.js';
import { scoringConstantsTable } from '../src/scoring/scoring-tables.js';

const root = new URL('../', import.meta.url);

function replaceSection(text: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${start} ... ${end} section`);
  return `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`;
}

writeFileSync(new URL('.env.example', root), envExample());
let readme = readFileSync(new URL('README.md', root), 'utf8');
readme = replaceSection(readme, 'config', configTable());
readme = replaceSection(readme, 'errors', errorTable());
readme = replaceSection(readme, 'tooling', toolingTable());
readme = replaceSection(readme, 'reason-codes', reasonCodeTable());
readme = replaceSection(readme, 'scoring-constants', scoringConstantsTable());
readme = replaceSection(readme, 'assurance-rules', assuranceRuleTable());
readme = replaceSection(readme, 'dlq-reasons', reasonTable());
writeFileSync(new URL('README.md', root), readme);
writeFileSync(new URL('docs/metrics.md', root), metricsDoc());
process.stdout.write('wrote .env.example, README.md tables and docs/metrics.md\n');
