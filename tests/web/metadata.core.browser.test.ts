import { basename, join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistorySchema, readContractValue, type HistoryEntry } from '../../src/contract/index.js';
import { DEMO_CATALOGUE, startMetadataStandin, type MetadataStandin } from '../../src/demo/metadata-standin.js';
import { writeSampleIso } from '../../src/demo/sample-iso.js';
import { simInsert } from '../../src/drive/index.js';
import { useBrowserPage, waitForText } from './browser.js';
import { waitFor } from './fixtures.js';
import { useRealCore } from './real-core.js';

/**
 * Metadata before the copy, in Chromium against the real core (`node dist/cli.js run`) that asks
 * the loopback TMDB stand-in, behind an ingress-like prefix: the candidates with their covers,
 * Choose, a typed title, a new search, Skip, and the time limit taking the default.
 */
const TIMEOUT_S = 30;
/** What the test reads of an <img> (the tests compile without the DOM library). */
interface Img {
  complete: boolean;
  naturalWidth: number;
  currentSrc: string;
}
let standin: MetadataStandin;
let page: Page;
const problems: string[] = [];

async function newestEntry(count: number): Promise<HistoryEntry> {
  return waitFor(
    async () => {
      const history = await readContractValue(core.paths.history, HistorySchema);
      return history && history.entries.length >= count ? history.entries[0] : undefined;
    },
    90_000,
    `history entry ${count}`,
  );
}

async function insertDvd(label: string, day: number): Promise<void> {
  const iso = join(core.dir, `${label}.iso`);
  await writeSampleIso(iso, { label, dataBytes: 4 * 1024 * 1024, date: new Date(Date.UTC(2026, 0, day, 12)), dvdVideo: true });
  await simInsert(core.sim, iso);
  await page.locator('[data-field="metadata"]:not([hidden]) .candidate').first().waitFor({ timeout: 60_000 });
}

async function ejectFromUi(): Promise<void> {
  await waitText('[data-field="state"]', 'Remove the disc');
  await page.getByRole('button', { name: 'Eject' }).click();
  await waitText('[data-field="state"]', 'Waiting for a disc');
}

function waitText(selector: string, expected: string | RegExp, timeout = 60_000): Promise<string> {
  return waitForText(page, selector, expected, timeout);
}

// Registered before the core's hooks: the stand-in is up when the core starts, closed after it stops.
beforeAll(async () => {
  standin = await startMetadataStandin(DEMO_CATALOGUE);
});
afterAll(async () => {
  await standin?.close();
});

const core = useRealCore({
  tempPrefix: 'disk2iso-web-meta-',
  token: 'm3taTok',
  options: {
    tmdb_api_key: DEMO_CATALOGUE.tmdbApiKey,
    metadata_timeout: TIMEOUT_S,
    dvd_video_mode: 'raw',
    eject_after_copy: false,
    poll_media_interval: 1,
    poll_removal_interval: 1,
  },
  env: () => standin.env(),
});

useBrowserPage(problems, 'en-US', (opened) => (page = opened));

