import { $, $$, doc, setText, targetOf } from './dom.js';
import { date, LANG, shortDate, t, time } from './text.js';

/**
 * What every page does: <time> elements in the browser's time zone, the language switch (and
 * Home Assistant's language inside the ingress panel), auto-submitting filters, reload buttons.
 */

function localizeTimes(root: ParentNode): void {
  for (const el of $$('time[datetime]', root)) {
    const iso = el.getAttribute('datetime');
    if (!iso) continue;
    const kind = el.getAttribute('data-fmt');
    if (kind === 'time') setText(el, time(iso));
    else if (kind === 'short') setText(el, shortDate(iso));
    else if (el.getAttribute('data-field') === 'since') setText(el, t('since', { t: date(iso) }));
    else setText(el, date(iso));
  }
}

function basePath(): string {
  return new URL('.', doc.baseURI).pathname;
}

function setCookie(name: string, value: string, maxAge: number): void {
  doc.cookie = `${name}=${value}; path=${basePath()}; max-age=${maxAge}; samesite=strict`;
}

function cookieOf(name: string): string {
  const m = new RegExp(`(?:^|; )${name}=([^;]*)`).exec(doc.cookie);
  return m?.[1] ?? '';
}

function setLang(lang: string): void {
  if (!/^[a-z]{2}$/.test(lang)) return;
  setCookie('disk2iso_lang', lang, 31536000);
  try {
    localStorage.setItem('disk2iso.lang', lang);
  } catch {
    /* private mode */
  }
  location.reload();
}

/**
 * In Home Assistant's ingress panel this page is a same-origin frame of HA's frontend: the
 * language of the user's HA profile (the parent's <html lang>, else HA's stored selectedLanguage).
 */
function haLanguage(): string {
  try {
    if (window.parent === window) return '';
    let lang = window.parent.document.documentElement.lang || '';
    if (!lang) {
      const stored = window.parent.localStorage.getItem('selectedLanguage');
      lang = stored ? String(JSON.parse(stored) ?? '') : '';
    }
    return (lang.toLowerCase().split(/[-_]/)[0]) ?? '';
  } catch {
    return ''; // not framed by HA (another origin)
  }
}

function initLanguage(): void {
  const langSwitch = $<HTMLSelectElement>('#lang-switch');
  langSwitch?.addEventListener('change', () => setLang(langSwitch.value));
  try {
    const stored = localStorage.getItem('disk2iso.lang');
    if (stored && stored !== LANG && !doc.cookie.includes('disk2iso_lang=') && !sessionStorage.getItem('disk2iso.langRestored')) {
      sessionStorage.setItem('disk2iso.langRestored', '1');
      setLang(stored);
    }
  } catch {
    /* storage unavailable */
  }
  // Follow HA's language unless the switch here chose one: noted in its own cookie; one reload, never a loop.
  const haLang = haLanguage();
  if (!haLang || cookieOf('disk2iso_lang')) return;
  const offered = $$<HTMLOptionElement>('#lang-switch option').map((o) => o.value);
  const known = offered.includes(haLang);
  if (known && cookieOf('disk2iso_ha_lang') !== haLang) {
    setCookie('disk2iso_ha_lang', haLang, 31536000);
    if (haLang !== LANG) location.reload();
  } else if (!known && cookieOf('disk2iso_ha_lang')) {
    // HA now speaks a language this UI has not: the browser's language decides again.
    setCookie('disk2iso_ha_lang', '', 0);
    location.reload();
  }
}

export function initPage(): void {
  doc.documentElement.classList.add('js');
  initLanguage();
  for (const el of $$<HTMLInputElement | HTMLSelectElement>('[data-autosubmit]')) {
    el.addEventListener('change', () => {
      if (!el.form) return;
      if (typeof el.form.requestSubmit === 'function') el.form.requestSubmit();
      else el.form.submit();
    });
  }
  doc.addEventListener('click', (ev) => {
    if (targetOf(ev, '[data-action="reload"]')) location.reload();
  });
  localizeTimes(doc);
}
