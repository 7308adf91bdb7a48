import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  discardPartial,
  findArchivedByFingerprint,
  freeSpace,
  imageFolderFor,
  OutputPathError,
  planTarget,
  readImageMetadata,
  releaseTarget,
  writeChecksumSidecars,
  writeImageMetadata,
  type ImageMetadata,
} from '../../src/copy/index.js';
import { mountTmpfs } from '../helpers/tmpfs.js';
import { listDir, md5, sha256, tempDir } from './helpers.js';

let out: string;
beforeEach(async () => {
  out = await tempDir('out-');
});
afterEach(async () => {
  await execa('rm', ['-rf', out]);
});

const meta = (fingerprint: string | null): ImageMetadata => ({
  fingerprint,
  label: 'MY_DISC',
  disc_type: 'dvd-rom',
  created: '2024-05-01T10:00:00.000Z',
  bytes: 4,
  checksums: { sha256: 'a'.repeat(64) },
  method: 'copy',
  result: 'success',
  bad_ranges: [],
});

/** An archived image with its metadata sidecar. */
async function archive(folder: string, name: string, fingerprint: string | null): Promise<string> {
  const path = join(out, folder, name);
  await mkdir(join(out, folder), { recursive: true });
  await writeFile(path, 'data');
  await writeImageMetadata(path, meta(fingerprint));
  return path;
}

describe('imageFolderFor', () => {
  it('maps every disc type to its folder', () => {
    expect(['cd-rom', 'dvd-rom', 'bd-rom', 'data', 'unknown'].map((t) => imageFolderFor(t as 'data'))).toEqual(['data', 'data', 'data', 'data', 'data']);
    expect(imageFolderFor('dvd-video')).toBe('dvd');
    expect(imageFolderFor('bd-video')).toBe('bluray');
    expect(imageFolderFor('audio-cd')).toBe('audio');
  });
});

describe('planTarget', () => {
  const plan = (policy: 'suffix' | 'skip' | 'overwrite', fingerprint: string | null, discType: 'dvd-rom' | 'dvd-video' = 'dvd-rom') =>
    planTarget({ outputDir: out, discType, baseName: 'MY_DISC', policy, fingerprint });

  it('uses <output>/<folder>/<base>.iso for a new disc', async () => {
    expect(await plan('suffix', 'fp1')).toEqual({ action: 'copy', targetPath: join(out, 'data', 'MY_DISC.iso'), replaces: null });
    expect(await plan('skip', 'fp1', 'dvd-video')).toEqual({ action: 'copy', targetPath: join(out, 'dvd', 'MY_DISC.iso'), replaces: null });
  });

  it('skips, overwrites or suffixes a disc archived before (same fingerprint)', async () => {
    const existing = await archive('data', 'MY_DISC.iso', 'fp1');
    expect(await plan('skip', 'fp1')).toEqual({ action: 'skip', existingPath: existing });
    expect(await plan('overwrite', 'fp1')).toEqual({ action: 'copy', targetPath: existing, replaces: existing });
    expect(await plan('suffix', 'fp1')).toEqual({ action: 'copy', targetPath: join(out, 'data', 'MY_DISC_1.iso'), replaces: null });
    await archive('data', 'MY_DISC_1.iso', 'fp1');
    expect(await plan('suffix', 'fp1')).toEqual({ action: 'copy', targetPath: join(out, 'data', 'MY_DISC_2.iso'), replaces: null });
  });

  it('never overwrites another disc with the same name', async () => {
    await archive('data', 'MY_DISC.iso', 'other-disc');
    for (const policy of ['skip', 'overwrite', 'suffix'] as const) {
      expect(await plan(policy, 'fp1')).toEqual({ action: 'copy', targetPath: join(out, 'data', 'MY_DISC_1.iso'), replaces: null });
    }
  });

  it('treats an unknown fingerprint as another disc, and a partial kept for resuming as a taken name', async () => {
    await archive('data', 'MY_DISC.iso', null);
    await writeFile(join(out, 'data', 'MY_DISC_1.iso.part'), '');
    await writeFile(join(out, 'data', 'MY_DISC_1.iso.part.map'), '');
    expect(await plan('overwrite', null)).toEqual({ action: 'copy', targetPath: join(out, 'data', 'MY_DISC_2.iso'), replaces: null });
  });

  it('does not count the bare .part a failed copy left as a taken name', async () => {
    await mkdir(join(out, 'data'), { recursive: true });
    await writeFile(join(out, 'data', 'MY_DISC.iso.part'), 'half a copy');
    expect(await plan('suffix', 'fp1')).toEqual({ action: 'copy', targetPath: join(out, 'data', 'MY_DISC.iso'), replaces: null });
  });

  it('holds a claimed name until it is released: a copy in progress whose .part has nothing beside it', async () => {
    const claim = () => planTarget({ outputDir: out, discType: 'audio-cd', baseName: 'ALBUM', policy: 'suffix', fingerprint: 'fp1', extension: '', claim: true });
    const first = await claim();
    expect(first).toEqual({ action: 'copy', targetPath: join(out, 'audio', 'ALBUM'), replaces: null });
    await mkdir(join(out, 'audio', 'ALBUM.part'), { recursive: true });
    expect(await claim()).toEqual({ action: 'copy', targetPath: join(out, 'audio', 'ALBUM_1'), replaces: null });
    releaseTarget(join(out, 'audio', 'ALBUM'));
    releaseTarget(join(out, 'audio', 'ALBUM_1'));
    expect(await plan('suffix', 'fp1')).toEqual({ action: 'copy', targetPath: join(out, 'data', 'MY_DISC.iso'), replaces: null });
  });

  it('finds the same disc in another folder', async () => {
    const existing = await archive('dvd', 'OLD_NAME.iso', 'fp1');
    expect(await plan('overwrite', 'fp1')).toEqual({ action: 'copy', targetPath: existing, replaces: existing });
  });

  it('asks the given duplicate check (the core\'s index) instead of reading the records', async () => {
    await archive('data', 'MY_DISC.iso', 'fp1'); // a record the folder scan would find; the check given decides
    const asked: string[] = [];
    const indexed = join(out, 'dvd', 'INDEXED.iso');
    const findArchived = (fingerprint: string) => {
      asked.push(fingerprint);
      return Promise.resolve(fingerprint === 'fp2' ? indexed : null);
    };
    const ask = (fingerprint: string) => planTarget({ outputDir: out, discType: 'dvd-rom', baseName: 'MY_DISC', policy: 'skip', fingerprint, findArchived });
    expect(await ask('fp2')).toEqual({ action: 'skip', existingPath: indexed });
    expect(await ask('fp1')).toEqual({ action: 'copy', targetPath: join(out, 'data', 'MY_DISC_1.iso'), replaces: null });
    expect(asked).toEqual(['fp2', 'fp1']);
  });

  it.each(['', '..', '../etc/x', 'a/b', 'a\\b', 'bad\nname', '.hidden', 'x'.repeat(300)])('refuses the base name %j', async (baseName) => {
    await expect(planTarget({ outputDir: out, discType: 'data', baseName, policy: 'suffix', fingerprint: null })).rejects.toThrow(OutputPathError);
  });
});

