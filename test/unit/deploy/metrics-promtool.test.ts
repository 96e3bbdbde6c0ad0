/**
 * metrics-pass-promtool: the /metrics of a running engine (embedded mode, fed by its simulator, so the
 * pipeline, ledger and relying-party metrics all have series) passes `promtool check metrics`, and
 * exports exactly the families of the metric catalogue that docs/metrics.md, the dashboard and the
 * alert rules are checked against.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { metricFamilies } from '../../../src/api/metric-catalog.js';
import { promtool } from '../../support/promtool.js';

const ENTRY = new URL('../../../src/index.ts', import.meta.url).pathname;

async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** `# TYPE name type` lines of a scrape: family name to type. */
function typesOf(text: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(match[1] ?? '', match[2] ?? '');
  return types;
}

function sampleOf(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

void test('metrics-pass-promtool: a running engine /metrics passes promtool check metrics and matches the catalogue', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dmid-metrics-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
    env: {
      PATH: process.env.PATH,
      DMID_API_PORT: '0',
      DMID_SCORER: 'rules',
      DMID_SIMULATE_RATE: '300',
      DMID_LEDGER_FILE: join(dir, 'ledger.jsonl'),
      DMID_LEDGER_BATCH_MS: '100',
      DMID_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const apiUrl = (): string | undefined => /API on (http:\/\/\S+)/.exec(stderr)?.[1];
  await waitFor(() => apiUrl() !== undefined || child.exitCode !== null, 'the engine API', 30_000);
  const url = apiUrl();
  assert.ok(url !== undefined, `the engine did not start: ${stderr.slice(-2000)}`);

  let text = '';
  await waitFor(
    async () => {
      text = await (await fetch(`${url}/metrics`)).text();
      return (
        sampleOf(text, 'dmid_ledger_batches_written_total') > 0 &&
        sampleOf(text, 'dmid_events_consumed_total{topic="signals.telecom"}') > 0
      );
    },
    'scores and a ledger batch in the scrape',
    30_000,
  );
  child.kill('SIGTERM');

  const checked = await promtool(['check', 'metrics'], text);
  assert.equal(checked.code, 0, `promtool check metrics:\n${checked.stdout}${checked.stderr}`);
  assert.equal(checked.stdout + checked.stderr, '', 'promtool has no lint finding');

  const scraped = typesOf(text);
  const catalogue = new Map(metricFamilies().map((f) => [f.name, f.type]));
  assert.deepEqual([...scraped.keys()].sort(), [...catalogue.keys()].sort());
  for (const [name, type] of scraped) assert.equal(type, catalogue.get(name), name);
});

void test('promtool check metrics fails on a gauge named like a counter (the check can fail)', async () => {
  const bad = '# HELP x_active_total help\n# TYPE x_active_total gauge\nx_active_total 1\n';
  const checked = await promtool(['check', 'metrics'], bad);
  assert.notEqual(checked.code, 0);
});
