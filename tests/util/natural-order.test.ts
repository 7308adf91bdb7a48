import { describe, expect, it } from 'vitest';
import { naturalCompare } from '../../src/util/natural-order.js';

// The order the Archive and History pages had with Intl.Collator('en', { numeric: true, sensitivity: 'base' }).
const COLLATOR = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
const NAMES = [
  'HOLIDAY_00001.iso', 'HOLIDAY_00010.iso', 'HOLIDAY_2.iso', 'holiday_3.iso', 'Disc 2', 'Disc 10', 'Disc 1', 'disc 01',
  'Émile', 'emile', 'Emilie', 'Zebra', 'zeta', 'Ärger', 'Apfel', 'Wedding 4711', 'Wedding 471', 'Wedding-2019',
  'WEDDING_2019', 'Wedding 2019', '2019 Wedding', '_backup', 'backup', 'Backup 2', 'Café del Mar', 'Cafe del Mar',
  'Movie (2001)', 'Movie 2001', 'MOVIE_2001.iso', 'a', 'A', 'ab', 'a b', 'a-b', '', '0', '00', '007', '7', 'Ω',
];
const sign = (n: number): number => Math.sign(n);

describe('naturalCompare', () => {
  it('orders disc names as the base-sensitivity numeric collator did', () => {
    for (const a of NAMES) for (const b of NAMES) expect([a, b, sign(naturalCompare(a, b))]).toEqual([a, b, sign(COLLATOR.compare(a, b))]);
  });

  it('ignores case and accents, compares digit runs as numbers', () => {
    expect(naturalCompare('Disc 2', 'disc 10')).toBeLessThan(0);
    expect(naturalCompare('ÉMILE', 'emile')).toBe(0);
    expect(naturalCompare('Track 007', 'track 7')).toBe(0);
    expect(naturalCompare('b', 'a')).toBeGreaterThan(0);
  });
});
