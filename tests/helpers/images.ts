import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

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
