import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoverFileSchema } from '../contract/index.js';
import { nfoXml } from '../metadata/index.js';
import type { Logger } from '../log/index.js';
import { errorMessage } from '../util/errors.js';
import type { AnalyzedDisc } from './analyze.js';
import { namesFromMetadata } from './metadata-choice.js';

/**
 * Where an image's cover and NFO go: inside an album folder `folder.<ext>` and `album.nfo` (what
 * Jellyfin and Kodi look for there), beside an image `<name>.<ext>` and `<name>.nfo`.
 */
function extrasPaths(imagePath: string, isFolder: boolean, coverExt: string): { cover: string; nfo: string } {
  if (isFolder) return { cover: join(imagePath, `folder.${coverExt}`), nfo: join(imagePath, 'album.nfo') };
  const stem = imagePath.replace(/\.iso$/i, '');
  return { cover: `${stem}.${coverExt}`, nfo: `${stem}.nfo` };
}

/**
 * The chosen cover (from the drive's covers folder) and an NFO next to a finished image; the
 * cover's path, or null. A failure here is logged, never a failed job.
 */
export async function writeArchiveExtras(imagePath: string, isFolder: boolean, disc: AnalyzedDisc, coversDir: string, logger: Logger): Promise<string | null> {
  const m = disc.metadata ?? null;
  if (!m) return null;
  let coverPath: string | null = null;
  const coverFile = CoverFileSchema.safeParse(m.cover_file);
  if (coverFile.success) {
    const ext = coverFile.data.slice(coverFile.data.lastIndexOf('.') + 1);
    const target = extrasPaths(imagePath, isFolder, ext).cover;
    coverPath = await copyFile(join(coversDir, coverFile.data), target).then(
      () => target,
      (error: unknown) => {
        logger.warn({ err: errorMessage(error) }, 'the cover was not saved next to the image');
        return null;
      },
    );
  }
  if (namesFromMetadata(m)) {
    const kind = m.kind ?? (disc.type === 'audio-cd' ? 'album' : 'movie');
    const xml = nfoXml({ kind, title: m.title, year: m.year, artist: m.artist, plot: disc.plot ?? null, sourceId: m.source_id });
    await writeFile(extrasPaths(imagePath, isFolder, 'jpg').nfo, xml).catch((error: unknown) => logger.warn({ err: errorMessage(error) }, 'the NFO was not written'));
  }
  return coverPath;
}
