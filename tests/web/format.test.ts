import { describe, expect, it } from 'vitest';
import { fmtBytes, fmtDate, fmtNumber, fmtPercent, fmtShortDate, fmtTime } from '../../src/web/format.js';
import { scaleBytes } from '../../src/util/format.js';

/*
 * The formatters no longer use Intl (it mapped ICU data into the core); here they are held to what
 * Node's Intl prints for the four languages, character for character: the narrow no-break space
 * (U+202F) between French thousands is kept on purpose so the pages read exactly as before; before
 * AM/PM Node prints a plain space (Chromium's Intl may print U+202F there; the pages now print the
 * server's plain space on both sides).
 */
const LANGS = ['en', 'de', 'es', 'fr'] as const;

const NUMBERS = [
  0, -0, 1, 7, 9.95, 9.96, 0.05, 0.15, 0.04, -0.04, 1.005, 2.5, 12.345, 99.95, 100, 999.5, 1000, 1234, 12345, 123456.789,
  1234567.891, -1234567.891, -42, -999.99, 2 ** 53, 1e21, 1.5e-7, 1288490188, 4.7e9, 0.9999, 65535.5,
];

const DATES = [
  '2015-01-01T00:00:00Z', '2019-02-28T23:59:59Z', '2020-02-29T12:00:00Z', '2023-03-05T00:03:04Z', '2024-04-10T09:07:00Z',
  '2024-05-31T11:59:59Z', '2024-06-01T12:00:00Z', '2025-07-14T13:30:45Z', '2025-08-15T18:05:09Z', '2025-09-09T21:45:00Z',
  '2026-10-31T22:10:10Z', '2026-11-30T23:12:00Z', '2026-12-24T06:00:01Z', '1999-12-31T10:20:30Z', '2038-01-19T03:14:07Z',
];

describe.each(LANGS)('formatters without Intl (%s)', (lang) => {
  it('numbers match Intl.NumberFormat with 0–2 decimals, grouped and not', () => {
    for (const value of NUMBERS) {
      for (const digits of [0, 1, 2]) {
        const intl = new Intl.NumberFormat(lang, { maximumFractionDigits: digits });
        expect(fmtNumber(value, lang, digits), `${value} max ${digits}`).toBe(intl.format(value));
        const fixed = new Intl.NumberFormat(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false });
        expect(fmtNumber(value, lang, digits, digits, false), `${value} fixed ${digits}`).toBe(fixed.format(value));
      }
    }
  });

  it('byte sizes and percentages match what Intl printed', () => {
    for (const bytes of [0, 1, 512, 1023, 1024, 1536, 10_240, 102_400, 1_048_575, 734_003_200, 1288490188, 4.7e9, 25e9, 2 ** 40 * 3.3]) {
      const { value, unit, scaled } = scaleBytes(bytes);
      const digits = !scaled || value >= 100 ? 0 : 1;
      const number = new Intl.NumberFormat(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false }).format(value);
      expect(fmtBytes(bytes, lang), String(bytes)).toBe(`${number} ${unit}`);
    }
    for (const percent of [0, 0.05, 3.14159, 9.96, 10, 42.5, 99.5, 100]) {
      const number = new Intl.NumberFormat(lang, { maximumFractionDigits: percent < 10 ? 1 : 0 }).format(percent);
      expect(fmtPercent(percent, lang), String(percent)).toBe(`${number} %`);
    }
  });

  it('dates and times match Intl.DateTimeFormat across months, years and hours', () => {
    const medium = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
    const time = new Intl.DateTimeFormat(lang, { timeStyle: 'medium' });
    const short = new Intl.DateTimeFormat(lang, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
    for (const iso of DATES) {
      const date = new Date(iso);
      expect(fmtDate(iso, lang), iso).toBe(medium.format(date));
      expect(fmtTime(iso, lang), iso).toBe(time.format(date));
      expect(fmtShortDate(iso, lang), iso).toBe(short.format(date));
    }
  });
});

it('French thousands are grouped with U+202F, English AM/PM follows a plain space', () => {
  expect(fmtNumber(12345, 'fr', 0)).toBe('12\u202f345');
  expect(fmtTime('2024-04-10T09:07:05Z', 'en')).toMatch(/^\d+:07:05 [AP]M$/);
});

it('an unknown language reads as English; missing and bad values stay as before', () => {
  expect(fmtNumber(1234.5, 'xx', 1)).toBe('1,234.5');
  expect(fmtDate('2024-04-10T09:07:00Z', 'pt')).toBe(fmtDate('2024-04-10T09:07:00Z', 'en'));
  expect(fmtDate(null, 'de')).toBe('—');
  expect(fmtDate('not a date', 'de')).toBe('not a date');
  expect(fmtBytes(Number.NaN, 'fr')).toBe('—');
});
