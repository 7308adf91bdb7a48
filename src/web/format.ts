import { formatDuration, scaleBytes } from '../util/format.js';

/*
 * Runs on the server (views) and in the browser (src/web/browser imports it): no Node, no DOM,
 * no zod. `lang` is the page's language (en, de, es, fr; anything else reads as en).
 *
 * No Intl: on the server every Intl.NumberFormat / DateTimeFormat pulled pages of ICU's data into
 * the core (resident ICU data grew from 1.3 to 5.6 MiB over 50 Archive page loads). The four
 * languages' patterns below reproduce what Node's Intl printed, character for character: a plain
 * space before AM/PM (Node prints no U+202F there; Chromium may) and the narrow no-break space
 * U+202F between French thousands (tests/web/format.test.ts compares them with Intl).
 */
type Lang = string;

const NNBSP = '\u202f';

interface Locale {
  decimal: string;
  group: string;
  /** Spanish groups only from five integer digits on: 1234 but 12.345. */
  minGroupDigits: number;
  /** Abbreviated months in "5 Mar" / "Mar 5, 2026". */
  months: readonly string[];
  /** `dateStyle: 'medium'`; `month` is 1–12. */
  date: (day: number, month: number, year: number) => string;
  /** Month and day without the year. */
  monthDay: (day: number, month: string) => string;
  /** "hour:rest"; `pad` for the two-digit hours of a 24-hour clock. */
  clock: (hour: number, rest: string, pad: boolean) => string;
  /** Whether `timeStyle` pads the 24-hour clock (de, fr); "hour: numeric" never does. */
  padHour: boolean;
}

const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ES_MONTHS = ['ene', 'feb', 'mar', 'abr', 'may', 'jun', 'jul', 'ago', 'sept', 'oct', 'nov', 'dic'];
const FR_MONTHS = ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'];
const pad2 = (n: number): string => String(n).padStart(2, '0');
const clock24 = (hour: number, rest: string, pad: boolean): string => `${pad ? pad2(hour) : String(hour)}:${rest}`;

const LOCALES: Record<string, Locale> = {
  en: {
    decimal: '.',
    group: ',',
    minGroupDigits: 4,
    months: EN_MONTHS,
    date: (day, month, year) => `${EN_MONTHS[month - 1]} ${day}, ${year}`,
    monthDay: (day, month) => `${month} ${day}`,
    clock: (hour, rest) => `${hour % 12 || 12}:${rest} ${hour < 12 ? 'AM' : 'PM'}`,
    padHour: false,
  },
  de: {
    decimal: ',',
    group: '.',
    minGroupDigits: 4,
    months: ['Jan.', 'Feb.', 'März', 'Apr.', 'Mai', 'Juni', 'Juli', 'Aug.', 'Sept.', 'Okt.', 'Nov.', 'Dez.'],
    // dateStyle medium is numeric in German: 05.03.2026
    date: (day, month, year) => `${pad2(day)}.${pad2(month)}.${year}`,
    monthDay: (day, month) => `${day}. ${month}`,
    clock: clock24,
    padHour: true,
  },
  es: {
    decimal: ',',
    group: '.',
    minGroupDigits: 5,
    months: ES_MONTHS,
    date: (day, month, year) => `${day} ${ES_MONTHS[month - 1]} ${year}`,
    monthDay: (day, month) => `${day} ${month}`,
    clock: clock24,
    padHour: false,
  },
  fr: {
    decimal: ',',
    group: NNBSP,
    minGroupDigits: 4,
    months: FR_MONTHS,
    date: (day, month, year) => `${day} ${FR_MONTHS[month - 1]} ${year}`,
    monthDay: (day, month) => `${day} ${month}`,
    clock: clock24,
    padHour: true,
  },
};

const localeOf = (lang: Lang): Locale => LOCALES[lang] ?? LOCALES.en!;

