import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArchiveGroup, ArchiveItem, ArchiveMetadata } from '../contract/archive-index.js';
import { DriveIdSchema } from '../contract/index.js';
import { IMAGE_FOLDERS, METADATA_SUFFIX, readImageMetadata } from '../copy/index.js';
import { manifestName } from '../util/checksum-manifest.js';
import { errnoCode } from '../util/errors.js';

/** What a look at the folder tells about one item, before its record is read. */
interface ScannedItem {
  path: string;
  abs: string;
  group: ArchiveGroup;
  name: string;
  kind: 'image' | 'folder';
  size: number;
  mtime: string;
  sidecars: ArchiveItem['sidecars'];
  /** False for a `.disk2iso.json` record whose image is gone. */
  present: boolean;
}

/** Hidden, or still being written by a job (`<target>.part`, `<target>.work`). */
const isLeftover = (name: string): boolean => name.startsWith('.') || /\.(part|work)$/.test(name);

const isImageName = (name: string): boolean => name.toLowerCase().endsWith('.iso') && !name.startsWith('.');

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return [];
    throw error;
  }
}

const exists = (path: string): Promise<boolean> => lstat(path).then((i) => i.isFile(), () => false);

/** An archived folder's checksum sidecars are the manifests inside it (`checksums.sha256`, `checksums.md5`). */
async function folderSidecars(abs: string, metadata: boolean): Promise<ArchiveItem['sidecars']> {
  const [sha256, md5] = await Promise.all([exists(join(abs, manifestName('sha256'))), exists(join(abs, manifestName('md5')))]);
  return { sha256, md5, metadata };
}

/** Stats in batches: thousands of files in one folder, without thousands of open requests. */
async function mapLimited<T, R>(list: readonly T[], limit: number, fn: (value: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(list.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < list.length) {
      const i = next++;
      out[i] = await fn(list[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, list.length) }, worker));
  return out;
}

async function scanGroup(root: string, group: ArchiveGroup): Promise<ScannedItem[]> {
  const dir = group === 'other' ? root : join(root, group);
  if (group !== 'other') {
    const info = await lstat(dir).catch(() => null);
    if (!info?.isDirectory()) return []; // a symlinked group folder is not followed
  }
  const names = await listDir(dir);
  const present = new Set(names);
  const rel = (name: string) => (group === 'other' ? name : `${group}/${name}`);
  const sidecarsOf = (name: string) => ({
    sha256: present.has(`${name}.sha256`),
    md5: present.has(`${name}.md5`),
    metadata: present.has(name + METADATA_SUFFIX),
  });
  const found = await mapLimited(names, 32, async (name): Promise<ScannedItem | ScannedItem[] | null> => {
    // Hidden files and what a job is still writing (`X.part`, `X.work`) are not archived yet.
    if (isLeftover(name)) return null;
    const abs = join(dir, name);
    if (name.endsWith(METADATA_SUFFIX)) {
      // A record whose image is gone: kept in the index as missing, so the loss is seen.
      const image = name.slice(0, -METADATA_SUFFIX.length);
      if (group === 'other' || !isImageName(image) || present.has(image)) return null;
      return { path: rel(image), abs: join(dir, image), group, name: image, kind: 'image', size: 0, mtime: new Date(0).toISOString(), sidecars: sidecarsOf(image), present: false };
    }
    // Only images (and, in audio/, folders) are items: the sidecars of 10,000 images are not stat'ed.
    if (group !== 'audio' && !isImageName(name)) return null;
    const info = await lstat(abs).catch(() => null);
    if (!info) return null;
    const mtime = info.mtime.toISOString();
    if (info.isFile() && isImageName(name)) {
      return { path: rel(name), abs, group, name, kind: 'image', size: info.size, mtime, sidecars: sidecarsOf(name), present: true };
    }
    if (info.isDirectory() && group === 'audio') {
      if (!present.has(name + METADATA_SUFFIX) && (await isArtistFolder(abs))) return albumsOf(abs, rel(name));
      return { path: rel(name), abs, group, name, kind: 'folder', size: 0, mtime, sidecars: await folderSidecars(abs, present.has(name + METADATA_SUFFIX)), present: true };
    }
    return null;
  });
  return found.flat().filter((item): item is ScannedItem => item !== null);
}

/**
 * An artist folder of the Jellyfin/Plex layout (`audio/<Artist>/<Album (Year)>/`): it holds album
 * folders, finished or still being written (a new artist's first rip holds only `<Album>.part/`).
 * A folder of tracks (the flat `audio/<Artist - Album>/` of older rips) holds none.
 */
async function isArtistFolder(dir: string): Promise<boolean> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.some((entry) => entry.isDirectory() && !entry.name.startsWith('.'));
}

/** The album folders of an artist folder, as items `audio/<Artist>/<Album>`. */
async function albumsOf(dir: string, relDir: string): Promise<ScannedItem[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const names = new Set(entries.map((e) => e.name));
  const albums = entries.filter((entry) => entry.isDirectory() && !isLeftover(entry.name));
  const items = await mapLimited(albums, 8, async ({ name }): Promise<ScannedItem | null> => {
    const abs = join(dir, name);
    const info = await lstat(abs).catch(() => null);
    if (!info?.isDirectory()) return null;
    const sidecars = await folderSidecars(abs, names.has(name + METADATA_SUFFIX));
    return { path: `${relDir}/${name}`, abs, group: 'audio', name, kind: 'folder', size: 0, mtime: info.mtime.toISOString(), sidecars, present: true };
  });
  return items.filter((item): item is ScannedItem => item !== null);
}

