/** docs/metrics.md is what `npm run gen:docs` writes from the metric catalogue, byte for byte. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { metricFamilies, metricsDoc } from '../../../src/api/metric-catalog.js';

void test('docs/metrics.md is generated from the registry (run `npm run gen:docs` after changing a metric)', () => {
  const doc = readFileSync(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');
  assert.equal(doc, metricsDoc());
  // Every dmid metric of the registry has its row.
  for (const family of metricFamilies().filter((f) => f.name.startsWith('dmid_'))) {
    assert.ok(doc.includes(`| \`${family.name}\` | ${family.type} |`), family.name);
  }
});
