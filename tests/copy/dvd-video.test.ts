import { chmod, mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dvdBackupMethod,
  isoVolumeId,
  libdvdcssAvailable,
  runDvdVideoBackup,
  type DvdVideoRequest,
  type MediaProgressSample,
} from '../../src/copy/index.js';
import { makeDvdVideo } from '../helpers/dvd-video.js';
import { listDir, silentLogger, tempDir, waitFor } from './helpers.js';

/** Tools on PATH replaced for one test (a wrapper folder first on PATH). */
async function withPath<T>(first: string, fn: () => Promise<T>, replace = false): Promise<T> {
  const saved = process.env.PATH;
  process.env.PATH = replace ? first : `${first}${delimiter}${saved ?? ''}`;
  try {
    return await fn();
  } finally {
    process.env.PATH = saved;
  }
}

async function script(dir: string, name: string, body: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

function request(devicePath: string, targetPath: string, overrides: Partial<DvdVideoRequest> = {}) {
  const samples: MediaProgressSample[] = [];
  const controller = new AbortController();
  const req: DvdVideoRequest = {
    devicePath,
    label: 'MY_MOVIE',
    targetPath,
    checksums: ['sha256'],
    signal: controller.signal,
    stallTimeoutMs: 120_000,
    onProgress: (s) => samples.push(s),
    logger: silentLogger,
    ...overrides,
  };
  return { req, samples, controller };
}

async function volumeId(image: string): Promise<string> {
  const { stdout } = await execa('isoinfo', ['-d', '-i', image]);
  return /^Volume id: (.*)$/m.exec(stdout)?.[1] ?? '';
}

async function extract(image: string, into: string): Promise<void> {
  await execa('xorriso', ['-osirrox', 'on', '-indev', image, '-extract', '/', into]);
}

async function canMountTmpfs(dir: string): Promise<boolean> {
  const probe = join(dir, 'mount-probe');
  await mkdir(probe, { recursive: true });
  const mounted = await execa('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { reject: false });
  if (mounted.failed) return false;
  await execa('umount', [probe]);
  return true;
}

describe('DVD-Video decrypted backup', () => {
  let dir: string;
  let source: { iso: string; videoTs: string };
  let mountable = false;

  beforeAll(async () => {
    dir = await tempDir('dvdv-');
    source = await makeDvdVideo(dir);
    mountable = await canMountTmpfs(dir);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('mirrors the disc and builds a DVD-Video image with the same files and a checkable sidecar', async () => {
    const out = join(dir, 'ok');
    const target = join(out, 'MY_MOVIE.iso');
    const { req, samples } = request(source.iso, target, { verify: true });
    const result = await runDvdVideoBackup(req);

    expect(result).toMatchObject({ outcome: 'success', reason: null, error: null, imagePath: target, sidecars: [`${target}.sha256`] });
    expect(await listDir(out)).toEqual(['MY_MOVIE.iso', 'MY_MOVIE.iso.sha256']);
    const check = await execa('sha256sum', ['-c', 'MY_MOVIE.iso.sha256'], { cwd: out, reject: false });
    expect(check.stdout).toBe('MY_MOVIE.iso: OK');
    expect(result.checksums.sha256).toBe((await readFile(`${target}.sha256`, 'utf8')).slice(0, 64));
    expect(await volumeId(target)).toBe('MY_MOVIE');

    const extracted = join(dir, 'ok-extracted');
    await extract(target, extracted);
    const names = (await readdir(join(extracted, 'VIDEO_TS'))).sort();
    expect(names).toEqual((await readdir(source.videoTs)).sort());
    expect(names).toContain('VIDEO_TS.IFO');
    expect(names).toContain('VTS_01_1.VOB');
    for (const name of names) {
      expect(Buffer.compare(await readFile(join(extracted, 'VIDEO_TS', name)), await readFile(join(source.videoTs, name))), name).toBe(0);
    }

    const phases = [...new Set(samples.map((s) => s.phase))];
    expect(phases).toEqual(['reading', 'encoding', 'verifying']);
    const last = samples.at(-1);
    expect(last?.bytesDone).toBe(result.bytes);
    expect(last?.bytesTotal).toBe(result.bytes);
  });

  it('passes a hostile label only as a sanitised volume id', async () => {
    const out = join(dir, 'hostile');
    const target = join(out, 'disc.iso');
    const label = '../../évil"; rm -rf / $(touch pwned) `id`\n-V x' + 'Z'.repeat(60);
    const { req } = request(source.iso, target, { label });
    const result = await runDvdVideoBackup(req);

    expect(result.outcome).toBe('success');
    const id = await volumeId(target);
    expect(id).toMatch(/^[A-Z0-9_]{1,32}$/);
    expect(id).toBe(isoVolumeId(label, 'DVD_VIDEO'));
    expect(id.startsWith('EVIL_RM_RF_TOUCH_PWNED_ID_V_XZZZ')).toBe(true);
    expect(await listDir(out)).toEqual(['disc.iso', 'disc.iso.sha256']);
    expect(await listDir(process.cwd())).not.toContain('pwned');
  });

  it('cancel kills dvdbackup and leaves nothing behind', async () => {
    const wrappers = join(dir, 'slow-bin');
    const pidFile = join(dir, 'slow.pid');
    // The real dvdbackup, then a hang: the mirror exists, the image not yet.
    await script(wrappers, 'dvdbackup', `echo $$ > '${pidFile}'\n/usr/bin/dvdbackup "$@" || exit $?\nexec sleep 600`);
    const out = join(dir, 'cancel');
    const target = join(out, 'C.iso');
    const { req, samples, controller } = request(source.iso, target);
    const result = await withPath(wrappers, async () => {
      const running = runDvdVideoBackup(req);
      await waitFor(() => samples.some((s) => s.phase === 'reading' && s.bytesDone > 0), 30_000, 'the mirror');
      controller.abort();
      return running;
    });

    expect(result).toMatchObject({ outcome: 'cancelled', reason: 'cancelled', imagePath: null });
    expect(result.error?.message).toMatch(/^Copy of .*source\.iso to .*C\.iso was cancelled after .*: cancelled by request$/);
    expect(await listDir(out)).toEqual([]);
    const pid = Number(await readFile(pidFile, 'utf8'));
    await waitFor(() => !alive(pid), 10_000, 'the tool to exit');
  });

  it('ends as stalled when the tool stops producing output', async () => {
    const wrappers = join(dir, 'hang-bin');
    await script(wrappers, 'dvdbackup', 'exec sleep 600');
    const out = join(dir, 'stall');
    const { req } = request(source.iso, join(out, 'S.iso'), { stallTimeoutMs: 1500 });
    const result = await withPath(wrappers, () => runDvdVideoBackup(req));

    expect(result).toMatchObject({ outcome: 'failed', reason: 'stalled', imagePath: null });
    expect(result.error?.message).toContain('no progress for 2 s');
    expect(await listDir(out)).toEqual([]);
  });

  it('fails with a message naming dvdbackup when it is not installed', async () => {
    const bin = join(dir, 'no-dvdbackup-bin');
    await mkdir(bin, { recursive: true });
    await symlink('/usr/bin/genisoimage', join(bin, 'genisoimage'));
    const out = join(dir, 'missing');
    const { req } = request(source.iso, join(out, 'M.iso'));
    const result = await withPath(bin, () => runDvdVideoBackup(req), true);

    expect(result).toMatchObject({ outcome: 'failed', reason: 'io_error', imagePath: null });
    expect(result.error?.message).toContain("dvdbackup is not installed (not found on PATH); it is needed for reading the DVD-Video in");
    expect(result.error?.message).toContain("(package 'dvdbackup')");
    expect(await listDir(out)).toEqual([]);
  });

  it('fails clearly for a disc without VIDEO_TS', async () => {
    const content = join(dir, 'data-content');
    await mkdir(content, { recursive: true });
    await writeFile(join(content, 'readme.txt'), 'not a movie');
    const dataIso = join(dir, 'data.iso');
    await execa('genisoimage', ['-quiet', '-o', dataIso, content]);
    const out = join(dir, 'data-out');
    const { req } = request(dataIso, join(out, 'D.iso'));
    const result = await runDvdVideoBackup(req);

    expect(result).toMatchObject({ outcome: 'failed', reason: 'read_error', imagePath: null });
    expect(result.error?.message).toMatch(/dvdbackup (failed while reading the DVD-Video|copied no VIDEO_TS)/);
    expect(await listDir(out)).toEqual([]);
  });

  it('verify catches an image whose video differs from the disc', async () => {
    const wrappers = join(dir, 'corrupt-bin');
    const corrupt = join(dir, 'corrupt.mjs');
    // Flips one byte of the title's video inside the image genisoimage wrote.
    await writeFile(
      corrupt,
      `import { readFileSync, writeFileSync } from 'node:fs';
const [image, vob] = process.argv.slice(2);
const data = readFileSync(image);
const needle = readFileSync(vob).subarray(100000, 100064);
const at = data.indexOf(needle);
if (at < 0) process.exit(3);
data[at + 10] ^= 0xff;
writeFileSync(image, data);`,
    );
    await script(wrappers, 'genisoimage', `/usr/bin/genisoimage "$@" || exit $?\nwhile [ "$1" != "-o" ]; do shift; done\nexec node '${corrupt}' "$2" '${join(source.videoTs, 'VTS_01_1.VOB')}'`);
    const out = join(dir, 'verify');
    const { req } = request(source.iso, join(out, 'V.iso'), { verify: true });
    const result = await withPath(wrappers, () => runDvdVideoBackup(req));

    expect(result).toMatchObject({ outcome: 'failed', reason: 'verify_mismatch', imagePath: null });
    expect(result.error?.message).toMatch(/verification failed: .*VTS_01_1\.VOB: content +: +differs/i);
    expect(await listDir(out)).toEqual([]);
  });

  it('reports a full output disk as disk_full and removes the partial output', async (ctx) => {
    if (!mountable) ctx.skip();
    const mnt = join(dir, 'small');
    await mkdir(mnt, { recursive: true });
    // Room for the mirror (~0.4 MB) but not for the image beside it.
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=900k', 'tmpfs', mnt]);
    try {
      const { req } = request(source.iso, join(mnt, 'F.iso'));
      const result = await runDvdVideoBackup(req);
      expect(result).toMatchObject({ outcome: 'failed', reason: 'disk_full', imagePath: null });
      expect(result.error?.message).toContain('no space left on device');
      expect(await listDir(mnt)).toEqual([]);
    } finally {
      await execa('umount', [mnt]);
    }
  });

  it('finds libdvdcss by file, caches the default answer, and names the method', async () => {
    const libs = join(dir, 'libs');
    await mkdir(join(libs, 'with'), { recursive: true });
    await mkdir(join(libs, 'without'), { recursive: true });
    await writeFile(join(libs, 'with', 'libdvdcss.so.2'), '');
    await writeFile(join(libs, 'without', 'libdvdread.so.8'), '');
    expect(await libdvdcssAvailable([join(libs, 'without'), join(libs, 'with')])).toBe(true);
    expect(await libdvdcssAvailable([join(libs, 'without'), join(libs, 'missing')])).toBe(false);
    expect(libdvdcssAvailable()).toBe(libdvdcssAvailable());
    expect(typeof (await libdvdcssAvailable())).toBe('boolean');
    expect(dvdBackupMethod(true)).toBe('dvdbackup (libdvdcss)');
    expect(dvdBackupMethod(false)).toBe('dvdbackup');
  });
});

describe('isoVolumeId', () => {
  it.each([
    ['My Movie (2001)', 'MY_MOVIE_2001'],
    ['Amélie', 'AMELIE'],
    ['../../etc/passwd', 'ETC_PASSWD'],
    ['-V evil', 'V_EVIL'],
    ['日本語', 'FALLBACK'],
    ['', 'FALLBACK'],
    [null, 'FALLBACK'],
    ['A'.repeat(40), 'A'.repeat(32)],
    [`${'B'.repeat(31)}__C`, 'B'.repeat(31)],
  ])('%j → %s', (label, expected) => {
    expect(isoVolumeId(label, 'FALLBACK')).toBe(expected);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
