import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BD_TREE } from './trees.js';
import { HEX64, identifyFile, makeTmpDir, mkudffs, populateUdf, run, writeTree } from './helpers.js';
import { requireTools, skipUnlessCi } from '../helpers/ci.js';
import { addMetadataPartition, breakMetadataFiles } from './udf-metadata-patch.js';

const HAS_TOOLS = requireTools(['mkudffs', 'udfinfo', 'truncate'], 'udftools coreutils');

const MiB = 1024 * 1024;

async function udfinfo(path: string): Promise<Record<string, string>> {
  const out = await run('udfinfo', [path]).catch((error: unknown) => String(error));
  return Object.fromEntries([...out.matchAll(/^(\w+)=(.*)$/gm)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

describe.skipIf(!HAS_TOOLS)('empty UDF images made by mkudffs', () => {
  let dir = '';
  let cleanup = async (): Promise<void> => {};
  const path = (name: string): string => join(dir, name);
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTmpDir('udf'));
  });
  afterAll(() => cleanup());

  it('reads label, exact size and recording date of a UDF 2.01 DVD image', async () => {
    await mkudffs(path('dvd.img'), 16 * MiB, ['--media-type=dvd', '--label=UDF Plain']);
    const info = await udfinfo(path('dvd.img'));
    const id = await identifyFile(path('dvd.img'));
    expect(info.udfrev).toBe('2.01');
    expect(id).toMatchObject({ type: 'cd-rom', label: 'UDF Plain', volumeId: 'UDF Plain', filesystem: 'udf', hasVideoTs: false, hasBdmv: false, warnings: [] });
    expect(id.sizeBytes).toBe(Number(info.blocks) * Number(info.blocksize));
    expect(id.sizeBytes).toBe(16 * MiB);
    expect(Math.abs(Date.parse(id.creationDate ?? '') - Date.now())).toBeLessThan(24 * 3600 * 1000);
  });

  it('takes the logical volume id as label and reads 16-bit OSTA CS0 strings', async () => {
    await mkudffs(path('names.img'), 4 * MiB, ['--utf8', '--media-type=dvd', '--lvid=Ünïcødé ☃ Disc', '--vid=PLAIN']);
    const id = await identifyFile(path('names.img'));
    expect(id).toMatchObject({ label: 'Ünïcødé ☃ Disc', volumeId: 'Ünïcødé ☃ Disc', filesystem: 'udf' });
  });

  it('reads UDF 1.02 and 512-byte block images', async () => {
    await mkudffs(path('u102.img'), 4 * MiB, ['--media-type=dvd', '--udfrev=1.02', '--label=OLD_UDF']);
    await mkudffs(path('hd.img'), 4 * MiB, ['--media-type=hd', '--label=HD512']);
    expect((await udfinfo(path('hd.img'))).blocksize).toBe('512');
    expect(await identifyFile(path('u102.img'))).toMatchObject({ label: 'OLD_UDF', sizeBytes: 4 * MiB, filesystem: 'udf', warnings: [] });
    expect(await identifyFile(path('hd.img'))).toMatchObject({ label: 'HD512', sizeBytes: 4 * MiB, filesystem: 'udf', warnings: [] });
  });

  it('finds the VAT of write-once images (BD-R UDF 2.50, CD-R UDF 2.01 and 1.50) at the end of the recorded area', async () => {
    for (const [name, args] of [
      ['bdr.img', ['--media-type=bdr', '--udfrev=2.50', '--label=BDR VAT']],
      ['cdr201.img', ['--media-type=cdr', '--udfrev=2.01', '--label=CDR 201']],
      ['cdr150.img', ['--media-type=cdr', '--udfrev=1.50', '--label=CDR 150']],
    ] as const) {
      // 320 blocks: what a drive reports for the recorded area of such a fresh disc.
      await mkudffs(path(name), 320 * 2048, args);
      const info = await udfinfo(path(name));
      const id = await identifyFile(path(name));
      expect(id, name).toMatchObject({ label: args[2].slice(8), filesystem: 'udf', warnings: [] });
      expect(id.sizeBytes, name).toBe((Number(info.vatblock) + 1) * 2048);
    }
  });

  it('falls back to the anchor at the last sector when sector 256 is damaged', async () => {
    const image = await readFile(path('dvd.img'));
    image.fill(0, 256 * 2048, 257 * 2048);
    await writeFile(path('dvd-no256.img'), image);
    const id = await identifyFile(path('dvd-no256.img'));
    expect(id).toMatchObject({ label: 'UDF Plain', filesystem: 'udf', sizeBytes: 16 * MiB });
  });

  it('classifies a large UDF-only medium as bd-rom and fingerprints distinct burns differently', async () => {
    const big = await identifyFile(path('dvd.img'), { mediumBytes: 25_000_000_000 });
    expect(big.type).toBe('bd-rom');
    expect(big.label).toBe('UDF Plain');
    await mkudffs(path('dvd2.img'), 16 * MiB, ['--media-type=dvd', '--label=UDF Plain']);
    const a = await identifyFile(path('dvd.img'));
    const again = await identifyFile(path('dvd.img'));
    const b = await identifyFile(path('dvd2.img'));
    expect(a.fingerprint).toMatch(HEX64);
    expect(again.fingerprint).toBe(a.fingerprint);
    expect(b.fingerprint).not.toBe(a.fingerprint);
  });
});

