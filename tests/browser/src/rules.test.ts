/**
 * The test page's routing rules, in Debian's Chromium against the real local stack
 * started with `--rules fixtures/rules/iot-thresholds.json`: the page lists the rules in
 * force and, as a reading is typed, says which rules fire and what will happen; a reading
 * over the threshold then makes a record and an alert naming the rule.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage, screenshot, unexpectedProblems } from './browser.ts';
import { LocalStack, REPO_ROOT } from './local-stack.ts';

const IOT_RULES = join(REPO_ROOT, 'fixtures', 'rules', 'iot-thresholds.json');
const OUTCOME_TIMEOUT_MS = 30_000;

let stack: LocalStack;
let plain: LocalStack;
let browser: Browser;

before(async () => {
  stack = await LocalStack.start(['--rules', IOT_RULES, '--notification-includes-data']);
  plain = await LocalStack.start();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
  await plain?.stop();
});

async function typeMessage(page: Page, body: string): Promise<void> {
  const editor = page.locator('#message');
  await editor.fill('');
  // Typed key by key, as a person does: the preview follows each input event.
  await editor.pressSequentially(body, { delay: 0 });
}

describe('routing rules on the test page', () => {
  it('lists the rules in force and previews, as a reading is typed, which rules fire and what happens', async () => {
    const watched = await openPage(browser);
    const { page } = watched;
    await page.goto(stack.url.href);
    const list = page.locator('#rules > li');
    await list.first().waitFor();
    assert.deepEqual(await list.evaluateAll((items) => items.map((i) => i.getAttribute('data-rule'))), [
      'overheat',
      'freezing',
      'low-battery',
    ]);
    assert.match(await list.first().innerText(), /\/data\/temperature gt 80 → a record and a notification/);
    assert.match(await page.locator('#rules-summary').innerText(), /3 rules in force/);

    const preview = page.locator('#rules-preview');
    await typeMessage(page, '{"Insert": "iot", "data": {"sensor": "greenhouse-3", "temperature": 81.5}}');
    await page.waitForFunction(() => document.getElementById('rules-preview')?.innerText.includes('overheat'));
    const hot = await preview.innerText();
    assert.match(hot, /Rule overheat \(high\) fires: this message makes a record and a notification\./);
    assert.match(hot, /Notification subject: Temperature 81\.5 at greenhouse-3/);
    assert.match(await page.locator('#validation').innerText(), /routed by the rules in force/);
    await screenshot(page, 'rules-preview-over-threshold');

    await typeMessage(page, '{"Insert": "iot", "data": {"sensor": "greenhouse-3", "temperature": 80}}');
    await page.waitForFunction(() => document.getElementById('rules-preview')?.innerText.includes('No rule fires'));
    assert.match(await preview.innerText(), /No rule fires: this message makes a record\./);

    await typeMessage(page, '{"Insert": "iot", "data": {"temperature": -3, "battery": 4}}');
    await page.waitForFunction(() => document.getElementById('rules-preview')?.innerText.includes('low-battery'));
    assert.match(await preview.innerText(), /Rules freezing \(medium\), low-battery \(low\) fire/);
    assert.match(await preview.innerText(), /Notification subject: Freezing: -3 at \(none\)/);

    await typeMessage(page, '{"data": {"temperature": 99}}');
    await page.waitForFunction(() => document.getElementById('rules-preview')?.hidden === true);
    assert.deepEqual(unexpectedProblems(watched), []);
    await watched.context.close();
  });

  it('a reading over the threshold, sent from the page, makes a record and an alert naming the rule', async () => {
    const watched = await openPage(browser);
    const { page } = watched;
    await page.goto(stack.url.href);
    await page.locator('#rules > li').first().waitFor();
    await typeMessage(page, '{"Insert": "iot", "data": {"sensor": "s-9", "temperature": 90}}');
    await page.waitForFunction(() => document.getElementById('rules-preview')?.innerText.includes('overheat'));
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.locator('#history > li[data-state="stored"]').waitFor({ timeout: OUTCOME_TIMEOUT_MS });
    const alerts = page.locator('#notifications > li', { hasText: 'Temperature 90 at s-9' });
    await page.getByRole('button', { name: 'Refresh notifications' }).click();
    await alerts.first().waitFor({ timeout: OUTCOME_TIMEOUT_MS });
    assert.deepEqual(unexpectedProblems(watched), []);
    await watched.context.close();
  });

  it('without rules the page says the original routing applies and shows no preview', async () => {
    const watched = await openPage(browser);
    const { page } = watched;
    await page.goto(plain.url.href);
    await page.waitForFunction(() => document.getElementById('rules-summary')?.innerText.startsWith('No routing rules'));
    await typeMessage(page, '{"Insert": "Dynamoooo"}');
    assert.equal(await page.locator('#rules-preview').isHidden(), true);
    assert.match(await page.locator('#validation').innerText(), /will send a notification/);
    assert.deepEqual(unexpectedProblems(watched), []);
    await watched.context.close();
  });
});
