import { lstat, readFile, rm, unlink } from 'node:fs/promises';
import { errnoCode } from '../util/errors.js';
import { SIDECAR_SUFFIXES, type ResolvedArchivePath } from './archive-fs.js';

/** The fields of `<image>.disk2iso.json` the archive page shows; everything else is ignored. */
export interface ImageMetadata {
  disc_label: string | null;
  disc_type: string | null;
  method: string | null;
  result: string | null;
  finished: string | null;
}

const METADATA_MAX_BYTES = 256 * 1024;

function stringField(record: Record<string, unknown>, ...names: string[]): string | null {
  for (const name of names) {
    const value = record[name];
    if (typeof value === 'string' && value.length > 0) return value.slice(0, 500);
  }
  return null;
}

/** Reads the metadata sidecar loosely (it is written by another part and may evolve). */
export async function readImageMetadata(imagePath: string): Promise<ImageMetadata | null> {
  const file = imagePath + SIDECAR_SUFFIXES.metadata;
  const info = await lstat(file).catch(() => null);
  if (!info?.isFile() || info.size > METADATA_MAX_BYTES) return null;
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
    const record = parsed as Record<string, unknown>;
    return {
      disc_label: stringField(record, 'disc_label', 'label'),
      disc_type: stringField(record, 'disc_type', 'type'),
      method: stringField(record, 'method'),
      result: stringField(record, 'result'),
      finished: stringField(record, 'finished', 'created', 'date'),
    };
  } catch {
    return null;
  }
}

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