/** Every image (and audio folder) in the output folder, and every record whose image is gone. */
export async function scanOutputFolder(root: string): Promise<ScannedItem[]> {
  const groups: ArchiveGroup[] = [...IMAGE_FOLDERS, 'other'];
  return (await Promise.all(groups.map((group) => scanGroup(root, group)))).flat();
}

/** One item by its relative path, as `scanOutputFolder` would list it, or null when it is not one. */
export async function scanOne(root: string, rel: string): Promise<ScannedItem | null> {
  const segments = rel.split('/');
  if (segments.some(isLeftover)) return null;
  const [first = '', second] = segments;
  const groups: readonly string[] = IMAGE_FOLDERS;
  // `audio/<Artist>/<Album>`: an album folder of the Jellyfin/Plex layout.
  if (segments.length === 3 && first === 'audio') {
    const abs = join(root, ...segments);
    const info = await lstat(abs).catch(() => null);
    if (!info?.isDirectory()) return null;
    const sidecars = await folderSidecars(abs, await exists(abs + METADATA_SUFFIX));
    return { path: rel, abs, group: 'audio', name: segments[2] ?? '', kind: 'folder', size: 0, mtime: info.mtime.toISOString(), sidecars, present: true };
  }
  if (segments.length > 2 || (segments.length === 2 && !groups.includes(first))) return null;
  const group = (segments.length === 2 ? first : 'other') as ArchiveGroup;
  const name = second ?? first;
  const abs = join(root, ...segments);
  const [info, sha256, md5, metadata] = await Promise.all([
    lstat(abs).catch(() => null),
    exists(`${abs}.sha256`),
    exists(`${abs}.md5`),
    exists(abs + METADATA_SUFFIX),
  ]);
  const sidecars = { sha256, md5, metadata };
  if (!info) {
    if (!metadata || group === 'other' || !isImageName(name)) return null;
    return { path: rel, abs, group, name, kind: 'image', size: 0, mtime: new Date(0).toISOString(), sidecars, present: false };
  }
  const mtime = info.mtime.toISOString();
  if (info.isFile() && isImageName(name)) return { path: rel, abs, group, name, kind: 'image', size: info.size, mtime, sidecars, present: true };
  if (info.isDirectory() && group === 'audio') {
    return { path: rel, abs, group, name, kind: 'folder', size: 0, mtime, sidecars: await folderSidecars(abs, metadata), present: true };
  }
  return null;
}

/** Total size and number of the files of an audio folder. */
async function folderSize(dir: string): Promise<{ size: number; files: number }> {
  let size = 0;
  let files = 0;
  for (const name of await listDir(dir)) {
    const info = await lstat(join(dir, name)).catch(() => null);
    if (info?.isFile()) {
      size += info.size;
      files += 1;
    }
  }
  return { size, files };
}

/** The fields of the image's `.disk2iso.json` the index keeps, or null without a valid record. */
async function recordMetadata(imageAbs: string): Promise<ArchiveMetadata | null> {
  const record = await readImageMetadata(imageAbs);
  if (!record) return null;
  const drive = DriveIdSchema.safeParse(record.drive_id);
  return {
    disc_label: record.label,
    disc_type: record.disc_type,
    method: record.method,
    result: record.result,
    finished: record.created,
    drive_id: drive.success ? drive.data : null,
    fingerprint: record.fingerprint,
  };
}

/** The index item of a scanned one: its record read, an audio folder measured. */
export async function itemOf(scanned: ScannedItem, previous: ArchiveItem | undefined): Promise<ArchiveItem> {
  let { size } = scanned;
  let files: number | null = null;
  if (scanned.kind === 'folder') ({ size, files } = await folderSize(scanned.abs));
  const metadata = scanned.sidecars.metadata ? await recordMetadata(scanned.abs) : null;
  const same = previous !== undefined && previous.present && scanned.present && previous.size === size && previous.mtime === scanned.mtime;
  return {
    path: scanned.path,
    group: scanned.group,
    name: scanned.name,
    kind: scanned.kind,
    size,
    mtime: scanned.mtime,
    files,
    sidecars: scanned.sidecars,
    present: scanned.present,
    metadata,
    // A changed image must be re-read before it counts as verified; a gone one is missing.
    verify: scanned.present
      ? same ? previous.verify : null
      : previous?.verify?.status === 'missing' ? previous.verify : { status: 'missing', at: new Date().toISOString(), algorithm: null, detail: 'the image is gone, its record is still there' },
  };
}

/** Unchanged since it was indexed: same file, same size and time, same sidecars. */
export function unchanged(previous: Pick<ArchiveItem, 'present' | 'kind' | 'mtime' | 'size' | 'sidecars'>, scanned: ScannedItem): boolean {
  return (
    previous.present === scanned.present &&
    previous.kind === scanned.kind &&
    previous.mtime === scanned.mtime &&
    (scanned.kind === 'folder' || previous.size === scanned.size) &&
    previous.sidecars.sha256 === scanned.sidecars.sha256 &&
    previous.sidecars.md5 === scanned.sidecars.md5 &&
    previous.sidecars.metadata === scanned.sidecars.metadata
  );
}
