import { formatDuration, scaleBytes } from '../util/format.js';

/*
 * Runs on the server (views) and in the browser (src/web/browser imports it): no Node, no DOM,
 * no zod. `lang` is a BCP 47 tag (the page's <html lang> in the browser).
 */
type Lang = string;

/**
 * Formatters are made once per language and style: each `new Intl.*Format` holds native ICU
 * memory until a full GC, and a page of 50 rows made hundreds of them (the core's RSS grew by
 * about 1 MB per Archive page).
 */
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function numberFormat(lang: Lang, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n|${lang}|${JSON.stringify(options)}`;
  let format = formatters.get(key);
  if (!format) formatters.set(key, (format = new Intl.NumberFormat(lang, options)));
  return format as Intl.NumberFormat;
}
function dateFormat(lang: Lang, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d|${lang}|${JSON.stringify(options)}`;
  let format = formatters.get(key);
  if (!format) formatters.set(key, (format = new Intl.DateTimeFormat(lang, options)));
  return format as Intl.DateTimeFormat;
}

/** 1288490188 → "1.2 GiB" / "1,2 GiB". */
export function fmtBytes(bytes: number | null | undefined, lang: Lang): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  const { value, unit, scaled } = scaleBytes(bytes);
  const digits = !scaled || value >= 100 ? 0 : 1;
  const number = numberFormat(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false }).format(value);
  return `${number} ${unit}`;
}

export function fmtSpeed(bytesPerSecond: number | null | undefined, lang: Lang): string {
  return bytesPerSecond === null || bytesPerSecond === undefined ? '—' : `${fmtBytes(bytesPerSecond, lang)}/s`;
}

export function fmtDuration(seconds: number | null | undefined): string {
  return seconds === null || seconds === undefined || !Number.isFinite(seconds) ? '—' : formatDuration(seconds);
}

export function fmtPercent(percent: number, lang: Lang): string {
  return `${numberFormat(lang, { maximumFractionDigits: percent < 10 ? 1 : 0 }).format(percent)} %`;
}

/** Server-side text of a <time>; the client re-renders it in the browser's time zone. */
export function fmtDate(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return dateFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/** The time of day with seconds: for log lines. */
export function fmtTime(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return dateFormat(lang, { timeStyle: 'medium' }).format(date);
}

/** Month, day and time: for lists where the year is noise. */
export function fmtShortDate(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return dateFormat(lang, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' }).format(date);
}

/**
 * Bad ranges over the disc as at most `width` pixel runs [x, w]: thousands of tiny ranges
 * collapse into the pixels they touch, so the strip stays small (the server's card and the browser's updates).
 */
export function badRuns(ranges: readonly (readonly [number, number])[], total: number, width = 1000): [number, number][] {
  if (total <= 0 || ranges.length === 0) return [];
  const hit = new Uint8Array(width);
  for (const [start, end] of ranges) {
    const from = Math.max(0, Math.min(width - 1, Math.floor((start / total) * width)));
    const to = Math.max(from, Math.min(width - 1, Math.ceil((end / total) * width) - 1));
    hit.fill(1, from, to + 1);
  }
  const runs: [number, number][] = [];
  for (let x = 0; x < width; x++) {
    if (!hit[x]) continue;
    const begin = x;
    while (x + 1 < width && hit[x + 1]) x++;
    runs.push([begin, x - begin + 1]);
  }
  return runs;
}
