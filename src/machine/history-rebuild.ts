import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DriveIdSchema, type HistoryEntry } from '../contract/index.js';
import { readImageMetadata, recordedImages, recordFolders, type ImageMetadataFile } from '../copy/index.js';

/** Drive id of a record written before records named their drive. */
const UNKNOWN_DRIVE = 'archive';

const SECTOR = 2048;

function entryOf(imagePath: string, record: ImageMetadataFile): HistoryEntry {
  const finished = record.created;
  const started = record.started ?? finished;
  const durationS = Math.max(0, (Date.parse(finished) - Date.parse(started)) / 1000) || 0;
  const badSectors = record.bad_ranges.reduce((sum, [start, end]) => sum + Math.ceil(Math.max(0, end - start) / SECTOR), 0);
  const drive = DriveIdSchema.safeParse(record.drive_id);
  return {
    id: record.job_id ?? `archive:${imagePath}`,
    drive_id: drive.success ? drive.data : UNKNOWN_DRIVE,
    disc_label: record.label,
    disc_type: record.disc_type,
    fingerprint: record.fingerprint,
    result: record.result,
    method: record.method,
    started,
    finished,
    duration_s: Math.round(durationS * 10) / 10,
    bytes: record.bytes,
    avg_speed_bytes_per_s: durationS > 0 ? Math.round(record.bytes / durationS) : 0,
    image_path: imagePath,
    checksums: record.checksums,
    bad_sectors: badSectors,
    bad_ranges: record.bad_ranges,
    error_message: null,
    ...(record.metadata ? { metadata: record.metadata, cover_path: coverPathOf(imagePath, record.cover ?? null) } : {}),
  };
}

/** The cover a record names: beside the image, or inside an album folder; never outside either. */
function coverPathOf(imagePath: string, cover: string | null): string | null {
  if (cover === null || !/^[^/\\]+\.(jpg|png|webp)$/.test(cover) || cover.startsWith('.')) return null;
  return /^folder\.(jpg|png|webp)$/.test(cover) ? join(imagePath, cover) : join(dirname(imagePath), cover);
}

/**
 * History entries rebuilt from the `.disk2iso.json` records next to the images in the output
 * folder (the archive is its own source of truth), newest first. A record whose image is gone
 * or that cannot be read is skipped.
 */
export async function historyFromRecords(outputDir: string): Promise<HistoryEntry[]> {
  const entries: HistoryEntry[] = [];
  // Each image folder, and the artist folders of album rips (`audio/<Artist>/<Album (Year)>`).
  for (const folder of await recordFolders(outputDir)) {
    const images = await recordedImages(folder);
    // A few records at a time: an archive of thousands is read in seconds, not one file after another.
    for (let i = 0; i < images.length; i += 32) {
      const batch = await Promise.all(
        images.slice(i, i + 32).map(async (imagePath) => {
          const record = await readImageMetadata(imagePath);
          return record && (await access(imagePath).then(() => true, () => false)) ? entryOf(imagePath, record) : null;
        }),
      );
      for (const entry of batch) if (entry) entries.push(entry);
    }
  }
  // ISO timestamps: code-unit order is time order (localeCompare would load ICU's collation tables).
  return entries.sort((a, b) => (a.finished < b.finished ? 1 : a.finished > b.finished ? -1 : 0));
}
