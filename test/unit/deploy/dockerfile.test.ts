/**
 * image-copies-what-runs: with no Docker engine here, deploy/Dockerfile is parsed and its runtime stage
 * is laid out in a temporary folder from the files its COPY lines name (after `npm run build`). Every
 * file the compiled code reads through `new URL(..., import.meta.url)` must be in that layout, and the
 * image's command must start there, for each role (`--help`). Also: the base image is the Node version
 * scripts/node24.sh uses, pinned; dependencies come from `npm ci --omit=dev`; the runtime stage runs no
 * shell and as a non-root user; .dockerignore lets every copied path through.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SETTINGS } from '../../../src/config.js';
import { parseDockerfile, type Stage } from '../../support/dockerfile.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
/** Read only by `npm run gen:contract` (solc is a dev dependency), never at run time. */
const DEV_ONLY_READS = new Set(['src/anchor/ledger/compile-contract.ts']);

const text = await readFile(join(REPO, 'deploy/Dockerfile'), 'utf8');
const dockerfile = parseDockerfile(text);
const runtime = dockerfile.stages.at(-1);

function runtimeStage(): Stage {
  assert.ok(runtime !== undefined, 'the Dockerfile has stages');
  return runtime;
}

/** Lays the runtime stage's files out under `root` as the image would have them under its WORKDIR. */
async function layOut(root: string): Promise<void> {
  const stage = runtimeStage();
  for (const copy of stage.copies) {
    const dest = join(root, copy.dest);
    if (copy.from !== undefined) {
      // From another stage: dist/ is `npm run build`'s output, node_modules the repository's.
      const source = join(REPO, relative('/app', copy.sources[0] ?? ''));
      await mkdir(dirname(dest), { recursive: true });
      if (copy.sources[0] === '/app/node_modules') await symlink(source, dest);
      else await cp(source, dest, { recursive: true });
      continue;
    }
    for (const pattern of copy.sources) {
      const matches = await expand(pattern);
      assert.ok(matches.length > 0, `COPY ${pattern}: nothing in the repository matches`);
      for (const match of matches) {
        const intoDir = copy.dest.endsWith('/') || copy.dest === '.';
        const target = intoDir ? join(dest, match.split('/').at(-1) ?? '') : dest;
        await mkdir(dirname(target), { recursive: true });
        await cp(join(REPO, match), target, { recursive: true });
      }
    }
  }
}

/** Paths matching a COPY source: a plain path, or `dir/*.ext`. */
async function expand(pattern: string): Promise<string[]> {
  const star = pattern.indexOf('*');
  if (star < 0) return existsSync(join(REPO, pattern)) ? [pattern] : [];
  const dir = pattern.slice(0, pattern.lastIndexOf('/'));
  const suffix = pattern.slice(star + 1);
  const names = await readdir(join(REPO, dir));
  return names.filter((n) => n.endsWith(suffix)).map((n) => `${dir}/${n}`);
}

