import { fmtBytes, fmtDate, fmtDuration, fmtPercent, fmtShortDate, fmtSpeed, fmtTime } from '../format.js';
import { doc, jsonData } from './dom.js';

/**
 * The page's words and numbers: the catalog of its language (embedded by the server as `#i18n`)
 * and the server's formatters (src/web/format.ts) in the page's language.
 */
const I18N = jsonData<Record<string, string>>('i18n', {});
export const LANG = doc.documentElement.lang || 'en';

function has(catalog: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(catalog, key);
}

type Params = Readonly<Record<string, unknown>>;

function fill(template: string, params: Params, value: (name: string, v: unknown) => string): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) => (has(params, name) ? value(name, params[name]) : match));
}

export function t(key: string, params?: Params): string {
  const template = has(I18N, key) ? (I18N[key] ?? key) : key;
  return params ? fill(template, params, (_, v) => String(v)) : template;
}

/** A core message (contract or control reply) in the page's language, like messageText() on the server. */
export function msgText(code: unknown, params: Params | null | undefined, fallback?: string | null): string {
  const template = typeof code === 'string' ? I18N[`msg_${code}`] : undefined;
  if (template === undefined) return fallback ?? '';
  return fill(template, params ?? {}, (name, v) => {
    if ((name === 'bytes' || name.endsWith('_bytes')) && typeof v === 'number') return bytes(v);
    const worded = I18N[`${name}_${String(v)}`];
    if ((name === 'state' || name === 'action' || name === 'reason') && worded !== undefined) return worded;
    return String(v);
  });
}

export const bytes = (n: number | null | undefined): string => fmtBytes(n, LANG);
export const speed = (n: number | null | undefined): string => fmtSpeed(n, LANG);
export const percent = (p: number): string => fmtPercent(p, LANG);
export const duration = fmtDuration;
export const date = (iso: string): string => fmtDate(iso, LANG);
export const shortDate = (iso: string): string => fmtShortDate(iso, LANG);
export const time = (iso: string): string => fmtTime(iso, LANG);
