import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { waitFor } from './fixtures.js';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Debian's Chromium through playwright-core, with a fresh profile. */
export async function launchBrowser(options: { locale?: string } = {}): Promise<TestBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'disk2iso-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    locale: options.locale ?? 'en-US',
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Waits until the first element matching `selector` shows `expected`; the error says what it shows. */
export async function waitForText(page: Page, selector: string, expected: string | RegExp, timeout = 30_000): Promise<string> {
  let last = '';
  try {
    return await waitFor(async () => {
      last = await page.locator(selector).first().innerText();
      return (typeof expected === 'string' ? last === expected : expected.test(last)) ? last : undefined;
    }, timeout);
  } catch {
    throw new Error(`timed out waiting for ${selector} to show ${String(expected)}; it shows "${last}"`);
  }
}

/**
 * Records what a page must never show: script errors and console errors (a failed resource load
 * is left to the test that expects it). The test asserts the list is empty at the end.
 */
export function collectProblems(page: Page, problems: string[]): Page {
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
  });
  return page;
}

/**
 * Registers a Chromium for the enclosing block (or file), launched before its tests (after the
 * hooks registered earlier) and closed after them; `use` gets its page, which records its
 * problems into `problems`.
 */
export function useBrowserPage(problems: string[], locale: string, use: (page: Page) => void): void {
  let browser: TestBrowser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser({ locale });
    use(collectProblems(await browser.context.newPage(), problems));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
}
