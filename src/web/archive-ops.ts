import { rm, rmdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errnoCode } from '../util/errors.js';
import { SIDECAR_SUFFIXES, type ResolvedArchivePath } from './archive-fs.js';

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
  for (const suffix of Object.values(SIDECAR_SUFFIXES)) {
    try {
      await unlink(item.abs + suffix);
      removed.push(item.rel + suffix);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
    }
  }
  return removed;
}
