/**
 * The engine runs with the same V8 flags however it is started: `npm start`, the `dmid` command (its
 * shebang) and the contenders of the side-by-side benchmark, which must measure dmid as it is shipped.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ENGINE_NODE_FLAGS } from '../../bench/compare/engine-node-flags.js';

const root = new URL('../../', import.meta.url);

void test('npm start, bin/dmid.js and the benchmark contenders pass the same node flags', () => {
  const flags = ENGINE_NODE_FLAGS.join(' ');
  assert.ok(flags.length > 0);
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
    scripts: Record<string, string>;
  };
  assert.match(pkg.scripts.start ?? '', new RegExp(`&& exec node ${flags} dist/index\\.js$`));
  const shebang = readFileSync(new URL('bin/dmid.js', root), 'utf8').split('\n', 1)[0];
  assert.equal(shebang, `#!/usr/bin/env -S node ${flags}`);
});
