import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { fileSectorSource, identifyDisc, type DiscIdentification } from '../../src/disc/index.js';
import type { DiscKind, Toc } from '../../src/drive/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const POPULATE_SCRIPT = join(here, '..', 'fixtures', 'disc', 'udf-populate.sh');

export async function makeTmpDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `disk2iso-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes `files` (relative path → content) under `root`. */
export async function writeTree(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, content);
  }
}

export async function run(cmd: string, args: readonly string[], env: Record<string, string> = {}): Promise<string> {
  const result = await execa(cmd, args, { env: { PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin`, ...env }, stdin: 'ignore', timeout: 600_000 });
  return `${result.stdout}\n${result.stderr}`;
}

/** Empty folders and the image of a fresh UDF filesystem made by mkudffs. */
export async function mkudffs(image: string, sizeBytes: number, args: readonly string[]): Promise<void> {
  await writeFile(image, '');
  await run('truncate', ['-s', String(sizeBytes), image]);
  await run('mkudffs', [...args, image]);
}

export type PopulateResult = { ok: true } | { ok: false; reason: string };

/** Copies `sourceDir` into a UDF image through the VM script; `ok: false` when the script reports a missing requirement (exit 77). */
export async function populateUdf(image: string, sourceDir: string): Promise<PopulateResult> {
  const result = await execa('sh', [POPULATE_SCRIPT, image, sourceDir], {
    env: { PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` },
    reject: false,
    stdin: 'ignore',
    timeout: 600_000,
  });
  if (result.exitCode === 0) return { ok: true };
  if (result.exitCode === 77) return { ok: false, reason: result.stderr.trim() };
  throw new Error(`udf-populate failed (${String(result.exitCode)}): ${result.stderr.slice(-2000)}`);
}

export async function identifyFile(
  path: string,
  hints: Partial<{ discKind: DiscKind; toc: Toc | null; mediumBytes: number }> = {},
): Promise<DiscIdentification> {
  const mediumBytes = hints.mediumBytes ?? (await stat(path)).size;
  return identifyDisc(fileSectorSource(path), { discKind: hints.discKind ?? 'data', toc: hints.toc ?? null, mediumBytes });
}

/** `isoinfo -d` fields of an image: volume id and volume size in blocks. */
export async function isoinfo(path: string, extra: readonly string[] = []): Promise<{ volumeId: string; blocks: number; blockSize: number }> {
  const out = await run('isoinfo', ['-d', ...extra, '-i', path]);
  const field = (name: string): string => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(out)?.[1]?.trim() ?? '';
  return { volumeId: field('Volume id'), blocks: Number(field('Volume size is')), blockSize: Number(field('Logical block size is')) };
}

export const HEX64 = /^[0-9a-f]{64}$/;
