import { appendFile, copyFile, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identifyDisc, safeFileName, SAFE_NAME_PATTERN, type SectorSource } from '../../src/disc/index.js';
import type { Toc } from '../../src/drive/index.js';
import { BD_TREE } from './trees.js';
import { HEX64, identifyFile, isoinfo, makeTmpDir, run, writeTree } from './helpers.js';
import { requireTools } from '../helpers/ci.js';

const HAS_TOOLS = requireTools(['genisoimage', 'xorriso', 'isoinfo'], 'genisoimage xorriso');

describe.skipIf(!HAS_TOOLS)('ISO 9660 images made by genisoimage / xorriso', () => {
  let dir = '';
  let cleanup = async (): Promise<void> => {};
  const path = (name: string): string => join(dir, name);

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTmpDir('iso'));
    await writeTree(path('data'), { 'docs/readme.txt': 'hello\n', 'photos/a.jpg': 'x'.repeat(3000) });
    await writeTree(path('bd'), BD_TREE);
    const { 'BDMV/META/DL/bdmt_eng.xml': _eng, ...fraOnly } = BD_TREE;
    await writeTree(path('bd-fra'), fraOnly);
  });
  afterAll(() => cleanup());

  it('reads volume id, Joliet, exact size and date of a data ISO', async () => {
    await run('genisoimage', ['-quiet', '-V', 'Holiday Photos 2024', '-J', '-R', '-o', path('data.iso'), path('data')]);
    const info = await isoinfo(path('data.iso'));
    const id = await identifyFile(path('data.iso'));
    expect(id).toMatchObject({
      type: 'cd-rom',
      volumeId: 'Holiday Photos 2024',
      // Joliet keeps 16 characters ("Holiday Photos 2"): the longer primary id it truncates wins.
      label: 'Holiday Photos 2024',
      filesystem: 'iso9660+joliet',
      hasVideoTs: false,
      hasBdmv: false,
      warnings: [],
    });
    expect(info.volumeId).toBe('Holiday Photos 2024');
    expect(id.sizeBytes).toBe(info.blocks * info.blockSize);
    expect(id.sizeBytes).toBe((await stat(path('data.iso'))).size);
    expect(id.creationDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(id.creationDate ?? '') - Date.now())).toBeLessThan(24 * 3600 * 1000);
    expect(id.fingerprint).toMatch(HEX64);
  });

  it('prefers the Joliet volume id when the primary one is a different spelling', async () => {
    await run('genisoimage', ['-quiet', '-V', 'Photos 2024', '-J', '-o', path('joliet.iso'), path('data')]);
    // Burning programs often write an upper-case d-character id into the primary descriptor.
    const handle = await open(path('joliet.iso'), 'r+');
    await handle.write(Buffer.from('PHOTOS_2024'.padEnd(32, ' '), 'latin1'), 0, 32, 16 * 2048 + 40);
    await handle.close();
    const id = await identifyFile(path('joliet.iso'));
    expect(id).toMatchObject({ volumeId: 'PHOTOS_2024', label: 'Photos 2024', filesystem: 'iso9660+joliet' });
  });

  it('gives the same fingerprint on every read, to the exact image of a padded disc, and a different one to another image', async () => {
    await run('genisoimage', ['-quiet', '-V', 'FP_A', '-J', '-o', path('fp-a.iso'), path('data')]);
    await run('genisoimage', ['-quiet', '-V', 'FP_B', '-J', '-o', path('fp-b.iso'), path('data')]);
    await copyFile(path('fp-a.iso'), path('fp-a-padded.iso'));
    await appendFile(path('fp-a-padded.iso'), Buffer.alloc(300 * 2048, 0x55));
    const a1 = await identifyFile(path('fp-a.iso'));
    const a2 = await identifyFile(path('fp-a.iso'));
    const padded = await identifyFile(path('fp-a-padded.iso'));
    const b = await identifyFile(path('fp-b.iso'));
    expect(a2.fingerprint).toBe(a1.fingerprint);
    expect(padded.fingerprint).toBe(a1.fingerprint);
    expect(padded.sizeBytes).toBe(a1.sizeBytes);
    expect(b.fingerprint).not.toBe(a1.fingerprint);
  });

  it('reads an xorriso ISO with Joliet', async () => {
    await run('xorriso', ['-outdev', path('xorriso.iso'), '-volid', 'XORRISO_DATA', '-joliet', 'on', '-map', path('data'), '/']);
    const info = await isoinfo(path('xorriso.iso'));
    const id = await identifyFile(path('xorriso.iso'));
    expect(id).toMatchObject({ type: 'cd-rom', volumeId: 'XORRISO_DATA', label: 'XORRISO_DATA', filesystem: 'iso9660+joliet' });
    expect(id.sizeBytes).toBe(info.blocks * 2048);
  });

  it('classifies a data filesystem by the medium size', async () => {
    const hints = { mediumBytes: 4_700_000_000 };
    expect((await identifyFile(path('xorriso.iso'), hints)).type).toBe('dvd-rom');
    expect((await identifyFile(path('xorriso.iso'), { mediumBytes: 25_000_000_000 })).type).toBe('bd-rom');
  });

  it('recognises a Blu-ray tree with bdmt_eng.xml through the UDF bridge of genisoimage -udf', async () => {
    await run('genisoimage', ['-quiet', '-udf', '-J', '-V', 'BD_BRIDGE', '-o', path('bd-udf.iso'), path('bd')]);
    const id = await identifyFile(path('bd-udf.iso'));
    expect(id).toMatchObject({
      type: 'bd-video',
      label: 'The Test Movie & Friends',
      volumeId: 'BD_BRIDGE',
      filesystem: 'iso9660+joliet+udf',
      hasBdmv: true,
      hasVideoTs: false,
      warnings: [],
    });
    expect(id.sizeBytes).toBe((await isoinfo(path('bd-udf.iso'))).blocks * 2048);
  });

  it('recognises a Blu-ray tree through ISO 9660/Joliet only (xorriso) and falls back to another bdmt language', async () => {
    await run('xorriso', ['-outdev', path('bd-fra.iso'), '-volid', 'BD_FRA', '-joliet', 'on', '-map', path('bd-fra'), '/']);
    const id = await identifyFile(path('bd-fra.iso'));
    expect(id).toMatchObject({ type: 'bd-video', label: 'Le Film d’Essai', volumeId: 'BD_FRA', filesystem: 'iso9660+joliet', hasBdmv: true });
  });

  it('keeps a hostile volume id as data and makes a safe file name of it', async () => {
    const hostile = '../<script>$(reboot)';
    await run('genisoimage', ['-quiet', '-V', hostile, '-o', path('hostile.iso'), path('data')]);
    const id = await identifyFile(path('hostile.iso'));
    expect((await isoinfo(path('hostile.iso'))).volumeId).toBe(hostile);
    expect(id).toMatchObject({ volumeId: hostile, label: hostile, filesystem: 'iso9660', type: 'cd-rom' });
    const name = safeFileName(id.label, 'disc');
    expect(name).toBe('script_(reboot)');
    expect(name).toMatch(SAFE_NAME_PATTERN);
  });

  it('finds the data session of an Enhanced CD at the first data track; the disc is an audio CD (its album is ripped)', async () => {
    const start = 1000;
    await writeTree(path('extra'), { 'README.TXT': 'enhanced cd' });
    await run('genisoimage', ['-quiet', '-C', `0,${start}`, '-V', 'CD_EXTRA', '-J', '-o', path('extra.iso'), path('extra')]);
    const image = await readFile(path('extra.iso'));
    const sessionBlocks = image.length / 2048;
    // Audio sectors do not read as data: the source throws for them, like a drive does.
    const read: SectorSource = (lba, count) =>
      lba < start ? Promise.reject(new Error(`EIO at ${lba}`)) : Promise.resolve(image.subarray((lba - start) * 2048, (lba - start + count) * 2048));
    const toc: Toc = { firstTrack: 1, lastTrack: 2, leadOut: start + sessionBlocks, tracks: [{ number: 1, start: 0, type: 'audio' }, { number: 2, start, type: 'data' }] };
    const id = await identifyDisc(read, { discKind: 'mixed', toc, mediumBytes: (start + sessionBlocks) * 2048 });
    expect(id).toMatchObject({ type: 'audio-cd', volumeId: 'CD_EXTRA', label: 'CD_EXTRA', filesystem: 'iso9660+joliet' });
    expect(id.sizeBytes).toBe((await isoinfo(path('extra.iso'), ['-N', String(start)])).blocks * 2048);
  });
});
