import { createHash } from 'node:crypto';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveIndex } from '../../src/archive/index.js';
import { coded, refused } from '../../src/contract/index.js';
import { startWebServer, type RunningWebServer } from '../../src/web/index.js';
import { collectProblems, launchBrowser, waitForText, type TestBrowser } from './browser.js';
import { FakeCore } from './fake-core.js';
import { historyEntry, makeFixture, waitFor, writeHistory, type WebFixture } from './fixtures.js';
import { startIngressProxy, type IngressProxy } from './ingress-proxy.js';

const ARTIFACTS = 'tests/artifacts/web';
const MiB = 1024 * 1024;
const HOSTILE = '<img src=x onerror=alert(1)>';

let browser: TestBrowser;
let fx: WebFixture;
let core: FakeCore;
let server: RunningWebServer;
let proxy: IngressProxy;
let page: Page;
let problems: string[];
let requests: string[];

async function setUp(options: { bufferEvents?: boolean } = {}): Promise<void> {
  fx = await makeFixture();
  core = new FakeCore(fx);
  await core.start();
  server = await startWebServer({ ...fx.deps, hostname: '127.0.0.1' });
  proxy = await startIngressProxy(server.url, options);
  problems = [];
  requests = [];
  // Chromium logs every 4xx answer as "Failed to load resource"; refusals are tested on their own.
  page = collectProblems(await browser.context.newPage(), problems);
  page.on('dialog', (d) => {
    problems.push(`unexpected native dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => requests.push(r.url()));
}

const text = (selector: string) => page.locator(selector).first().innerText();
const stateText = () => text('[data-drive="sim0"] [data-field="state"]');
function waitText(selector: string, expected: string | RegExp, timeout = 30_000): Promise<string> {
  return waitForText(page, selector, expected, timeout);
}

async function shot(name: string): Promise<void> {
  await page.waitForTimeout(300); // let CSS transitions settle
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  browser = await launchBrowser({ locale: 'en-US' });
});
afterAll(async () => {
  await browser.close();
});
afterEach(async () => {
  await page.close();
  await browser.context.clearCookies();
  await proxy.stop();
  await server.stop();
  await core.stop();
  await fx.cleanup();
});

describe('dashboard in Chromium behind an ingress prefix', () => {
  it('follows a copy to 100 % and shows the new history row, loading nothing from elsewhere', async () => {
    await setUp();
    await page.goto(proxy.url);
    await page.waitForSelector('#conn[data-conn="live"]');
    expect(await stateText()).toBe('Waiting for a disc');
    await core.insert('SUNNY_DAYS', { total: 48 * MiB, speed: 12 * MiB, bad: [[20 * MiB, 20 * MiB + 8192]] });
    await waitText('[data-field="state"]', 'Copying');
    await waitFor(async () => (await page.locator('[data-field="chart-line"]').getAttribute('points'))?.includes(' ') || undefined, 30_000, 'speed chart');
    await shot('dashboard-copying');
    await waitText('[data-field="percent"]', '100 %');
    // <progress>.value reflects its value attribute.
    expect(Number(await page.locator('[data-field="progress"]').getAttribute('value'))).toBe(100);
    await waitText('[data-field="recent"] .job-row-label', 'SUNNY_DAYS');
    expect(await text('[data-field="recent"] .result-chip')).toBe('Success');
    expect(await page.locator('[data-field="badmap-runs"] rect').count()).toBeGreaterThan(0);
    await waitText('[data-field="state"]', 'Remove the disc');
    await shot('dashboard-completed');
    const origin = new URL(proxy.url).origin;
    expect(requests.length).toBeGreaterThan(2);
    expect(requests.filter((u) => !u.startsWith(`${origin}${proxy.prefix}/`) && !u.startsWith('data:'))).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('cancels a slow copy after confirmation, ejects, and toggles auto-copy from the keyboard', async () => {
    await setUp();
    await page.goto(proxy.url);
    await page.waitForSelector('#conn[data-conn="live"]');
    await core.insert('SLOW_DISC', { total: 400 * MiB, speed: 8 * MiB, holdAt: 0.3 });
    await waitText('[data-field="state"]', 'Copying');
    const cancel = page.getByRole('button', { name: 'Cancel copy' });
    await waitFor(async () => (await cancel.isEnabled()) || undefined);
    await cancel.click();
    const dialog = page.locator('#confirm');
    await dialog.waitFor({ state: 'visible' });
    expect(await text('#confirm-title')).toBe('Cancel the running copy?');
    await shot('dialog-cancel');
    await page.locator('#confirm-yes').click();
    await waitFor(() => fx.control.calls.some((c) => c.command.action === 'cancel'), 30_000, 'cancel command');
    await waitText('[data-field="state"]', 'Remove the disc');
    await waitText('[data-field="recent"] .result-chip', 'Cancelled');
    await page.getByRole('button', { name: 'Eject' }).click();
    await waitText('[data-field="state"]', 'Waiting for a disc');
    await waitText('[data-field="disc_label"]', 'No disc');
    const toggle = page.getByRole('switch', { name: /Auto-copy/ });
    expect(await toggle.isChecked()).toBe(true);
    await toggle.focus();
    await page.keyboard.press('Space');
    await waitFor(() => fx.control.calls.some((c) => c.command.action === 'set_auto_copy'), 30_000, 'auto-copy command');
    expect(fx.control.calls.find((c) => c.command.action === 'set_auto_copy')?.command).toEqual({ action: 'set_auto_copy', enabled: false });
    await waitFor(async () => !(await toggle.isChecked()) || undefined);
    expect(fx.control.calls.map((c) => c.command.action)).toEqual(['cancel', 'eject', 'set_auto_copy']);
    expect(problems).toEqual([]);
  });

  it('asks before Eject ends a running copy, and shows a refusal of the core as a message, not a crash', async () => {
    await setUp();
    await page.goto(proxy.url);
    await page.waitForSelector('#conn[data-conn="live"]');
    await core.insert('BUSY', { total: 400 * MiB, speed: 8 * MiB, holdAt: 0.2 });
    await waitText('[data-field="state"]', 'Copying');
    const eject = page.getByRole('button', { name: 'Eject' });
    await eject.click();
    await page.locator('#confirm').waitFor({ state: 'visible' });
    expect(await text('#confirm-title')).toBe('Eject and cancel the running copy?');
    await page.locator('#confirm-no').click();
    await page.waitForTimeout(300);
    expect(fx.control.calls).toEqual([]);
    // The UI may lag the core: a command refused there is a message.
    fx.control.onExecute = () => refused(409, coded('cmd_not_in_state', { action: 'eject', state: 'initializing' }));
    await eject.click();
    await page.locator('#confirm-yes').click();
    await waitText('.toast', 'Not possible: “Eject” is not possible in the state “Starting”');
    fx.control.onExecute = (id, command) => core.execute(id, command);
    await eject.click();
    await page.locator('#confirm-yes').click();
    await waitText('[data-field="recent"] .result-chip', 'Cancelled');
    await waitText('[data-field="state"]', 'Waiting for a disc');
    expect(fx.control.calls.map((c) => c.command.action)).toEqual(['eject', 'eject']);
    expect(problems).toEqual([]);
  });

  it('with auto-copy off, a waiting disc has Start enabled and Cancel disabled; Start copies it; Close tray is there', async () => {
    await setUp();
    await core.execute('sim0', { action: 'set_auto_copy', enabled: false });
    await page.goto(proxy.url);
    await page.waitForSelector('#conn[data-conn="live"]');
    const button = (name: string) => page.getByRole('button', { name, exact: true });
    await waitFor(async () => (await button('Close tray').isEnabled()) || undefined, 30_000, 'Close tray enabled while waiting for a disc');
    await core.insert('MANUAL', { total: 16 * MiB, speed: 16 * MiB });
    await waitText('[data-field="message"]', 'Auto-copy is off: press Start to copy this disc');
    await waitFor(async () => (await button('Start copy').isEnabled()) || undefined, 30_000, 'Start enabled');
    expect(await button('Cancel copy').isDisabled()).toBe(true);
    await button('Start copy').click();
    await waitText('[data-field="recent"] .job-row-label', 'MANUAL');
    await button('Close tray').click();
    await waitText('.toast', /Tray closed/);
    expect(fx.control.calls.map((c) => c.command.action)).toEqual(['start', 'close_tray']);
    expect(problems).toEqual([]);
  });

  it('renders a hostile disc label as plain text, live and after reload', async () => {
    await setUp();
    await page.goto(proxy.url);
    await page.waitForSelector('#conn[data-conn="live"]');
    await core.insert(HOSTILE, { total: 8 * MiB, speed: 8 * MiB });
    await waitText('[data-field="disc_label"]', HOSTILE);
    await waitText('[data-field="recent"] .job-row-label', HOSTILE);
    expect(await page.locator('main img').count()).toBe(0);
    await page.reload();
    await waitText('[data-field="disc_label"]', HOSTILE);
    expect(await page.locator('main img').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('switches to German and keeps it', async () => {
    await setUp();
    await page.goto(proxy.url);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.selectOption('#lang-switch', 'de');
    await waitFor(async () => (await page.getAttribute('html', 'lang')) === 'de', 20_000, 'page language de');
    await page.waitForSelector('#conn[data-conn="live"]');
    expect(await page.getByRole('link', { name: 'Übersicht' }).count()).toBe(1);
    expect(await stateText()).toBe('Warte auf eine Disc');
    await core.insert('DISC_DE', { total: 400 * MiB, speed: 8 * MiB, holdAt: 0.2 });
    await waitText('[data-field="state"]', 'Kopieren');
    await waitFor(async () => ((await text('[data-field="speed"]')).includes(',') ? true : undefined), 30_000, 'German number format');
    await shot('dashboard-de');
    await page.reload();
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    const cookies = await browser.context.cookies(proxy.url);
    expect(cookies.find((c) => c.name === 'disk2iso_lang')).toMatchObject({ value: 'de', path: `${proxy.prefix}/` });
    await page.selectOption('#lang-switch', 'en');
    await waitFor(async () => (await page.getAttribute('html', 'lang')) === 'en', 20_000, 'page language en');
    expect(problems).toEqual([]);
  });

  it('falls back to polling when the proxy buffers the event stream', async () => {
    await setUp({ bufferEvents: true });
    await page.goto(proxy.url);
    await page.waitForSelector('#conn[data-conn="polling"]', { timeout: 30_000 });
    await core.insert('POLLED', { total: 400 * MiB, speed: 8 * MiB, holdAt: 0.2 });
    await waitText('[data-field="state"]', 'Copying');
    await waitText('[data-field="disc_label"]', 'POLLED');
    expect(problems).toEqual([]);
  });
});

describe('other pages in Chromium', () => {
  it('archive: verifies, downloads and deletes an image after confirmation', async () => {
    await setUp();
    const image = Buffer.alloc(3 * MiB, 7);
    await mkdir(join(fx.outputDir, 'dvd'), { recursive: true });
    await writeFile(join(fx.outputDir, 'dvd', 'FILM.iso'), image);
    await writeFile(join(fx.outputDir, 'dvd', 'FILM.iso.sha256'), `${createHash('sha256').update(image).digest('hex')}  FILM.iso\n`);
    // The page lists the core's archive index: written here the way the core writes it at start.
    const index = new ArchiveIndex(fx.outputDir, fx.apiDir, pino({ level: 'silent' }));
    await index.start();
    await index.stop();
    await page.goto(`${proxy.url}archive`);
    const item = page.locator('[data-path="dvd/FILM.iso"]');
    expect(await item.locator('[data-field="checksum"]').innerText()).toBe('Not verified');
    await item.getByRole('button', { name: 'Verify: FILM.iso' }).click();
    await waitText('[data-path="dvd/FILM.iso"] [data-field="checksum"]', 'Checksum OK');
    const href = await item.getByRole('link', { name: 'Download: FILM.iso' }).getAttribute('href');
    const download = await page.request.get(new URL(href ?? '', page.url()).href, { headers: { range: 'bytes=0-99' } });
    expect(download.status()).toBe(206);
    expect((await download.body()).length).toBe(100);
    await shot('archive');
    await item.getByRole('button', { name: 'Delete: FILM.iso' }).click();
    await page.locator('#confirm').waitFor({ state: 'visible' });
    expect(await text('#confirm-body')).toContain('FILM.iso');
    await page.locator('#confirm-yes').click();
    await waitFor(async () => ((await item.count()) === 0 ? true : undefined));
    await expect(access(join(fx.outputDir, 'dvd', 'FILM.iso'))).rejects.toThrow();
    await expect(access(join(fx.outputDir, 'dvd', 'FILM.iso.sha256'))).rejects.toThrow();
    expect(problems).toEqual([]);
  });

  it('history: filters and opens details with the keyboard', async () => {
    await setUp();
    await writeHistory(fx, [
      historyEntry({ disc_label: 'GOOD', result: 'success' }),
      historyEntry({ disc_label: 'SCRATCHED', result: 'failed', error_message: 'read error at sector 4711' }),
    ]);
    await page.goto(`${proxy.url}history`);
    expect(await page.locator('.history-item').count()).toBe(2);
    await page.selectOption('select[name="result"]', 'failed');
    await page.waitForURL(/result=failed/);
    expect(await page.locator('.history-item').count()).toBe(1);
    await page.locator('.history-item summary').focus();
    await page.keyboard.press('Enter');
    await waitText('.history-item .error-text', 'read error at sector 4711');
    expect(problems).toEqual([]);
  });

  it('looks right: every page at desktop and phone width, light and dark', async () => {
    await setUp();
    await mkdir(join(fx.outputDir, 'data'), { recursive: true });
    await writeFile(join(fx.outputDir, 'data', 'BACKUP_2020.iso'), Buffer.alloc(MiB));
    fx.logger.warn('drive sim0: read error at sector 4711, retrying');
    await core.insert('HOLIDAY_2019', { total: 48 * MiB, speed: 24 * MiB });
    await waitFor(() => core.state === 'waiting_for_removal' || undefined, 30_000, 'first job');
    await core.execute('sim0', { action: 'eject' });
    await core.insert('FAMILY_VIDEOS', { total: 900 * MiB, speed: 20 * MiB, holdAt: 0.55, bad: [[200 * MiB, 201 * MiB], [420 * MiB, 423 * MiB]] });
    for (const [width, height, size] of [[1280, 860, 'desktop'], [390, 844, 'phone']] as const) {
      await page.setViewportSize({ width, height });
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const path of ['', 'history', 'archive', 'logs', 'system']) {
          await page.goto(`${proxy.url}${path}`);
          if (path === '') {
            await page.waitForSelector('#conn[data-conn="live"]');
            await waitFor(async () => Number(await page.locator('[data-field="progress"]').getAttribute('value')) > 20 || undefined, 30_000, 'progress');
            await waitFor(async () => (await page.locator('[data-field="chart-line"]').getAttribute('points'))?.includes(' ') || undefined, 30_000, 'chart');
          }
          if (path === 'history') await page.locator('.history-item summary').first().click();
          await shot(`${size}-${scheme}-${path || 'dashboard'}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
