/**
 * The docs stay true to the code and the README stays one page: every generated table in its docs page
 * is what the code builds today (`npm run gen:docs` rewrites them), every relative link of the README and
 * of docs/ names a file that exists, and the README is at most 200 lines with no generated table.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { SETTINGS } from '../../src/config.js';
import { GENERATED_PAGES, regenerate, replaceSection } from '../../scripts/generated-docs.js';

const root = new URL('../../', import.meta.url);
const read = (file: string): string => readFileSync(new URL(file, root), 'utf8');

void test('every generated table in docs/ is up to date (run `npm run gen:docs` after a change)', () => {
  for (const page of GENERATED_PAGES) {
    const text = read(page.file);
    assert.equal(text, regenerate(page, text), `${page.file} is out of date`);
  }
});

void test('a page without the markers of its table is refused, not silently skipped', () => {
  assert.throws(() => replaceSection('# no markers\n', 'x.md', 'config', 'table'), /x\.md has no/);
  assert.equal(
    replaceSection('a\n<!-- t:start -->\nold\n<!-- t:end -->\nb', 'x.md', 't', 'new'),
    'a\n<!-- t:start -->\nnew\n<!-- t:end -->\nb',
  );
});

void test('docs/configuration.md names every setting', () => {
  const text = read('docs/configuration.md');
  for (const setting of SETTINGS) assert.ok(text.includes(`\`${setting.name}\``), setting.name);
});

void test('the README is one page: at most 200 lines, no generated table', () => {
  const readme = read('README.md');
  const lines = readme.split('\n').length;
  assert.ok(lines <= 200, `README.md has ${lines} lines`);
  assert.doesNotMatch(readme, /<!-- [a-z-]+:start -->/);
});

void test('every relative link of the README and docs/ names a file that exists', () => {
  const files = ['README.md', ...readdirSync(new URL('docs/', root)).map((f) => `docs/${f}`)];
  for (const file of files.filter((f) => f.endsWith('.md'))) {
    for (const [, target] of read(file).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (target === undefined || /^[a-z]+:/.test(target)) continue;
      assert.ok(existsSync(new URL(target, new URL(file, root))), `${file} links to missing ${target}`);
    }
  }
});
