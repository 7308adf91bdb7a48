import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discReaderSource, identifyDisc, type DiscIdentification } from '../../src/disc/index.js';
import { simInsert, SimulatedDrive, updateSimState } from '../../src/drive/index.js';
import { identifyFile, makeTmpDir, run, writeTree } from './helpers.js';
import { requireTools } from '../helpers/ci.js';

const HAS_TOOLS = requireTools(['genisoimage'], 'genisoimage');

describe.skipIf(!HAS_TOOLS)('identification through a (simulated) drive reader', () => {
  let dir = '';
  let cleanup = async (): Promise<void> => {};
  const path = (name: string): string => join(dir, name);

  /** `beforeClose`: a read stuck in the drive holds close() until the drive answers, as on Linux. */
  async function identifyInDrive(readTimeoutMs?: number, beforeClose?: () => Promise<unknown>): Promise<DiscIdentification> {
    const drive = new SimulatedDrive('sim0', path('drive'));
    const reader = await drive.open();
    try {
      const hints = { discKind: await drive.discKind(), toc: await drive.toc(), mediumBytes: reader.sizeBytes };
      return await identifyDisc(discReaderSource(reader), readTimeoutMs === undefined ? hints : { ...hints, readTimeoutMs });
    } finally {
      await beforeClose?.();
      await reader.close();
    }
  }

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTmpDir('drive'));
    await writeTree(path('data'), { 'a/b.txt': 'b' });
    await run('genisoimage', ['-quiet', '-V', 'IN_DRIVE', '-J', '-o', path('disc.iso'), path('data')]);
    await simInsert(path('drive'), path('disc.iso'));
  });
  afterAll(() => cleanup());

  it('gives the same result as reading the image file', async () => {
    const viaDrive = await identifyInDrive();
    expect(viaDrive).toEqual(await identifyFile(path('disc.iso')));
    expect(viaDrive).toMatchObject({ volumeId: 'IN_DRIVE', filesystem: 'iso9660+joliet', type: 'cd-rom' });
  });

  it('keeps what it can read around a bad sector', async () => {
    await updateSimState(path('drive'), { bad_sectors: [17] }); // the Joliet descriptor
    const id = await identifyInDrive();
    expect(id).toMatchObject({ volumeId: 'IN_DRIVE', label: 'IN_DRIVE', filesystem: 'iso9660', type: 'cd-rom' });
    expect(id.warnings.some((w) => w.startsWith('read error at sector 17'))).toBe(true);
    await updateSimState(path('drive'), { bad_sectors: [] });
  });

  it('gives up on a hung drive after the read timeout instead of hanging', async () => {
    await updateSimState(path('drive'), { hang_at_byte: 0 });
    const id = await identifyInDrive(300, () => updateSimState(path('drive'), { hang_at_byte: null }));
    expect(id.type).toBe('unknown');
    expect(id.warnings.some((w) => w.includes('timed out'))).toBe(true);
  });
});
