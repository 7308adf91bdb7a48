import { describe, expect, it } from 'vitest';
import { ProgressMeter } from '../../src/copy/index.js';

const MB = 1_000_000;

/** A meter on a hand-driven clock. */
function meter(total: number): { m: ProgressMeter; at: (ms: number) => void } {
  let now = 1_000_000;
  const start = now;
  return { m: new ProgressMeter(total, () => now), at: (ms) => (now = start + ms) };
}

describe('ProgressMeter', () => {
  it('reports percent and no speed or ETA in the first half second', () => {
    const { m, at } = meter(100 * MB);
    at(100);
    expect(m.update(1 * MB)).toEqual({ percent: 1, speedBytesPerS: 0, etaSeconds: null });
  });

  it('averages over the first 5 s, then smooths a sudden change', () => {
    const { m, at } = meter(10_000 * MB);
    for (let s = 1; s <= 5; s++) {
      at(s * 1000);
      m.update(s * 10 * MB);
    }
    const steady = m.update(50 * MB);
    expect(steady.speedBytesPerS).toBeCloseTo(10 * MB, -3);
    expect(steady.etaSeconds).toBeCloseTo(995, 0);
    expect(steady.percent).toBe(0.5);

    // The drive becomes 10× faster: one second later the speed has moved only part of the way.
    at(6000);
    const after1s = m.update(150 * MB);
    expect(after1s.speedBytesPerS).toBeGreaterThan(20 * MB);
    expect(after1s.speedBytesPerS).toBeLessThan(40 * MB);
    // After many time constants (30 s) it has converged.
    let last = after1s;
    for (let s = 7; s <= 36; s++) {
      at(s * 1000);
      last = m.update(150 * MB + (s - 6) * 100 * MB);
    }
    expect(last.speedBytesPerS).toBeGreaterThan(99 * MB);
    expect(last.etaSeconds).toBeCloseTo((10_000 - 3150) / 100, 0);
  });

  it('does not jump on bursty updates (many samples, same bytes)', () => {
    const { m, at } = meter(100 * MB);
    for (let t = 0; t <= 8000; t += 10) {
      at(t);
      // 4 MB chunks arrive every 400 ms: 10 MB/s in bursts.
      m.update(Math.floor(t / 400) * 4 * MB);
    }
    const r = m.update(Math.floor(8000 / 400) * 4 * MB);
    expect(r.speedBytesPerS).toBeGreaterThan(7 * MB);
    expect(r.speedBytesPerS).toBeLessThan(13 * MB);
  });

  it('restarts when the count goes down (a new phase), and ETA is 0 when done', () => {
    const { m, at } = meter(10 * MB);
    at(2000);
    expect(m.update(10 * MB)).toMatchObject({ percent: 100, etaSeconds: 0 });
    at(2100);
    expect(m.update(1 * MB)).toEqual({ percent: 10, speedBytesPerS: 0, etaSeconds: null });
    at(3100);
    expect(m.update(2 * MB).speedBytesPerS).toBeCloseTo(1 * MB, -3);
  });

  it('handles a zero total', () => {
    const { m } = meter(0);
    expect(m.update(0)).toEqual({ percent: 0, speedBytesPerS: 0, etaSeconds: 0 });
  });
});
