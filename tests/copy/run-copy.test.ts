import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCopy } from '../../src/copy/index.js';
import type { DiscReader } from '../../src/drive/index.js';
import { useIsoImage } from '../helpers/images.js';
import { copyRequest, head, listDir, md5, sha256, simDrive } from './helpers.js';

describe('runCopy on a healthy disc', () => {
  const disc = useIsoImage('copy-', 6);
  let reader: DiscReader;

  beforeAll(async () => {
    const { drive } = await simDrive(disc.dir, disc.image);
    reader = await drive.open();
  });
  afterAll(async () => {
    await reader.close();
  });

  it('copies the filesystem byte for byte with a sha256 sidecar that sha256sum -c accepts', async () => {
    const target = join(disc.dir, 'out1', 'data', 'TEST_DISC.iso');
    const { request, samples } = copyRequest(reader, disc.fsBytes, target, { chunkBytes: 1024 * 1024 });
    const result = await runCopy(request);

    expect(result).toMatchObject({ outcome: 'success', reason: null, error: null, imagePath: target, bytes: disc.fsBytes, badSectors: 0, badRanges: [] });
    const source = await head(disc.image, disc.fsBytes);
    const copy = await readFile(target);
    expect(copy.length).toBe(disc.fsBytes);
    expect(copy.equals(source)).toBe(true);
    expect(result.checksums).toEqual({ sha256: sha256(source) });
    expect(result.sidecars).toEqual([`${target}.sha256`]);
    expect(await readFile(`${target}.sha256`, 'utf8')).toBe(`${sha256(source)}  TEST_DISC.iso\n`);
    const check = await execa('sha256sum', ['-c', 'TEST_DISC.iso.sha256'], { cwd: join(disc.dir, 'out1', 'data') });
    expect(check.stdout).toContain('TEST_DISC.iso: OK');
    expect(await listDir(join(disc.dir, 'out1', 'data'))).toEqual(['TEST_DISC.iso', 'TEST_DISC.iso.sha256']);
    // Progress reached the end of the reading phase.
    const last = samples.filter((s) => s.phase === 'reading').at(-1);
    expect(last).toMatchObject({ bytesDone: disc.fsBytes, bytesTotal: disc.fsBytes, badSectors: 0 });
  });

  it('computes md5 and sha256 in one pass, verifies, and both -c checks pass', async () => {
    const target = join(disc.dir, 'out2', 'BOTH.iso');
    const { request, samples } = copyRequest(reader, disc.fsBytes, target, { checksums: ['sha256', 'md5'], verify: true });
    const result = await runCopy(request);

    expect(result.outcome).toBe('success');
    const source = await head(disc.image, disc.fsBytes);
    expect(result.checksums).toEqual({ sha256: sha256(source), md5: md5(source) });
    expect(samples.some((s) => s.phase === 'verifying' && s.bytesDone === disc.fsBytes)).toBe(true);
    await execa('sha256sum', ['-c', 'BOTH.iso.sha256'], { cwd: join(disc.dir, 'out2') });
    const md5check = await execa('md5sum', ['-c', 'BOTH.iso.md5'], { cwd: join(disc.dir, 'out2') });
    expect(md5check.stdout).toContain('BOTH.iso: OK');
  });

  it('copies exactly sizeBytes when the medium is larger (odd size, last read shortened)', async () => {
    const size = disc.fsBytes - 5 * 2048 - 123;
    const target = join(disc.dir, 'out3', 'SHORT.iso');
    const { request } = copyRequest(reader, size, target, { checksums: ['md5'], chunkBytes: 64 * 1024 });
    const result = await runCopy(request);

    expect(result).toMatchObject({ outcome: 'success', bytes: size });
    expect((await stat(target)).size).toBe(size);
    const copy = await readFile(target);
    expect(copy.equals(await head(disc.image, size))).toBe(true);
    expect(result.checksums).toEqual({ md5: md5(copy) });
    await execa('md5sum', ['-c', 'SHORT.iso.md5'], { cwd: join(disc.dir, 'out3') });
  });

  it('writes no sidecar when no checksum is wanted and still verifies', async () => {
    const target = join(disc.dir, 'out4', 'NONE.iso');
    const { request } = copyRequest(reader, disc.fsBytes, target, { checksums: [], verify: true });
    const result = await runCopy(request);

    expect(result).toMatchObject({ outcome: 'success', checksums: {}, sidecars: [] });
    expect(await listDir(join(disc.dir, 'out4'))).toEqual(['NONE.iso']);
  });

  it('overwrites an existing image only on success and drops a stale sidecar', async () => {
    const target = join(disc.dir, 'out5', 'OLD.iso');
    await runCopy(copyRequest(reader, 4096, target, { checksums: ['sha256', 'md5'] }).request);
    expect(await listDir(join(disc.dir, 'out5'))).toEqual(['OLD.iso', 'OLD.iso.md5', 'OLD.iso.sha256']);

    const result = await runCopy(copyRequest(reader, disc.fsBytes, target, { checksums: ['sha256'] }).request);
    expect(result.outcome).toBe('success');
    expect((await stat(target)).size).toBe(disc.fsBytes);
    expect(await listDir(join(disc.dir, 'out5'))).toEqual(['OLD.iso', 'OLD.iso.sha256']);
    await execa('sha256sum', ['-c', 'OLD.iso.sha256'], { cwd: join(disc.dir, 'out5') });
  });

  it('copies an empty size as an empty image', async () => {
    const target = join(disc.dir, 'out6', 'EMPTY.iso');
    const result = await runCopy(copyRequest(reader, 0, target).request);
    expect(result).toMatchObject({ outcome: 'success', bytes: 0, checksums: { sha256: sha256(Buffer.alloc(0)) } });
    expect((await stat(target)).size).toBe(0);
  });
});
