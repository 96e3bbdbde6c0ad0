/**
 * console-in-a-real-browser: the operators' console of a running engine (embedded mode, the simulator
 * off, every record sent by this test), driven in Debian's Chromium through playwright-core. Each role
 * signs in; support opens a consented subject and sees its timeline, reasons and a decision by another
 * party, verifies a receipt in the page (Web Crypto against the ledger file), is told "not found" for a
 * subject without consent, requeues a dead letter whose cause went away and sees the subject scored;
 * the auditor sees the dead-letter counts but no subject; the policy author runs a backtest and sees
 * flipped pseudonyms. No page may break its Content-Security-Policy. Screenshots go to
 * test-output/console/.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createCodec } from '../../../src/codec/codec.js';
import { loadConfig } from '../../../src/config.js';
import { startEngine, type Engine } from '../../../src/engine.js';
import { createLogger } from '../../../src/logger.js';
import { issueConsentToken } from '../../../src/access/consent-token.js';
import { SUPPORT_PURPOSE } from '../../../src/access/consent.js';
import { biometric, registry, subjectId, telecom } from '../../support/evidence-factory.js';
import { DEMO_AUTHORITY_KEY } from '../../support/relying-party-harness.js';

const CHROMIUM = process.env.DMID_CHROMIUM ?? '/usr/bin/chromium';
const OUTPUT = new URL('../../../test-output/console/', import.meta.url).pathname;
const PENSION = new URL('../../../policies/social-insurance.pension-eligibility.yaml', import.meta.url);
const KEYS = {
  support: 'demo-support-key-0101-not-secret',
  auditor: 'demo-auditor-key-0102-not-secret',
  'policy-author': 'demo-policy-key-0103-not-secret',
  pension: 'demo-pension-key-0003-not-secret',
} as const;
const SKEW_MS = 1000;

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function api(engine: Engine, path: string, key: string, body: unknown): Promise<Response> {
  return fetch(`${engine.apiUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function signIn(
  browser: Browser,
  engine: Engine,
  role: keyof typeof KEYS,
  errors: string[],
): Promise<Page> {
  const page = await browser.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${role}: ${message.text()}`);
  });
  await page.goto(`${engine.apiUrl}/console/login`);
  await page.fill('input[name=apiKey]', KEYS[role]);
  await page.selectOption('select[name=role]', role);
  await Promise.all([page.waitForURL(/\/console\/(?!login)/), page.click('button')]);
  return page;
}

async function openSubject(page: Page, engine: Engine, subject: string): Promise<number | null> {
  await page.goto(`${engine.apiUrl}/console/subject`);
  await page.fill('form[action="/console/subject"] input[name=subjectId] >> nth=-1', subject);
  await page.fill(
    'form[action="/console/subject"] input[name=purpose] >> nth=-1',
    'caller asked why a check failed',
  );
  const [response] = await Promise.all([
    page.waitForNavigation(),
    page.click('form[action="/console/subject"] button >> nth=-1'),
  ]);
  return response?.status() ?? null;
}

void test(
  'console-in-a-real-browser: every role signs in and sees only its pages; receipts verify in the page',
  { timeout: 90_000 },
  async (t) => {
    assert.ok(
      existsSync(CHROMIUM),
      `no Chromium at ${CHROMIUM}: apt-get install chromium (or set DMID_CHROMIUM)`,
    );
    const dir = await mkdtemp(join(tmpdir(), 'dmid-console-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await mkdir(OUTPUT, { recursive: true });
    const config = loadConfig({
      DMID_API_PORT: '0',
      DMID_CONSOLE: 'on',
      DMID_SIMULATE_RATE: '0',
      DMID_LEDGER_FILE: join(dir, 'ledger.jsonl'),
      DMID_LEDGER_BATCH_MS: '100',
      DMID_MAX_FUTURE_SKEW_SECONDS: String(SKEW_MS / 1000),
    });
    const engine = await startEngine(config, createLogger('error'));
    t.after(() => engine.stop());
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-default-apps',
        '--disable-domain-reliability',
      ],
    });
    t.after(() => browser.close());
    const errors: string[] = [];

    // Three subjects: A consented to support and to the pension office, B to nobody, C consented to support
    // but its only signal is dead-lettered (observed in the future) until requeued.
    const codec = createCodec();
    const [a, b, c] = [subjectId(), subjectId(), subjectId()];
    const send = (
      kind: 'telecom' | 'biometric' | 'registry',
      value: ReturnType<typeof telecom> | ReturnType<typeof biometric> | ReturnType<typeof registry>,
    ) =>
      engine.send([
        {
          topic: config.topics.names[kind],
          records: [{ key: value.subjectId, value: codec.encode(kind, value) }],
        },
      ]);
    const now = Date.now();
    for (const s of [a, b]) {
      await send('registry', registry({ subjectId: s, observedAt: now - 86_400_000 }));
      await new Promise((resolve) => setTimeout(resolve, 150));
      await send('telecom', telecom({ subjectId: s, observedAt: now - 3_600_000 }));
      await new Promise((resolve) => setTimeout(resolve, 150));
      await send('biometric', biometric({ subjectId: s, observedAt: now - 60_000 }));
    }
    const futureAt = Date.now() + 2500;
    await send('telecom', telecom({ subjectId: c, observedAt: futureAt }));
    // Consent from the demo enrolment authority: support for its desk's purpose, the pension office for its policy.
    const consents = [
      [a, KEYS.support, 'desk-support', SUPPORT_PURPOSE],
      [a, KEYS.pension, 'pension-office', 'social-insurance.pension-eligibility'],
      [c, KEYS.support, 'desk-support', SUPPORT_PURPOSE],
    ] as const;
    for (const [s, key, party, purpose] of consents) {
      const consentToken = issueConsentToken(DEMO_AUTHORITY_KEY, {
        party,
        purpose,
        subjectId: s,
        expiresAt: Date.now() + 86_400_000,
      });
      assert.equal((await api(engine, '/v1/relationships', key, { consentToken })).status, 201);
    }
    const decided = await until('a decision about A', 10_000, async () => {
      const r = await api(engine, '/v1/decisions', KEYS.pension, {
        subjectId: a,
        policy: 'social-insurance.pension-eligibility',
      });
      return r.status === 200 ? r : undefined;
    });
    assert.equal(decided.status, 200);

    // Support: A's timeline with reasons, a decision by the pension office, a receipt verified in the page.
    const support = await signIn(browser, engine, 'support', errors);
    assert.equal(await openSubject(support, engine, a), 200);
    await until('A timeline with 3 scores', 10_000, async () => {
      await support.reload();
      return (await support.locator('tr.score-row').count()) >= 3 ? true : undefined;
    });
    assert.ok((await support.locator('td.reasons code').count()) > 0, 'reason codes shown');
    assert.match(await support.locator('#decisions').innerText(), /pension-office/);
    const verified = await until('a receipt verified in the page', 15_000, async () => {
      await support.locator('#timeline button[data-verify]').first().click();
      const result = support.locator('#timeline .verify-result').first();
      await until('the check to end', 5_000, async () =>
        (await result.innerText()) === 'checking…' ? undefined : true,
      );
      const text = await result.innerText();
      return text.startsWith('verified') ? text : undefined;
    });
    assert.match(verified, /^verified: leaf, \d+-step proof, ledger block \d+$/);
    await support.screenshot({ path: join(OUTPUT, 'subject.png'), fullPage: true });

    // B has no consent for support: exactly "not found".
    assert.equal(await openSubject(support, engine, b), 404);
    assert.match(await support.locator('main').innerText(), /Subject not found/);
    assert.equal(await support.locator('#timeline').count(), 0);

    // C: not scored before its letter is requeued; scored after.
    assert.equal(await openSubject(support, engine, c), 404);
    await support.goto(`${engine.apiUrl}/console/dead-letters`);
    const row = support.locator('tr.letter', { hasText: 'OBSERVED_AT_IN_FUTURE' });
    await until('the future letter', 10_000, async () => ((await row.count()) === 1 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, futureAt - Date.now() + 200)));
    await row.locator('button', { hasText: 'requeue' }).click();
    await until('the letter marked requeued', 5_000, async () =>
      (await support.locator('tr.letter', { hasText: 'OBSERVED_AT_IN_FUTURE' }).innerText()).includes(
        'requeued',
      )
        ? true
        : undefined,
    );
    await support.screenshot({ path: join(OUTPUT, 'dead-letters.png'), fullPage: true });
    await until('C scored after the requeue', 10_000, async () =>
      (await openSubject(support, engine, c)) === 200 ? true : undefined,
    );
    assert.equal(await support.locator('tr.score-row').count(), 1);

    // Auditor: counts of letters, no subject page.
    const auditor = await signIn(browser, engine, 'auditor', errors);
    await auditor.goto(`${engine.apiUrl}/console/dead-letters`);
    assert.match(await auditor.locator('table.counts').first().innerText(), /OBSERVED_AT_IN_FUTURE\s+1/);
    assert.equal(await auditor.locator('button', { hasText: 'requeue' }).count(), 0);
    const refused = await auditor.goto(`${engine.apiUrl}/console/subject`);
    assert.equal(refused?.status(), 404);
    await auditor.goto(`${engine.apiUrl}/console/health`);
    await auditor.screenshot({ path: join(OUTPUT, 'health.png'), fullPage: true });

    // Policy author: a draft that denies almost everyone flips the pseudonyms the live policy allowed.
    const author = await signIn(browser, engine, 'policy-author', errors);
    await author.goto(`${engine.apiUrl}/console/policies`);
    assert.ok((await author.locator('#packs tr').count()) >= 6);
    const draft = (await readFile(PENSION, 'utf8'))
      .replace(/^version: .*$/m, 'version: 2.0.0')
      .replace(/^minConfidence: .*$/m, 'minConfidence: 0.999')
      .replace(/^denyBelowConfidence: .*$/m, 'denyBelowConfidence: 0.998');
    await author.fill('textarea[name=draft]', draft);
    await author.click('form[action="/console/policies/backtest"] button');
    await author.locator('#outcomes').waitFor({ timeout: 10_000 });
    const flips = await author.locator('#flips tr.flip').allInnerTexts();
    assert.ok(
      flips.some((f) => f.includes(a)) || flips.some((f) => f.includes(b)),
      `flips: ${flips.join(' | ')}`,
    );
    await author.screenshot({ path: join(OUTPUT, 'policies.png'), fullPage: true });

    assert.deepEqual(
      errors.filter((e) => /Content Security Policy|Refused to/i.test(e)),
      [],
    );
    assert.equal(await support.evaluate('typeof window.htmx'), 'object');
  },
);