const VIDEO_TS_TREE = {
  'VIDEO_TS/VIDEO_TS.IFO': 'DVDVIDEO-VMG',
  'VIDEO_TS/VIDEO_TS.BUP': 'DVDVIDEO-VMG',
  'VIDEO_TS/VTS_01_0.IFO': 'DVDVIDEO-VTS',
  'VIDEO_TS/VTS_01_1.VOB': 'V'.repeat(70_000),
  'AUDIO_TS/.keep': '',
};

// A directory spanning many blocks, Unicode names, and files big enough for allocation extents.
const EXTRA_TREE: Record<string, string> = {
  'Ünïcødé ☃/日本語.txt': 'unicode',
  ...Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`many/file-with-a-long-name-${String(i).padStart(4, '0')}.dat`, String(i)])),
};

describe.skipIf(!HAS_TOOLS)('UDF images populated by the Linux UDF driver in a VM', () => {
  let dir = '';
  let cleanup = async (): Promise<void> => {};
  let skipReason: string | null = null;
  const path = (name: string): string => join(dir, name);

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTmpDir('udf-vm'));
    await writeTree(path('video'), VIDEO_TS_TREE);
    await writeTree(path('bd'), { ...BD_TREE, ...EXTRA_TREE });
    const images: Array<[string, number, string[], string]> = [
      ['dvdrw.img', 16 * MiB, ['--media-type=dvdrw', '--label=SPARABLE DVD'], 'video'],
      ['dvdram.img', 16 * MiB, ['--media-type=dvdram', '--label=BD On UDF'], 'bd'],
      ['hd150.img', 8 * MiB, ['--media-type=hd', '--udfrev=1.50', '--label=HD VIDEO'], 'video'],
    ];
    for (const [name, size, args, source] of images) {
      await mkudffs(path(name), size, args);
      const result = await populateUdf(path(name), path(source));
      if (!result.ok) {
        skipReason = result.reason;
        return;
      }
    }
  }, 900_000);
  afterAll(() => cleanup());

  it('finds VIDEO_TS on a sparable-partition UDF 2.01 image (extended file entries)', async (ctx) => {
    if (skipReason !== null) skipUnlessCi(ctx, `udf-populate unavailable: ${skipReason}`);
    const id = await identifyFile(path('dvdrw.img'));
    expect(id).toMatchObject({ type: 'dvd-video', label: 'SPARABLE DVD', filesystem: 'udf', hasVideoTs: true, hasBdmv: false, sizeBytes: 16 * MiB, warnings: [] });
  });

  it('finds VIDEO_TS on a UDF 1.50 image with 512-byte blocks', async (ctx) => {
    if (skipReason !== null) skipUnlessCi(ctx, `udf-populate unavailable: ${skipReason}`);
    const id = await identifyFile(path('hd150.img'));
    expect(id).toMatchObject({ type: 'dvd-video', label: 'HD VIDEO', hasVideoTs: true, sizeBytes: 8 * MiB, warnings: [] });
  });

  it('finds BDMV and the bdmt_eng.xml title on a UDF-only image', async (ctx) => {
    if (skipReason !== null) skipUnlessCi(ctx, `udf-populate unavailable: ${skipReason}`);
    const id = await identifyFile(path('dvdram.img'));
    expect(id).toMatchObject({ type: 'bd-video', label: 'The Test Movie & Friends', volumeId: 'BD On UDF', filesystem: 'udf', hasBdmv: true, warnings: [] });
  });

  it('reads the same tree through a UDF 2.50 metadata partition, and loses it when the metadata files are destroyed', async (ctx) => {
    if (skipReason !== null) skipUnlessCi(ctx, `udf-populate unavailable: ${skipReason}`);
    const patched = addMetadataPartition(await readFile(path('dvdram.img')));
    await writeFile(path('metadata.img'), patched);
    const id = await identifyFile(path('metadata.img'));
    expect(id).toMatchObject({ type: 'bd-video', label: 'The Test Movie & Friends', filesystem: 'udf', hasBdmv: true, sizeBytes: (await stat(path('dvdram.img'))).size, warnings: [] });

    await writeFile(path('metadata-broken.img'), breakMetadataFiles(patched));
    const broken = await identifyFile(path('metadata-broken.img'));
    expect(broken).toMatchObject({ label: 'BD On UDF', filesystem: 'udf', hasBdmv: false });
    expect(broken.warnings).toContain('UDF metadata partition file is unreadable');
  });
});
