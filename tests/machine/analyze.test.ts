import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { simInsert, SimulatedDrive, updateSimState } from '../../src/drive/index.js';
import { analyzeDisc } from '../../src/machine/analyze.js';
import { sizeToCopy } from '../../src/machine/index.js';
import { makeIso } from '../helpers/images.js';
import { makeTempDir } from '../helpers/tmp.js';

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

describe('analyzeDisc with a hung drive', () => {
  it('ends after its read time-out although the stuck read still holds the reader', async () => {
    const { dir, cleanup } = await makeTempDir('disk2iso-analyze-');
    try {
      const { image } = await makeIso(dir, 1, 'HUNG');
      const folder = join(dir, 'drive');
      await simInsert(folder, image);
      await updateSimState(folder, { hang_at_byte: 0 });
      const drive = new SimulatedDrive('sim0', folder);
      const analyzed = await analyzeDisc(drive, pino({ level: 'silent' }), 300);
      // Nothing could be read, and the analysis did not wait for the drive to answer.
      expect(analyzed.type).toBe('unknown');
      expect(analyzed.warnings.some((w) => w.includes('timed out'))).toBe(true);
      await updateSimState(folder, { hang_at_byte: null });
    } finally {
      await cleanup();
    }
  });
});
