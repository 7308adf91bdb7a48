import { lstat, readFile, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { digestOf } from '../util/checksum-manifest.js';
import { errnoCode } from '../util/errors.js';
import { ArchivePathError } from './errors.js';

/** Subfolders of the output folder, one per disc family (SPEC §5.3). */
const ARCHIVE_GROUPS = ['data', 'dvd', 'bluray', 'audio'] as const;
type ArchiveGroup = (typeof ARCHIVE_GROUPS)[number] | 'other';

/** Files that belong to `<image>` and go with it: `<image><suffix>`. */
export const SIDECAR_SUFFIXES = { sha256: '.sha256', md5: '.md5', metadata: '.disk2iso.json' } as const;

export interface ResolvedArchivePath {
  rel: string;
  abs: string;
  group: ArchiveGroup;
  kind: 'image' | 'folder';
}

const isImageName = (name: string): boolean => name.toLowerCase().endsWith('.iso') && !name.startsWith('.');
const isGroup = (value: string): value is (typeof ARCHIVE_GROUPS)[number] =>
  (ARCHIVE_GROUPS as readonly string[]).includes(value);

/**
 * Maps a requested relative path to a file inside the output folder, or throws ArchivePathError:
 * only `<image>.iso` at the top or `<group>/<image>.iso` (and `audio/<folder>`, `audio/<Artist>/<Album>`), no `..`, no
 * absolute paths, no symlinks, and the real path must stay inside the real output folder.
 */
export async function resolveArchivePath(root: string, requested: unknown): Promise<ResolvedArchivePath> {
  const shown = typeof requested === 'string' ? requested.slice(0, 200) : String(requested);
  if (typeof requested !== 'string' || requested.length === 0 || requested.length > 1024) {
    throw new ArchivePathError('path must be a non-empty relative path', 400, shown);
  }
  if (requested.includes('\0') || requested.startsWith('/')) throw new ArchivePathError('path must be relative', 400, shown);
  const segments = requested.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new ArchivePathError('path must not contain empty, "." or ".." segments', 400, shown);
  }
  const [first = '', second] = segments;
  // `audio/<Artist>/<Album>`: an album folder of the Jellyfin/Plex layout (audio_output folder).
  const album = segments.length === 3 && first === 'audio';
  if ((segments.length > 2 && !album) || (segments.length === 2 && !isGroup(first))) {
    throw new ArchivePathError('path is not an item of the archive', 400, shown);
  }
  const group: ArchiveGroup = segments.length >= 2 && isGroup(first) ? first : 'other';
  const name = album ? (segments[2] ?? '') : (second ?? first);
  const abs = join(root, ...segments);
  let info;
  try {
    info = await lstat(abs);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') throw new ArchivePathError('no such item', 404, shown);
    throw error;
  }
  if (info.isSymbolicLink()) throw new ArchivePathError('symbolic links are not served', 403, shown);
  const kind = info.isFile() && isImageName(name) && !album ? 'image' : info.isDirectory() && group === 'audio' ? 'folder' : null;
  if (kind === null) throw new ArchivePathError('path is not an image of the archive', 400, shown);
  const [realRoot, realItem] = await Promise.all([realpath(root), realpath(abs)]);
  if (!realItem.startsWith(realRoot + sep)) throw new ArchivePathError('path leaves the output folder', 403, shown);
  return { rel: segments.join('/'), abs: realItem, group, kind };
}

/** The hex digest at the start of a `sha256sum`/`md5sum` sidecar, or null. */
export async function readSidecarDigest(imagePath: string, algorithm: 'sha256' | 'md5'): Promise<string | null> {
  const text = await readFile(imagePath + SIDECAR_SUFFIXES[algorithm], 'utf8').catch(() => null);
  return text === null ? null : digestOf(text, algorithm);
}
