import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOptions } from '../../src/config/index.js';
import { writeImageMetadata } from '../../src/copy/index.js';
import { startCore, type RunningCore } from '../../src/core/run.js';
import { simReset } from '../../src/drive/index.js';
import { LogBuffer } from '../../src/log/index.js';
import { FAST_INTERVALS } from '../helpers/core.js';
import { freePort } from '../helpers/process.js';
import { makeTempDir } from '../helpers/tmp.js';
import { collectProblems, launchBrowser, waitForText, type TestBrowser } from './browser.js';

/**
 * The real core (in this process, its web server on a free port) over an output folder of 130
 * images with their records, its Archive and History pages in Chromium: pages, sort, search.
 */
let temp: Awaited<ReturnType<typeof makeTempDir>>;
let core: RunningCore;
let browser: TestBrowser;
let page: Page;
let base = '';
const problems: string[] = [];

const names = async (): Promise<string[]> => page.locator('.archive-item .archive-name').allInnerTexts();

beforeAll(async () => {
  temp = await makeTempDir('disk2iso-archive-ui-');
  const sim = join(temp.dir, 'sim0');
  await simReset(sim);
  const out = join(temp.dir, 'out');
  for (const group of ['data', 'dvd']) await mkdir(join(out, group), { recursive: true });
  for (let i = 1; i <= 130; i++) {
    const image = join(out, i % 2 ? 'data' : 'dvd', `DISC_${String(i).padStart(3, '0')}.iso`);
    await writeFile(image, Buffer.alloc(i * 10));
    await writeImageMetadata(image, {
      fingerprint: null,
      label: i === 42 ? 'Wedding 2019' : `Disc ${i}`,
      disc_type: i % 2 ? 'data' : 'dvd-video',
      created: new Date(Date.UTC(2021, 0, 1) + i * 3_600_000).toISOString(),
      bytes: i * 10,
      checksums: {},
      method: 'block-copy',
      result: 'success',
      bad_ranges: [],
      drive_id: 'sim0',
    });
  }
  const config = parseOptions(
    { drives: [`sim:${sim}`], api_dir: join(temp.dir, 'api'), output_dir: out, web_port: 8099, mqtt_enabled: false, min_free_space_mb: 0, log_level: 'warning' },
    '(test)',
  );
  core = await startCore({ config: { ...config, web_port: await freePort() }, logger: pino({ level: 'silent' }), logs: new LogBuffer(), machineOverrides: { intervalsMs: FAST_INTERVALS } });
  base = `http://127.0.0.1:${core.web?.port ?? 0}/`;
  browser = await launchBrowser({ locale: 'en-US' });
  page = collectProblems(await browser.context.newPage(), problems);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await core?.stop();
  await temp?.cleanup();
});

describe('the Archive page of 130 images in Chromium', () => {
  it('shows the first page newest first, goes to the next page, sorts by name and size, and searches', async () => {
    await page.goto(`${base}archive`);
    expect(await page.locator('.archive-item').count()).toBe(50);
    expect((await names())[0]).toBe('DISC_130.iso');
    expect(await page.locator('[data-field="page"]').innerText()).toBe('Page 1 of 3');
    await page.locator('a[rel="next"]').click();
    await waitForText(page, '[data-field="page"]', 'Page 2 of 3');
    expect((await names())[0]).toBe('DISC_080.iso');
    expect(await page.locator('.archive-item').count()).toBe(50);

    await page.goto(`${base}archive`);
    await page.locator('select[name="sort"]').selectOption('name');
    await page.waitForURL(/sort=name/);
    expect((await names()).slice(0, 3)).toEqual(['DISC_001.iso', 'DISC_002.iso', 'DISC_003.iso']);
    await page.locator('select[name="sort"]').selectOption('size');
    await page.waitForURL(/sort=size/);
    expect((await names())[0]).toBe('DISC_130.iso');

    await page.locator('input[name="q"]').fill('wedding');
    await page.locator('input[name="q"]').press('Enter');
    await page.waitForURL(/q=wedding/);
    expect(await names()).toEqual(['DISC_042.iso']);
    expect(await page.locator('[data-field="archive-range"]').innerText()).toBe('1–1 of 1 matching');
    expect(await page.locator('a[rel="next"]').count()).toBe(0);

    await page.goto(`${base}archive?q=nothing-like-this`);
    expect(await page.locator('[data-field="archive-empty"]').innerText()).toBe('No images match this search.');
    expect(problems).toEqual([]);
  });

  it('the History page (rebuilt from the same records) searches and pages', async () => {
    await page.goto(`${base}history`);
    expect(await page.locator('.history-item').count()).toBe(50);
    await page.locator('a[rel="next"]').click();
    await waitForText(page, '[data-field="page"]', 'Page 2 of 3');
    await page.goto(`${base}history`);
    await page.locator('input[name="q"]').fill('wedding');
    await page.locator('input[name="q"]').press('Enter');
    await page.waitForURL(/q=wedding/);
    expect(await page.locator('.history-item .job-row-label').allInnerTexts()).toEqual(['Wedding 2019']);
    expect(problems).toEqual([]);
  });

  it('the German page has the same controls in German', async () => {
    await page.context().addCookies([{ name: 'disk2iso_lang', value: 'de', url: base }]);
    await page.goto(`${base}archive`);
    expect(await page.locator('[data-field="page"]').innerText()).toBe('Seite 1 von 3');
    expect(await page.locator('form[role="search"] button[type="submit"]').innerText()).toBe('Suchen');
    await page.context().clearCookies();
  });
});
