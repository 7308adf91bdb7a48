import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DriveStatusSchema, readContractValue } from '../../src/contract/index.js';
import { simInsert } from '../../src/drive/index.js';
import { messages, translator, type Lang, type MessageKey } from '../../src/web/i18n/index.js';
import { messageText } from '../../src/web/i18n/message.js';
import { makeDataIso } from '../helpers/images.js';
import { launchBrowser, useBrowserPage, waitForText } from './browser.js';
import { waitFor } from './fixtures.js';
import { useRealCore } from './real-core.js';

/**
 * The real core (`node dist/cli.js run`) with a simulated drive, its UI in Chromium in German,
 * Spanish and French (picked from the browser's Accept-Language): every page in several states,
 * and the messages after each button press, must be in that language. The rendered text is
 * scanned for English words of the English catalogue that the language's own catalogue does not
 * use (proper names and units aside); data — file paths and names, disc labels, log lines, tool
 * versions, method identifiers — is not UI text and is left out of the scan.
 */
const MiB = 1024 * 1024;
const LANGS_UNDER_TEST = ['de', 'es', 'fr'] as const satisfies readonly Lang[];

/** Names, units and identifiers that are the same in every language. */
const SAME_EVERYWHERE = new Set([
  'disk2iso', 'iso', 'cd', 'dvd', 'rom', 'blu', 'ray', 'bd', 'mib', 'gib', 'kib', 'tib', 'sha256', 'md5', 'flac', 'mp3', 'wav', 'mqtt',
  'libdvdcss', 'dvdbackup', 'xorriso', 'genisoimage', 'paranoia', 'cdparanoia', 'lame', 'ddrescue', 'musicbrainz', 'accuraterip', 'text', 'node',
]);
/** Whole tokens that are identifiers (copy method names as recorded in history). */
const IDENTIFIERS = new Set(['block-copy', 'raw', 'cd-paranoia', 'cdparanoia', 'dvdbackup', 'lame', '(mp3)']);
/** Data, not words of the UI; and the language switch, which names each language in its own words. */
const DATA_SELECTORS = [
  'script', 'style', 'code', '#lang-switch', '.log-lines', '[data-field="path"]', '[data-field="title"]', '[data-field="disc_label"]', '.job-row-label',
  '.archive-name', '[data-field="method"]', '[aria-labelledby="sys-tools"] tbody', '.sys-drive strong', '[data-field="message"] .path',
].join(', ');

function words(text: string): string[] {
  return text
    .replace(/\{\w+\}/g, ' ')
    .split(/\s+/)
    .filter((token) => !/[/\\_@]|\d/.test(token) && !IDENTIFIERS.has(token.replace(/[;,.:]+$/, '')))
    .flatMap((token) => token.split(/[^\p{L}]+/u))
    .map((w) => w.toLowerCase())
    .filter((w) => w.length >= 3);
}

/**
 * English words of the UI that are also words of each language (reviewed cognates and names:
 * German "Status", French "image"…). Not derived from the language's own catalogue: a text
 * left in English there must still count as English.
 */
const SHARED_WORDS: Readonly<Record<(typeof LANGS_UNDER_TEST)[number], readonly string[]>> = {
  de: ['album', 'audio', 'auto', 'cds', 'details', 'disc', 'discs', 'dvds', 'filter', 'info', 'kill', 'live', 'name', 'offline', 'option', 'phase', 'start', 'status', 'system', 'track', 'version', 'video', 'cover', 'api', 'tmdb'],
  es: ['audio', 'error', 'fatal', 'kill', 'real', 'sector', 'track', 'api', 'tmdb'],
  fr: ['album', 'archive', 'audio', 'auto', 'date', 'fatal', 'file', 'image', 'images', 'info', 'kill', 'message', 'navigation', 'option', 'page', 'pages', 'phase', 'plan', 'trace', 'track', 'type', 'version', 'volume', 'films', 'api', 'tmdb'],
};

/** English words of the UI that are not words of `lang` too. */
function englishOnly(lang: (typeof LANGS_UNDER_TEST)[number]): Set<string> {
  const shared = new Set(SHARED_WORDS[lang]);
  return new Set(
    Object.values(messages('en'))
      .flatMap(words)
      .filter((w) => !shared.has(w) && !SAME_EVERYWHERE.has(w)),
  );
}

/**
 * The visible text of the page (and its labels and titles), without data; runs in the page (plain
 * JS: this project compiles without the DOM library).
 */
