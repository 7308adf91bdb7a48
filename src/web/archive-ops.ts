import { rm, unlink } from 'node:fs/promises';
import { errnoCode } from '../util/errors.js';
import { SIDECAR_SUFFIXES, type ResolvedArchivePath } from './archive-fs.js';

/** Deletes an image and its sidecars (or an audio folder); returns what was removed, relative. */
export async function deleteArchiveItem(item: ResolvedArchivePath): Promise<string[]> {
  if (item.kind === 'folder') {
    await rm(item.abs, { recursive: true });
    return [item.rel];
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