/** |x| as shortest round-trip digits with the decimal point after `point` of them: 1.25 → "125", 1. */
function decimalDigits(x: number): { digits: string; point: number } {
  const [mantissa = '0', exponent = '0'] = String(x).split('e');
  const [whole = '', fraction = ''] = mantissa.split('.');
  const digits = (whole + fraction).replace(/^0+/, '');
  const lead = whole.replace(/^0+/, '').length || -(fraction.length - fraction.replace(/^0+/, '').length);
  return { digits, point: lead + Number(exponent) };
}

/**
 * `value` with `minFraction`..`maxFraction` decimals, rounded half away from zero on its shortest
 * decimal form (0.15 → "0.2", as Intl does; toFixed would give "0.1"), grouped unless `grouping` is false.
 */
export function fmtNumber(value: number, lang: Lang, maxFraction: number, minFraction = 0, grouping = true): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? '∞' : '-∞';
  const locale = localeOf(lang);
  const { digits, point } = decimalDigits(Math.abs(value));
  // |value| × 10^maxFraction as integer digits, rounded on the first digit dropped.
  const length = point + maxFraction;
  let scaled = length > 0 ? digits.slice(0, length).padEnd(length, '0') : '';
  if (length >= 0 && Number(digits[length] ?? '0') >= 5) {
    const chars = scaled.split('');
    let i = chars.length - 1;
    while (i >= 0 && chars[i] === '9') chars[i--] = '0';
    if (i >= 0) chars[i] = String(Number(chars[i]) + 1);
    else chars.unshift('1');
    scaled = chars.join('');
  }
  scaled = scaled.padStart(maxFraction + 1, '0');
  let integer = scaled.slice(0, scaled.length - maxFraction);
  let fraction = scaled.slice(scaled.length - maxFraction).replace(/0+$/, '');
  if (fraction.length < minFraction) fraction = fraction.padEnd(minFraction, '0');
  if (grouping && integer.length >= locale.minGroupDigits) integer = integer.replace(/\B(?=(\d{3})+$)/g, locale.group);
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  return `${sign}${integer}${fraction ? locale.decimal + fraction : ''}`;
}

/** 1288490188 → "1.2 GiB" / "1,2 GiB". */
export function fmtBytes(bytes: number | null | undefined, lang: Lang): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  const { value, unit, scaled } = scaleBytes(bytes);
  const digits = !scaled || value >= 100 ? 0 : 1;
  const number = fmtNumber(value, lang, digits, digits, false);
  return `${number} ${unit}`;
}

export function fmtSpeed(bytesPerSecond: number | null | undefined, lang: Lang): string {
  return bytesPerSecond === null || bytesPerSecond === undefined ? '—' : `${fmtBytes(bytesPerSecond, lang)}/s`;
}

export function fmtDuration(seconds: number | null | undefined): string {
  return seconds === null || seconds === undefined || !Number.isFinite(seconds) ? '—' : formatDuration(seconds);
}

export function fmtPercent(percent: number, lang: Lang): string {
  return `${fmtNumber(percent, lang, percent < 10 ? 1 : 0)} %`;
}

/** Server-side text of a <time>; the client re-renders it in the browser's time zone. */
export function fmtDate(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const locale = localeOf(lang);
  const clock = locale.clock(date.getHours(), pad2(date.getMinutes()), locale.padHour);
  return `${locale.date(date.getDate(), date.getMonth() + 1, date.getFullYear())}, ${clock}`;
}

/** The time of day with seconds: for log lines. */
export function fmtTime(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const locale = localeOf(lang);
  return locale.clock(date.getHours(), `${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`, locale.padHour);
}

/** Month, day and time: for lists where the year is noise. */
export function fmtShortDate(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const locale = localeOf(lang);
  const clock = locale.clock(date.getHours(), pad2(date.getMinutes()), false);
  return `${locale.monthDay(date.getDate(), locale.months[date.getMonth()] ?? '')}, ${clock}`;
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
