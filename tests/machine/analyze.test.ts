import { describe, expect, it } from 'vitest';
import { sizeToCopy } from '../../src/machine/index.js';

describe('sizeToCopy', () => {
  it('copies the filesystem size when the medium holds it', () => {
    expect(sizeToCopy(700 * 2048, 800 * 2048)).toEqual({ bytes: 700 * 2048, warning: null });
  });

  it('falls back to the medium size for a missing or absurd filesystem size', () => {
    expect(sizeToCopy(null, 800 * 2048).bytes).toBe(800 * 2048);
    expect(sizeToCopy(0, 800 * 2048).bytes).toBe(800 * 2048);
    const hostile = sizeToCopy(2 ** 50, 800 * 2048);
    expect(hostile.bytes).toBe(800 * 2048);
    expect(hostile.warning).toMatch(/claims .* but the medium has/);
  });
});
