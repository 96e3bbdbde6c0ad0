/**
 * Which generated table goes into which docs page. Each table is built by the code that owns it and sits
 * between `<!-- NAME:start -->` and `<!-- NAME:end -->` markers in its page; `npm run gen:docs`
 * (scripts/gen-docs.ts) rewrites them and test/unit/docs.test.ts fails when a page is out of date. The
 * README carries no generated table: it stays one page a newcomer reads.
 */
import { metricsTable, nodeMetricsList } from '../src/api/metric-catalog.js';
import { configTable, envExample, toolingTable } from '../src/config.js';
import { errorTable, reasonTable } from '../src/errors.js';
import { assuranceRuleTable } from '../src/scoring/assurance.js';
import { reasonCodeTable } from '../src/scoring/reasons.js';
import { scoringConstantsTable } from '../src/scoring/scoring-tables.js';

export interface GeneratedPage {
  /** Path from the repository root. */
  readonly file: string;
  /** Marker name -> the table between its markers. */
  readonly sections: Readonly<Record<string, () => string>>;
}

export const GENERATED_PAGES: readonly GeneratedPage[] = [
  { file: 'docs/configuration.md', sections: { config: configTable } },
  { file: 'docs/errors.md', sections: { errors: errorTable } },
  { file: 'docs/providers.md', sections: { 'dlq-reasons': reasonTable } },
  { file: 'docs/development.md', sections: { tooling: toolingTable } },
  { file: 'docs/metrics.md', sections: { metrics: metricsTable, 'node-metrics': nodeMetricsList } },
  {
    file: 'docs/scoring.md',
    sections: {
      'scoring-constants': scoringConstantsTable,
      'assurance-rules': assuranceRuleTable,
      'reason-codes': reasonCodeTable,
    },
  },
];

export { envExample };

/** `text` with the body between the markers of `name` replaced; throws when the page lacks them. */
export function replaceSection(text: string, file: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file} has no ${start} ... ${end} section`);
  return `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`;
}

/** The page's text with every generated section brought up to date. */
export function regenerate(page: GeneratedPage, text: string): string {
  let out = text;
  for (const [name, table] of Object.entries(page.sections))
    out = replaceSection(out, page.file, name, table());
  return out;
}
