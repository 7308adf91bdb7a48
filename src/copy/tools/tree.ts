import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Deeper than any folder disk2iso writes (VIDEO_TS, an album folder). */
const MAX_DEPTH = 8;

/**
 * Files under `dir` as paths relative to it, sorted; symlinks and special files are skipped.
 * Entries vanishing while a tool writes are ignored.
 */
export async function listFiles(dir: string): Promise<{ path: string; bytes: number }[]> {
  const out: { path: string; bytes: number }[] = [];
  await walk(dir, '', 0, out);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function walk(root: string, rel: string, depth: number, out: { path: string; bytes: number }[]): Promise<void> {
  if (depth > MAX_DEPTH) return;
  let names: string[];
  try {
    names = await readdir(join(root, rel));
  } catch {
    return;
  }
  for (const name of names) {
    const path = rel === '' ? name : `${rel}/${name}`;
    const info = await lstat(join(root, path)).catch(() => null);
    if (info?.isDirectory()) await walk(root, path, depth + 1, out);
    else if (info?.isFile()) out.push({ path, bytes: info.size });
  }
}

/** Total size of the files under `dir` (0 when it does not exist). */
export async function treeBytes(dir: string): Promise<number> {
  return (await listFiles(dir)).reduce((sum, f) => sum + f.bytes, 0);
}

/** Size of a file, 0 while it does not exist. */
export async function fileBytes(path: string): Promise<number> {
  return lstat(path).then(
    (s) => s.size,
    () => 0,
  );
}
