import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { simInsert } from '../../src/drive/index.js';
import { makeDataIso } from '../helpers/images.js';
import { useBrowserPage, waitForText } from './browser.js';
import { waitFor } from './fixtures.js';
import { useRealCore } from './real-core.js';

/**
 * The real core (`node dist/cli.js run`) with a simulated drive and real ISO images, its web UI
 * opened in Chromium behind an ingress-like prefix.
 */
const MiB = 1024 * 1024;
let page: Page;
const problems: string[] = [];

async function text(selector: string): Promise<string> {
  return page.locator(selector).first().innerText();
}

function waitText(selector: string, expected: string | RegExp, timeout = 60_000): Promise<string> {
  return waitForText(page, selector, expected, timeout);
}

const core = useRealCore({
  tempPrefix: 'disk2iso-web-core-',
  token: 'c0reTok',
  options: { eject_after_copy: false, poll_media_interval: 1, poll_removal_interval: 1 },
});

useBrowserPage(problems, 'en-US', (opened) => (page = opened));

describe('the real core in Chromium', () => {
  it('copies a disc to 100 %, shows the history row, cancels a slow disc and ejects, in English and German', async () => {
    const first = await makeDataIso(core.dir, { label: 'SUMMER_2023', bytes: 12 * MiB, seed: 1 });
    const slow = await makeDataIso(core.dir, { label: 'SLOW_ARCHIVE', bytes: 40 * MiB, seed: 2 });
    await page.goto(core.proxy.url);
    await page.waitForSelector('#conn[data-conn="live"]');
    expect(await text('[data-field="state"]')).toBe('Waiting for a disc');

    await simInsert(core.sim, first, { bytes_per_second: 3 * MiB });
    await waitText('[data-field="state"]', 'Copying');
    await waitText('[data-field="disc_label"]', 'SUMMER_2023');
    await page.waitForTimeout(1500);
    await page.screenshot({ path: 'tests/artifacts/web/core-copying.png', fullPage: true });
    await waitText('[data-field="recent"] .job-row-label', 'SUMMER_2023');
    expect(await text('[data-field="recent"] .result-chip')).toBe('Success');
    await waitText('[data-field="state"]', 'Remove the disc');
    expect(await text('[data-field="percent"]')).toBe('100 %');
    expect(Number(await page.locator('[data-field="progress"]').getAttribute('value'))).toBe(100);
    await page.screenshot({ path: 'tests/artifacts/web/core-completed.png', fullPage: true });
    await page.getByRole('button', { name: 'Eject' }).click();
    await waitText('[data-field="state"]', 'Waiting for a disc');

    await simInsert(core.sim, slow, { bytes_per_second: 1 * MiB });
    await waitText('[data-field="state"]', 'Copying');
    await waitText('[data-field="disc_label"]', 'SLOW_ARCHIVE');
    const cancel = page.getByRole('button', { name: 'Cancel copy' });
    await waitFor(async () => (await cancel.isEnabled()) || undefined);
    await cancel.click();
    await page.locator('#confirm').waitFor({ state: 'visible' });
    await page.locator('#confirm-yes').click();
    await waitText('[data-field="recent"] .result-chip', 'Cancelled');
    await waitText('[data-field="state"]', 'Remove the disc');
    await page.getByRole('button', { name: 'Eject' }).click();
    await waitText('.toast', /.+/);

    await page.selectOption('#lang-switch', 'de');
    await waitFor(async () => (await page.getAttribute('html', 'lang')) === 'de', 20_000, 'page language de');
    await waitText('[data-field="recent"] .result-chip', 'Abgebrochen');
    await page.screenshot({ path: 'tests/artifacts/web/core-de.png', fullPage: true });
    await page.goto(`${core.proxy.url}archive`);
    expect(await page.locator('[data-path="data/SUMMER_2023.iso"]').count()).toBe(1);
    expect(problems).toEqual([]);
  }, 240_000);
});
