/**
 * Rewrites the generated parts of the docs from the code that owns them: `.env.example` and the tables of
 * the docs pages listed in scripts/generated-docs.ts. Unit tests fail when these are out of date, so run
 * `npm run gen:docs` after changing a setting, an error code, a reason or a scoring constant.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { envExample, GENERATED_PAGES, regenerate } from './generated-docs.js';

const root = new URL('../', import.meta.url);

writeFileSync(new URL('.env.example', root), envExample());
for (const page of GENERATED_PAGES) {
  const url = new URL(page.file, root);
  writeFileSync(url, regenerate(page, readFileSync(url, 'utf8')));
}
process.stdout.write(`wrote .env.example, ${GENERATED_PAGES.map((p) => p.file).join(', ')}\n`);
