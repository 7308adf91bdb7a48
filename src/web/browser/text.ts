import type { MessageParams } from '../../contract/messages.js';
import { fillTemplate } from '../../contract/template.js';
import { fmtBytes, fmtDate, fmtDuration, fmtPercent, fmtShortDate, fmtSpeed, fmtTime } from '../format.js';
import { wordMessage } from '../i18n/message-words.js';
import { doc, jsonData } from './dom.js';

/**
 * The page's words and numbers: the catalog of its language (embedded by the server as `#i18n`),
 * worded and formatted by the server's own functions in the page's language.
 */
const I18N = jsonData<Record<string, string>>('i18n', {});
export const LANG = doc.documentElement.lang || 'en';

/** The words of `key` with its parameters filled in; a parameter without a value (null) shows as a dash. */
export function t(key: string, params?: Readonly<Record<string, string | number | null>>): string {
  const template = Object.prototype.hasOwnProperty.call(I18N, key) ? (I18N[key] ?? key) : key;
  if (!params) return template;
  const values: MessageParams = Object.fromEntries(Object.entries(params).map(([name, v]) => [name, v ?? '\u2014']));
  return fillTemplate(template, values, (_, v) => String(v));
}

/** A core message (contract or control reply) in the page's language, as the server words it. */
export function msgText(code: string | null | undefined, params: MessageParams | null | undefined, fallback?: string | null): string {
  return wordMessage(I18N, LANG, { code, params, text: fallback ?? '' });
}

export const bytes = (n: number | null | undefined): string => fmtBytes(n, LANG);
export const speed = (n: number | null | undefined): string => fmtSpeed(n, LANG);
export const percent = (p: number): string => fmtPercent(p, LANG);
export const duration = fmtDuration;
export const date = (iso: string): string => fmtDate(iso, LANG);
export const shortDate = (iso: string): string => fmtShortDate(iso, LANG);
export const time = (iso: string): string => fmtTime(iso, LANG);
