/**
 * Debian's Chromium driven by playwright-core (no browser download), and pages that
 * record every console error or warning, uncaught exception and failed request, so a
 * test can assert the page ran clean.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from './local-stack.ts';

export const SCREENSHOTS = join(REPO_ROOT, 'tests', 'browser', 'screenshots');

export const LAPTOP = { width: 1366, height: 900 };
/** A common phone: 390 CSS pixels wide. */
export const PHONE = { width: 390, height: 844 };

export async function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env['CHROMIUM'] ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}

/** Something the page reported that a clean run does not. */
export interface Problem {
  what: string;
  url: string;
}

export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  problems: Problem[];
  /** Every request URL the page made, in order. */
  requests: string[];
}

/** A page in a fresh context (empty cache, no storage), watched from its first request. */
export async function openPage(
  browser: Browser,
  viewport = LAPTOP,
  options: { isMobile?: boolean; colorScheme?: 'light' | 'dark' } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport,
    isMobile: options.isMobile ?? false,
    hasTouch: options.isMobile ?? false,
    colorScheme: options.colorScheme ?? 'light',
  });
  const page = await context.newPage();
  const problems: Problem[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.push({ what: `console ${message.type()}: ${message.text()}`, url: message.location().url });
    }
  });
  page.on('pageerror', (error) => problems.push({ what: `uncaught: ${error.message}`, url: page.url() }));
  page.on('requestfailed', (request) =>
    problems.push({ what: `request failed: ${request.failure()?.errorText ?? ''}`, url: request.url() }),
  );
  page.on('request', (request) => requests.push(request.url()));
  return { context, page, problems, requests };
}

/**
 * Following a message polls GET messages/{id}, and the contract answers 404 until the
 * record exists; Chromium logs each of those 404s as a console error. They are the only
 * console errors a clean run may have.
 */
export function isPollingNotFound(problem: Problem): boolean {
  return /\/messages\/[^/]+$/.test(problem.url) && problem.what.includes('status of 404');
}

export function unexpectedProblems(watched: WatchedPage, alsoAllowed: (p: Problem) => boolean = () => false): Problem[] {
  return watched.problems.filter((p) => !isPollingNotFound(p) && !alsoAllowed(p));
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