const VISIBLE_TEXT = String.raw`(function (exclude) {
  var parts = [];
  var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (var node = walker.nextNode(); node; node = walker.nextNode()) {
    var el = node.parentElement;
    if (!el || el.closest(exclude)) continue;
    // A <select>'s options are not boxes on screen, but they are the choices a user reads.
    if (!el.checkVisibility() && !el.closest('select')) continue;
    parts.push(node.nodeValue || '');
  }
  document.querySelectorAll('[aria-label], [title], [placeholder]').forEach(function (el) {
    if (el.closest(exclude)) return;
    ['aria-label', 'title', 'placeholder'].forEach(function (name) { parts.push(el.getAttribute(name) || ''); });
  });
  return parts.join('\n');
})`;

async function visibleText(page: Page): Promise<string> {
  return page.evaluate<string>(`${VISIBLE_TEXT}(${JSON.stringify(DATA_SELECTORS)})`);
}

const core = useRealCore({
  tempPrefix: 'disk2iso-web-i18n-',
  token: 'i18nTok',
  options: {
    eject_after_copy: false,
    // A disc archived before waits with a message that has a parameter (its path).
    duplicate_policy: 'skip',
    poll_media_interval: 1,
    poll_removal_interval: 1,
  },
});

describe.each(LANGS_UNDER_TEST)('the UI in %s', (lang) => {
  let page: Page;
  const t = translator(lang);
  const catalog: Readonly<Record<string, string>> = messages(lang);
  const forbidden = englishOnly(lang);
  const problems: string[] = [];
  const leftovers: string[] = [];

  async function scan(where: string): Promise<void> {
    const found = [...new Set(words(await visibleText(page)).filter((w) => forbidden.has(w)))];
    if (found.length > 0) leftovers.push(`${where}: ${found.join(', ')}`);
  }
  const msg = (code: string) => catalog[`msg_${code}`] ?? `(no msg_${code})`;
  const statusLine = '[data-drive="sim0"] [data-field="message"]';
  const waitText = (selector: string, expected: string | RegExp, timeout = 60_000) => waitForText(page, selector, expected, timeout);
  /** The toast a button press shows: the reply's code in words. */
  const waitToast = (code: string) => waitText('.toast >> nth=-1', t('command_ok', { msg: msg(code) }), 20_000);
  const button = (key: MessageKey) => page.locator('[data-drive="sim0"]').getByRole('button', { name: t(key), exact: true });

  useBrowserPage(problems, lang === 'de' ? 'de-DE' : lang === 'es' ? 'es-419' : 'fr-CA', (opened) => (page = opened));

  it('is picked from the browser’s language; the dashboard and the status line after each button press are in it', async () => {
    await page.goto(core.proxy.url);
    await page.waitForSelector('#conn[data-conn="live"]');
    expect(await page.getAttribute('html', 'lang')).toBe(lang);
    await waitText(statusLine, msg('insert_disc'));
    await scan('dashboard, waiting for a disc');

    // Auto-copy off, a disc waits for Start.
    await page.locator('[data-drive="sim0"] input[data-action="set_auto_copy"]').click();
    await waitToast('cmd_auto_copy_off');
    const fast = await makeDataIso(core.dir, { label: `QZX_${lang.toUpperCase()}`, bytes: 12 * MiB, seed: 11 + lang.length + lang.charCodeAt(0) });
    await simInsert(core.sim, fast, { bytes_per_second: 8 * MiB });
    await waitText('[data-drive="sim0"] [data-field="state"]', t('state_waiting_for_metadata'));
    await waitText(statusLine, msg('auto_copy_off'));
    await scan('dashboard, waiting for Start');

    await button('start_copy').click();
    await waitToast('cmd_copy_requested');
    await waitText('[data-drive="sim0"] [data-field="state"]', t('state_waiting_for_removal'));
    await waitText(statusLine, msg('remove_disc'));
    await scan('dashboard, copy completed');
    await button('eject').click();
    await waitToast('cmd_ejected');
    await waitText(statusLine, msg('insert_disc'));

    // The same disc again: skipped, with a message that names the archived image.
    await simInsert(core.sim, fast, { bytes_per_second: 8 * MiB });
    await waitFor(async () => (await readContractValue(core.paths.status('sim0'), DriveStatusSchema))?.message_code === 'already_archived_start' || undefined, 30_000, 'skip');
    const skipped = await readContractValue(core.paths.status('sim0'), DriveStatusSchema);
    // The browser script words it exactly as the server does, and not in English.
    const expected = messageText(lang, { code: skipped?.message_code, params: skipped?.message_params, text: skipped?.message ?? '' });
    expect(expected).not.toBe(skipped?.message);
    expect(expected).toContain(String(skipped?.message_params?.path));
    await waitText(statusLine, expected);
    await scan('dashboard, already archived');
    await button('eject').click();
    await waitToast('cmd_ejected');
    await waitText(statusLine, msg('insert_disc'));
    await page.locator('[data-drive="sim0"] input[data-action="set_auto_copy"]').click();
    await waitToast('cmd_auto_copy_on');

    // A slow disc copies at once; Cancel asks first, then the status line says why the job ended.
    const slow = await makeDataIso(core.dir, { label: `KPLW_${lang.toUpperCase()}`, bytes: 40 * MiB, seed: 29 + lang.charCodeAt(1) });
    await simInsert(core.sim, slow, { bytes_per_second: 1 * MiB });
    await waitText('[data-drive="sim0"] [data-field="state"]', t('state_copying'));
    await waitText(statusLine, msg('copying'));
    await page.waitForTimeout(2500);
    await scan('dashboard, copying');
    const cancel = button('cancel_copy');
    await waitFor(async () => (await cancel.isEnabled()) || undefined);
    await cancel.click();
    await page.locator('#confirm').waitFor({ state: 'visible' });
    expect(await page.locator('#confirm-title').innerText()).toBe(t('confirm_cancel_title'));
    await scan('dashboard, cancel dialog');
    await page.locator('#confirm-yes').click();
    await waitToast('cmd_cancelling');
    await waitText(statusLine, msg('cancelled'));
    await waitText('[data-drive="sim0"] [data-field="state"]', t('state_waiting_for_removal'));
    await scan('dashboard, copy cancelled');
    await page.screenshot({ path: `tests/artifacts/web/i18n-${lang}-cancelled.png`, fullPage: true });

    await button('eject').click();
    await waitToast('cmd_ejected');
    await waitText(statusLine, msg('insert_disc'));
    await scan('dashboard, after eject');
    expect(problems).toEqual([]);
  }, 240_000);

  it('renders history (entries opened), archive, logs, system and a missing page in it', async () => {
    await page.goto(`${core.proxy.url}history`);
    await page.locator('.history-item').first().waitFor();
    await page.evaluate(`document.querySelectorAll('details').forEach(function (d) { d.open = true; })`);
    // The cancelled job's reason, in words of the language.
    expect(await page.locator('.history-item[data-result="cancelled"] .error-text').first().innerText()).toBe(msg('cancelled'));
    await scan('history');
    await page.goto(`${core.proxy.url}archive`);
    await page.waitForSelector('[data-path]');
    await scan('archive');
    await page.goto(`${core.proxy.url}logs`);
    await scan('logs');
    await page.goto(`${core.proxy.url}system`);
    await page.waitForSelector('#sys-methods');
    await scan('system');
    await page.screenshot({ path: `tests/artifacts/web/i18n-${lang}-system.png`, fullPage: true });
    await page.goto(`${core.proxy.url}no-such-page`);
    await scan('not found');
    expect(leftovers).toEqual([]);
    expect(problems).toEqual([]);
  }, 120_000);
});