/** Every `new URL('<relative>', import.meta.url)` of src/, as [source file, literal prefix]. */
async function runtimeReads(): Promise<[string, string][]> {
  const reads: [string, string][] = [];
  const files = await readdir(join(REPO, 'src'), { recursive: true });
  for (const file of files.filter((f) => f.endsWith('.ts'))) {
    const path = `src/${file}`;
    if (DEV_ONLY_READS.has(path)) continue;
    const source = await readFile(join(REPO, path), 'utf8');
    for (const m of source.matchAll(/new URL\(\s*[`'](\.\.?\/[^`'$]*)/g)) reads.push([path, m[1] ?? '']);
  }
  return reads;
}

void describe('deploy/Dockerfile', () => {
  let root = '';

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'dmid-image-'));
    // What the image's build stage runs; incremental, so quick when dist/ is up to date.
    await run('npm', ['run', 'build'], { cwd: REPO, timeout: 240_000 });
    await layOut(root);
  });
  after(() => rm(root, { recursive: true, force: true }));

  void test('the base image is Node 24 slim pinned to the version scripts/node24.sh fetches', async () => {
    const node24 = await readFile(join(REPO, 'scripts/node24.sh'), 'utf8');
    const version = /DMID_NODE_VERSION:-(\d+\.\d+\.\d+)/.exec(node24)?.[1];
    const image = dockerfile.args.get('NODE_IMAGE');
    assert.match(image ?? '', /^node:24\.\d+\.\d+-[a-z]+-slim(@sha256:[0-9a-f]{64})?$/);
    assert.ok(image?.startsWith(`node:${version}-`), `${image} is not Node ${version}`);
    for (const stage of dockerfile.stages) assert.equal(stage.from, '${NODE_IMAGE}', stage.name);
    assert.ok(dockerfile.stages.length >= 2, 'multi-stage');
  });

  void test('runtime: dependencies from npm ci --omit=dev, no shell step, exec-form command, non-root user', () => {
    const stage = runtimeStage();
    const modules = stage.copies.find((c) => c.sources[0] === '/app/node_modules');
    const deps = dockerfile.stages.find((s) => s.name === modules?.from);
    assert.ok(
      deps?.runs.some((r) => /\bnpm ci\b.*--omit=dev/.test(r)),
      'node_modules from npm ci --omit=dev',
    );
    assert.deepEqual(stage.runs, [], 'no RUN in the runtime stage');
    assert.ok(stage.entrypoint !== undefined && stage.entrypoint[0] === 'node', 'ENTRYPOINT ["node", ...]');
    assert.ok(stage.cmd !== undefined, 'CMD in exec form');
    assert.match(stage.user ?? '', /^[1-9]\d*(:[1-9]\d*)?$/, 'USER is a numeric non-root uid');
  });

  void test('every DMID_ variable the image sets is a setting of src/config.ts', () => {
    const known = new Set<string>(SETTINGS.map((s) => s.name));
    for (const name of runtimeStage().env.keys()) {
      if (name.startsWith('DMID_')) assert.ok(known.has(name), `${name} is not in src/config.ts`);
    }
  });

  void test('.dockerignore lets every copied path into the build context', async () => {
    const lines = (await readFile(join(REPO, '.dockerignore'), 'utf8'))
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'));
    assert.equal(lines[0], '*', 'an allow-list');
    const allowed = lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1));
    for (const stage of dockerfile.stages) {
      for (const copy of stage.copies.filter((c) => c.from === undefined)) {
        for (const source of copy.sources) {
          const ok = allowed.some((a) => source === a || source.startsWith(`${a}/`));
          assert.ok(ok, `${source} is not allowed by .dockerignore`);
        }
      }
    }
  });

  void test('every file the compiled code reads at run time is in the image', async () => {
    const app = root;
    const reads = await runtimeReads();
    assert.ok(reads.length >= 5, 'the scan finds the schema, policy, model, Lua and package.json reads');
    for (const [file, literal] of reads) {
      // The compiled file sits in dist/ where the source sat in src/.
      const compiled = join(app, 'dist', relative('src', file));
      const target = join(dirname(compiled), literal);
      assert.ok(existsSync(target), `${file} reads ${literal}: ${relative(app, target)} is not in the image`);
    }
  });

  void test('the image command starts, for every role (--help)', async () => {
    const stage = runtimeStage();
    const [node, ...args] = stage.entrypoint ?? [];
    assert.equal(node, 'node');
    const roles = [stage.cmd ?? [], ['run'], ['ledger-writer']];
    for (const role of roles) {
      const { stdout } = await run(process.execPath, [...args, ...role, '--help'], {
        cwd: root,
        env: { PATH: process.env.PATH },
        timeout: 30_000,
      });
      assert.match(stdout, new RegExp(`^Usage: dmid ${role[0] ?? ''}`), role.join(' '));
    }
  });
});
