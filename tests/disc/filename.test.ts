import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_NAME_LENGTH, safeFileName, SAFE_NAME_PATTERN } from '../../src/disc/index.js';

function assertSafe(name: string): void {
  expect(name).toMatch(SAFE_NAME_PATTERN);
  expect(name).not.toContain('..');
  expect(name.length).toBeGreaterThan(0);
  expect(name.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
  expect(Buffer.byteLength(name, 'utf8')).toBeLessThanOrEqual(200);
  expect(name).not.toMatch(/[/\\\0\s]/);
  // Well-formed UTF-16: no lone surrogate survives.
  expect(name).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
}

describe('safeFileName', () => {
  it.each([
    ['../../x', 'x'],
    ['$(reboot)', '(reboot)'],
    ['<script>alert(1)</script>', 'script_alert(1)_script'],
    ['a/b\\c:d*e?f"g|h', 'a_b_c_d_e_f_g_h'],
    ['  My Holiday Disc  ', 'My_Holiday_Disc'],
    ['A\u0000B\u001fC\u007fD', 'A_B_C_D'],
    ['abc\u202eexe.txt', 'abcexe.txt'],
    ['\u2067My\u200f Disc\u2069\u061c\ufeff', 'My_Disc'],
    ['🎬 Movie Night 🍿', 'Movie_Night'],
    ['Ünïcødé Disc', 'Ünïcødé_Disc'],
    ['ジブリ 2', 'ジブリ_2'],
    ['e\u0301te\u0301', 'été'],
    ['.hidden', 'hidden'],
    ['-rf --no-preserve-root', 'rf_--no-preserve-root'],
    ['Movie (2010) - Part 1', 'Movie_(2010)_-_Part_1'],
    ['name...with....dots.', 'name.with.dots'],
    ['CON', 'CON_'],
    ['nul.txt', 'nul_.txt'],
  ])('%j → %j', (label, expected) => {
    expect(safeFileName(label, 'fallback')).toBe(expected);
    assertSafe(expected);
  });

  it('falls back for empty, dot-only, symbol-only and null labels, and sanitises the fallback too', () => {
    expect(safeFileName('', 'sr0_2024-01-01')).toBe('sr0_2024-01-01');
    expect(safeFileName('...', 'disc')).toBe('disc');
    expect(safeFileName('\u0000\u0000', 'disc')).toBe('disc');
    expect(safeFileName('🎬🍿', 'disc')).toBe('disc');
    expect(safeFileName(null, '../evil/../name')).toBe('evil_.._name'.replace('..', '.'));
    expect(safeFileName(null, '///')).toBe('disc');
  });

  it('bounds the length without splitting characters', () => {
    expect(safeFileName('a'.repeat(300), 'x')).toBe('a'.repeat(100));
    expect(safeFileName('日'.repeat(150), 'x')).toBe('日'.repeat(66)); // 3 UTF-8 bytes each: 200-byte bound
    const astral = safeFileName('𝔸'.repeat(80), 'x'); // surrogate pairs, 4 UTF-8 bytes each
    expect(astral).toBe('𝔸'.repeat(50));
    assertSafe(astral);
    const mixed = safeFileName(`${'a'.repeat(99)}𝔸tail`, 'x');
    expect(mixed).toBe('a'.repeat(99));
  });

  it('always returns a safe name, and is idempotent, for arbitrary strings', () => {
    const hostilePiece = fc.constantFrom('..', '/', '\\', '\u0000', '\u202e', '$(', '`', '<script>', ' ', '.', '-', '\ud800', '\udc00', '🎬', 'é', '日', 'CON', '\n', '%2e%2e');
    const label = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 400 }),
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.array(hostilePiece, { maxLength: 80 }).map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(fc.option(label, { nil: null }), label, (value, fallback) => {
        const name = safeFileName(value, fallback);
        assertSafe(name);
        expect(safeFileName(name, 'x')).toBe(name);
      }),
      { numRuns: 2000 },
    );
  });
});
