import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll } from 'vitest';

/**
 * A real ISO 9660 + Joliet image made by genisoimage from generated files. `seed` changes the
 * content (and so the fingerprint) of images with the same label.
 */
export async function makeDataIso(
  workDir: string,
  options: { label: string; name?: string; bytes?: number; seed?: number; extraDirs?: readonly string[] },
): Promise<string> {
  const name = options.name ?? `${options.label.replace(/[^a-zA-Z0-9_-]/g, '_') || 'disc'}-${options.seed ?? 0}`;
  const tree = join(workDir, `${name}.tree`);
  await mkdir(tree, { recursive: true });
  const size = options.bytes ?? 1024 * 1024;
  const content = Buffer.alloc(size);
  let x = (options.seed ?? 1) * 2654435761 || 1;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    content[i] = x >>> 24;
  }
  await writeFile(join(tree, 'DATA.BIN'), content);
  await writeFile(join(tree, 'README.TXT'), `disc ${options.label}\n`);
  for (const dir of options.extraDirs ?? []) {
    await mkdir(join(tree, dir), { recursive: true });
    await writeFile(join(tree, dir, 'FILE.DAT'), 'x');
  }
  const image = join(workDir, `${name}.iso`);
  await execa('genisoimage', ['-quiet', '-input-charset', 'utf-8', '-V', options.label, '-J', '-r', '-o', image, tree]);
  return image;
}

/**
 * A real ISO 9660 image made by xorriso from random files; `megabytes` of content.
 * Returns the image path and the filesystem size from the primary volume descriptor.
 */
export async function makeIso(dir: string, megabytes: number, label = 'TEST_DISC'): Promise<{ image: string; fsBytes: number }> {
  const content = join(dir, `content-${label}`);
  await mkdir(join(content, 'sub'), { recursive: true });
  const files = Math.max(1, Math.ceil(megabytes));
  for (let i = 0; i < files; i++) {
    const size = Math.round((megabytes / files) * 1024 * 1024) - 777 * i;
    await writeFile(join(content, i % 2 ? 'sub' : '', `file${i}.bin`), randomBytes(Math.max(1, size)));
  }
  const image = join(dir, `${label}.iso`);
  await execa('xorriso', ['-as', 'mkisofs', '-quiet', '-V', label, '-J', '-R', '-o', image, content]);
  await rm(content, { recursive: true, force: true });
  return { image, fsBytes: await isoVolumeBytes(image) };
}

/** Volume space size (PVD, LBA 16, offset 80, little-endian) × 2048. */
async function isoVolumeBytes(image: string): Promise<number> {
  const handle = await open(image, 'r');
  try {
    const buffer = Buffer.alloc(2048);
    await handle.read(buffer, 0, 2048, 16 * 2048);
    return buffer.readUInt32LE(80) * 2048;
  } finally {
    await handle.close();
  }
}

/** A suite's temp folder `dir` holding one real ISO `image` of `fsBytes` (see makeIso). */
export interface IsoFixture {
  readonly dir: string;
  readonly image: string;
  readonly fsBytes: number;
}

/**
 * Registers the set-up the copy tests share: a fresh temp folder with a `megabytes` ISO made
 * once before the suite's tests, the folder removed after them (after the suite's own
 * afterAll hooks, which run first).
 */
export function useIsoImage(prefix: string, megabytes: number): IsoFixture {
  const fixture = { dir: '', image: '', fsBytes: 0 };
  beforeAll(async () => {
    fixture.dir = await mkdtemp(join(tmpdir(), `disk2iso-${prefix}`));
    Object.assign(fixture, await makeIso(fixture.dir, megabytes));
  });
  afterAll(async () => {
    if (fixture.dir !== '') await rm(fixture.dir, { recursive: true, force: true });
  });
  return fixture;
}
