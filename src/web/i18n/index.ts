import { de } from './de.js';
import { en, type MessageKey, type Messages } from './en.js';
import { es } from './es.js';
import { fr } from './fr.js';

export type { MessageKey, Messages } from './en.js';

export const LANGS = ['en', 'de', 'es', 'fr'] as const;
export type Lang = (typeof LANGS)[number];
export const LANG_COOKIE = 'disk2iso_lang';
/** Home Assistant's language, noted by the page script inside the ingress panel (HA's own frontend is its parent frame). */
export const HA_LANG_COOKIE = 'disk2iso_ha_lang';

const CATALOGS: Record<Lang, Messages> = { en, de, es, fr };

function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}

/** `es-419` → `es`: the supported language of a BCP 47 tag, if any. */
function langOfTag(tag: string | undefined): Lang | null {
  const primary = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0];
  return isLang(primary) ? primary : null;
}

/**
 * The UI language: the switch's cookie wins, then Home Assistant's language (inside the ingress
 * panel), then the browser's Accept-Language by quality, then English.
 */
export function pickLang(cookie: string | undefined, acceptLanguage: string | undefined, homeAssistant?: string): Lang {
  if (isLang(cookie)) return cookie;
  const ha = langOfTag(homeAssistant);
  if (ha) return ha;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { primary: tag.trim().toLowerCase().split('-')[0] ?? '', q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((entry) => entry.primary.length > 0 && Number.isFinite(entry.q) && entry.q > 0)
    .sort((a, b) => b.q - a.q);
  return ranked.map((entry) => entry.primary).find(isLang) ?? 'en';
}

export type Translate = (key: MessageKey, params?: Readonly<Record<string, string | number>>) => string;

export function translator(lang: Lang): Translate {
  const catalog = CATALOGS[lang];
  return (key, params) => {
    const text = catalog[key];
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  };
}

export function messages(lang: Lang): Messages {
  return CATALOGS[lang];
}
