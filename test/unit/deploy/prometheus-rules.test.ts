/**
 * alert-rules-hold: deploy/prometheus/dmid-rules.yaml passes `promtool check rules`, its unit tests
 * (`promtool test rules`, dmid-rules.test.yaml) pass with a firing and a quiet case for every alert, a
 * rule changed so that it no longer trips makes them fail, and every metric a rule reads is one the
 * registry exports.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { metricFamilies, seriesNames } from '../../../src/api/metric-catalog.js';
import { metricNamesIn } from '../../support/promql.js';
import { promtool } from '../../support/promtool.js';

const DIR = fileURLToPath(new URL('../../../deploy/prometheus/', import.meta.url));
const RULES = join(DIR, 'dmid-rules.yaml');
const TESTS = join(DIR, 'dmid-rules.test.yaml');

interface Rule {
  alert?: string;
  expr: string;
}
interface AlertTest {
  alertname: string;
  exp_alerts: unknown[];
}

const rules = (parse(await readFile(RULES, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
  (g) => g.rules,
);
const unitTests = (
  parse(await readFile(TESTS, 'utf8')) as { tests: { name: string; alert_rule_test: AlertTest[] }[] }
).tests;

void test('promtool check rules passes', async () => {
  const result = await promtool(['check', 'rules', RULES]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout + result.stderr, new RegExp(`SUCCESS: ${rules.length} rules found`));
});

void test('promtool test rules passes, with a firing and a quiet case for every alert', async () => {
  const result = await promtool(['test', 'rules', TESTS]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const cases = (group: string): AlertTest[] =>
    unitTests.find((t) => t.name === group)?.alert_rule_test ?? [];
  for (const { alert } of rules) {
    assert.ok(alert !== undefined);
    assert.ok(
      cases('trips').some((c) => c.alertname === alert && c.exp_alerts.length > 0),
      `${alert} fires`,
    );
    assert.ok(
      cases('healthy').some((c) => c.alertname === alert && c.exp_alerts.length === 0),
      `${alert} quiet`,
    );
  }
});

void test('a rule that no longer trips fails its unit test (the check can fail)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dmid-rules-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const text = await readFile(RULES, 'utf8');
  assert.ok(text.includes('> 10000'));
  await writeFile(join(dir, 'dmid-rules.yaml'), text.replace('> 10000', '> 10000000'));
  await copyFile(TESTS, join(dir, 'dmid-rules.test.yaml'));
  const result = await promtool(['test', 'rules', join(dir, 'dmid-rules.test.yaml')]);
  assert.notEqual(result.code, 0);
  assert.match(result.stdout + result.stderr, /DmidConsumerLagGrowing/);
});

void test('every metric a rule reads is exported by the registry', () => {
  const exported = new Set(metricFamilies().flatMap(seriesNames));
  let read = 0;
  for (const rule of rules) {
    const names = metricNamesIn(rule.expr);
    assert.ok(names.length > 0, `${rule.alert} reads a metric`);
    for (const name of names) assert.ok(exported.has(name), `${rule.alert}: ${name}`);
    read += names.length;
  }
  assert.ok(read >= rules.length);
});