describe('image metadata', () => {
  it('writes and reads the sidecar, and finds images by fingerprint only when the image exists', async () => {
    const path = await archive('bluray', 'FILM.iso', 'fp-film');
    expect(JSON.parse(await readFile(`${path}.disk2iso.json`, 'utf8'))).toMatchObject({ schema_version: 1, image: 'FILM.iso', fingerprint: 'fp-film', result: 'success' });
    expect(await readImageMetadata(path)).toMatchObject({ label: 'MY_DISC', disc_type: 'dvd-rom' });
    expect(await findArchivedByFingerprint(out, 'fp-film')).toBe(path);
    expect(await findArchivedByFingerprint(out, 'nope')).toBeNull();
    await execa('rm', [path]);
    expect(await findArchivedByFingerprint(out, 'fp-film')).toBeNull();
  });

  it('ignores a corrupt sidecar', async () => {
    await mkdir(join(out, 'data'));
    await writeFile(join(out, 'data', 'X.iso'), 'x');
    await writeFile(join(out, 'data', 'X.iso.disk2iso.json'), '{"fingerprint": "fp"');
    expect(await readImageMetadata(join(out, 'data', 'X.iso'))).toBeNull();
    expect(await findArchivedByFingerprint(out, 'fp')).toBeNull();
  });
});

describe('checksum sidecars', () => {
  it.each(['plain.iso', 'with space.iso', 'back\\slash.iso'])('are accepted by sha256sum -c and md5sum -c (%j)', async (name) => {
    const image = join(out, name);
    const data = Buffer.from('some image bytes');
    await writeFile(image, data);
    const written = await writeChecksumSidecars(image, { sha256: sha256(data), md5: md5(data) });
    expect(written).toEqual([`${image}.sha256`, `${image}.md5`]);
    await execa('sha256sum', ['-c', `${name}.sha256`], { cwd: out });
    await execa('md5sum', ['-c', `${name}.md5`], { cwd: out });
    // A wrong checksum is caught: the check is real.
    await writeFile(image, 'changed');
    expect((await execa('sha256sum', ['-c', `${name}.sha256`], { cwd: out, reject: false })).exitCode).toBe(1);
  });

  it('removes the sidecar of an algorithm no longer used', async () => {
    const image = join(out, 'X.iso');
    await writeFile(image, 'x');
    await writeChecksumSidecars(image, { sha256: sha256(Buffer.from('x')), md5: md5(Buffer.from('x')) });
    await writeChecksumSidecars(image, { md5: md5(Buffer.from('x')) });
    expect(await listDir(out)).toEqual(['X.iso', 'X.iso.md5']);
  });
});

describe('freeSpace', () => {
  it('matches statfs as df reports it', async () => {
    const space = await freeSpace(out);
    const df = await execa('df', ['-B1', '--output=size', out]);
    expect(space.totalBytes).toBe(Number(df.stdout.trim().split('\n')[1]));
    expect(space.freeBytes).toBeGreaterThan(0);
    expect(space.freeBytes).toBeLessThanOrEqual(space.totalBytes);
  });

  it('reports the size of a 4 MiB tmpfs (root)', async (ctx) => {
    const mnt = await mountTmpfs(ctx, 'size=4m');
    await writeFile(join(mnt, 'f'), Buffer.alloc(1024 * 1024));
    expect(await freeSpace(mnt)).toEqual({ totalBytes: 4 * 1024 * 1024, freeBytes: 3 * 1024 * 1024 });
  });

  it('rejects for a missing folder', async () => {
    await expect(freeSpace(join(out, 'missing'))).rejects.toThrow(/ENOENT/);
  });
});

describe('discardPartial', () => {
  it('removes .part, .part.map and mapfile temp files of that image only', async () => {
    for (const name of ['X.iso.part', 'X.iso.part.map', '.X.iso.part.map.123.4.tmp', 'X.iso', 'Y.iso.part', '.Y.iso.part.map.1.1.tmp']) {
      await writeFile(join(out, name), '');
    }
    await discardPartial(join(out, 'X.iso'));
    expect(await listDir(out)).toEqual(['.Y.iso.part.map.1.1.tmp', 'X.iso', 'Y.iso.part']);
  });
});
