import { rm, rmdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errnoCode } from '../util/errors.js';
import { SIDECAR_SUFFIXES, type ResolvedArchivePath } from './archive-fs.js';

/** The metadata written beside an image (issue 13): its cover and its NFO. */
const EXTRA_EXTENSIONS = ['.jpg', '.png', '.webp', '.nfo'];

/** Deletes an image and its sidecars (or an audio folder); returns what was removed, relative. */
export async function deleteArchiveItem(item: ResolvedArchivePath): Promise<string[]> {
  if (item.kind === 'folder') {
    await rm(item.abs, { recursive: true });
    const removed = [item.rel];
    // The album's record beside it goes too, and an artist folder left empty (`audio/<Artist>/`).
    try {
      await unlink(item.abs + SIDECAR_SUFFIXES.metadata);
      removed.push(item.rel + SIDECAR_SUFFIXES.metadata);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
    }
    if (item.rel.split('/').length === 3) await rmdir(dirname(item.abs)).catch(() => undefined);
    return removed;
  }
  await unlink(item.abs);
  const removed = [item.rel];
  // Sidecars `<image>.sha256`…, and the cover and NFO named after the image's stem (`X.jpg`, `X.nfo`).
  const stem = (path: string): string => path.replace(/\.iso$/i, '');
  const beside: [string, string][] = [
    ...Object.values(SIDECAR_SUFFIXES).map((suffix): [string, string] => [item.abs + suffix, item.rel + suffix]),
    ...EXTRA_EXTENSIONS.map((ext): [string, string] => [stem(item.abs) + ext, stem(item.rel) + ext]),
  ];
  for (const [abs, rel] of beside) {
    try {
      await unlink(abs);
      removed.push(rel);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
    }
  }
  return removed;
}
