import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

const REPO_ROOT = join(import.meta.dirname, '..', '..');
const BUILT_CLI = join(REPO_ROOT, 'dist', 'cli.js');

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/**
 * Vitest global setup: tests that start the built CLI (`dist/cli.js`) must run this tree's code,
 * not a `dist/` left from an older checkout. Rebuilt here, once and before any test file runs,
 * because a rebuild while other files' CLIs run pulls their code from under them.
 */
export default async function setup(): Promise<void> {
  const built = await stat(BUILT_CLI).then((s) => s.mtimeMs, () => 0);
  const sources = Math.max(await newestMtime(join(REPO_ROOT, 'src')), (await stat(join(REPO_ROOT, 'package-lock.json'))).mtimeMs);
  if (built >= sources) return;
  await execa('npm', ['run', 'build', '--silent'], { cwd: REPO_ROOT });
}