describe('choosing a disc’s name in the dashboard, with the real core', () => {
  it('shows the matches with covers and names the ISO after the chosen one; a typed title; a new search and Skip; the time limit takes the default', async () => {
    await page.goto(core.proxy.url);
    await page.waitForSelector('#conn[data-conn="live"]');

    // 1. Two films (and a series) for MY_MOVIE_DISC_1, each with its cover, the default marked, a countdown.
    await insertDvd('MY_MOVIE_DISC_1', 1);
    await waitText('[data-field="state"]', 'Waiting for an answer');
    const panel = page.locator('[data-field="metadata"]');
    await waitText('.metadata-head', 'Which disc is this?');
    expect(await panel.locator('.cand-title').allInnerTexts()).toEqual(['My Movie', 'My Movie', 'My Movie: The Series']);
    expect(await panel.locator('.cand-year').allInnerTexts()).toEqual([' (2004)', ' (2019)', ' (2021)'].map((s) => s.trim()));
    const covers = panel.locator('img.cand-cover');
    expect(await covers.count()).toBe(3);
    expect(await covers.nth(1).getAttribute('alt')).toBe('Cover of My Movie (2019)');
    // Served through the ingress prefix and decoded by the browser: real images.
    await waitFor(async () => (await covers.evaluateAll((imgs) => imgs.every((img) => (img as unknown as Img).complete && (img as unknown as Img).naturalWidth > 0))) || undefined, 20_000, 'covers loaded');
    expect(await covers.first().evaluate((img) => (img as unknown as Img).currentSrc)).toContain('/api/hassio_ingress/m3taTok/api/drives/sim0/covers/');
    expect(await panel.locator('.candidate[data-default="yes"] .cand-year').innerText()).toBe('(2004)');
    const first = await waitText('[data-field="meta-deadline"]', /^The default is taken in 0:\d\d$/);
    await waitFor(async () => ((await page.locator('[data-field="meta-deadline"]').innerText()) !== first) || undefined, 5000, 'the countdown ticks');
    await page.screenshot({ path: 'tests/artifacts/web/metadata-candidates.png', fullPage: true });
    await page.getByRole('button', { name: 'Choose My Movie (2019)' }).click();
    const chosen = await newestEntry(1);
    expect(basename(chosen.image_path ?? '')).toBe('My_Movie (2019).iso');
    expect(chosen.metadata).toMatchObject({ source: 'tmdb', source_id: 'movie-9002', chosen_by: 'user' });
    await waitText('[data-field="recent"] .job-row-label', 'My Movie');
    expect(await panel.isHidden()).toBe(true);
    await ejectFromUi();

    // 2. A typed title, markup and all: escaped on the page, the title of the archive entry.
    await insertDvd('MY_MOVIE_DISC_2', 2);
    await panel.locator('form[data-form="set_title"] input').fill('Summer <b>Trip</b> 2020');
    await panel.getByRole('button', { name: 'Use this title' }).click();
    const typed = await newestEntry(2);
    expect(typed.metadata).toMatchObject({ source: 'user', chosen_by: 'typed', title: 'Summer <b>Trip</b> 2020' });
    await waitText('[data-field="recent"] .job-row-label', 'Summer <b>Trip</b> 2020');
    expect(await page.locator('[data-field="recent"] b').count()).toBe(0);
    await ejectFromUi();

    // 3. A new search finds the series alone; then Skip keeps the disc's label.
    await insertDvd('MY_MOVIE_DISC_3', 3);
    await panel.locator('form[data-form="search_metadata"] input').fill('series');
    await panel.getByRole('button', { name: 'Search', exact: true }).click();
    await waitText('.meta-query', 'Results for “series”');
    expect(await panel.locator('.cand-title').allInnerTexts()).toEqual(['My Movie: The Series']);
    await panel.getByRole('button', { name: 'Skip: keep the disc label' }).click();
    const skipped = await newestEntry(3);
    expect(skipped.metadata).toMatchObject({ chosen_by: 'skipped' });
    expect(basename(skipped.image_path ?? '')).toBe('MY_MOVIE_DISC_3.iso');
    await ejectFromUi();

    // 4. Nobody answers: when the time limit ends the default is taken.
    await insertDvd('MY_MOVIE_DISC_4', 4);
    const timedOut = await newestEntry(4);
    expect(timedOut.metadata).toMatchObject({ chosen_by: 'timeout', source_id: 'movie-9001' });
    expect(basename(timedOut.image_path ?? '')).toBe('My_Movie (2004).iso');
    await waitText('[data-field="recent"] .job-row-label', 'My Movie');
    expect(await panel.isHidden()).toBe(true);
    expect(problems).toEqual([]);
  }, 300_000);
});
