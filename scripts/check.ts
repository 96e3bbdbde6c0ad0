/**
 * `npm run check`: the type check, lint, format check and circular-import check, run at the same time
 * (each is one process that keeps one core busy, so on two cores they take about half as long as one
 * after another, and on a loaded machine they get more of it). Each step's output is printed whole when
 * it ends, with its time; the exit code is 1 when any step failed.
 *
 * The steps keep caches in .cache/ (tsc's build info, ESLint's and Prettier's caches): a second run
 * checks only what changed. A fresh clone, as in CI, runs them in full.
 */
import { spawn } from 'node:child_process';

const STEPS = ['check:types', 'check:lint', 'check:format', 'check:cycles'] as const;

interface Result {
  readonly step: string;
  readonly ok: boolean;
  readonly seconds: number;
  readonly output: string;
}

function run(step: string): Promise<Result> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', step], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    const done = (ok: boolean, extra = ''): void =>
      resolve({
        step,
        ok,
        seconds: (performance.now() - started) / 1000,
        output: Buffer.concat(chunks).toString('utf8') + extra,
      });
    child.on('error', (error) => done(false, `${error.message}\n`));
    child.on('close', (code) => done(code === 0));
  });
}

const results = await Promise.all(
  STEPS.map((step) =>
    run(step).then((result) => {
      const mark = result.ok ? 'ok' : 'FAILED';
      process.stdout.write(`── ${result.step}: ${mark} in ${result.seconds.toFixed(1)} s\n`);
      if (!result.ok || result.output.trim() !== '') process.stdout.write(result.output);
      return result;
    }),
  ),
);
const failed = results.filter((r) => !r.ok).map((r) => r.step);
process.stdout.write(failed.length === 0 ? 'check: all passed\n' : `check: failed: ${failed.join(', ')}\n`);
process.exitCode = failed.length === 0 ? 0 : 1;