describe('inside Home Assistant', () => {
  it('follows the language of Home Assistant (the parent frame), not the browser’s, until the switch chooses one', async () => {
    const browser = await launchBrowser({ locale: 'en-US' });
    try {
      const page = await browser.context.newPage();
      // HA's frontend is the ingress panel's parent, on the same origin, with <html lang> of the user's profile.
      const origin = new URL(core.proxy.url).origin;
      let haLang = 'es';
      await page.route(`${origin}/ha-panel`, (route) =>
        route.fulfill({ contentType: 'text/html', body: `<!doctype html><html lang="${haLang}"><body><iframe id="panel" src="${core.proxy.prefix}/" style="width:1200px;height:800px"></iframe></body></html>` }),
      );
      const frame = page.frameLocator('#panel');
      const panelIn = (lang: Lang) => waitFor(async () => (await frame.locator('html').getAttribute('lang')) === lang || undefined, 20_000, `panel in ${lang}`);
      await page.goto(`${origin}/ha-panel`);
      await panelIn('es');
      expect(await frame.locator('.tabs .tab').first().innerText()).toBe(messages('es').nav_dashboard);
      // A language the UI does not have: the browser's decides again.
      haLang = 'pt-BR';
      await page.reload();
      await panelIn('en');
      haLang = 'fr';
      await page.reload();
      await panelIn('fr');
      // The switch wins over Home Assistant's language, also after a reload.
      await frame.locator('#lang-switch').selectOption('de');
      await panelIn('de');
      await page.reload();
      await page.waitForTimeout(1000);
      await panelIn('de');
    } finally {
      await browser.close();
    }
  }, 60_000);
});
