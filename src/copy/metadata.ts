import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { BadRangeSchema, ChecksumsSchema, ChosenMetadataSchema, DiscTypeSchema, writeJsonAtomic } from '../contract/index.js';

export const METADATA_SUFFIX = '.disk2iso.json';
/** Folders of the output directory that hold images (SPEC §5.3). */
export const IMAGE_FOLDERS = ['data', 'dvd', 'bluray', 'audio'] as const;

/** `<image>.disk2iso.json`: what disc an image came from, for duplicate detection and the archive page. */
export const ImageMetadataSchema = z.object({
  /** 1 today; a newer record is read too (its new fields are ignored). */
  schema_version: z.number().int().positive(),
  image: z.string(),
  fingerprint: z.string().nullable(),
  label: z.string().nullable(),
  disc_type: DiscTypeSchema.nullable(),
  created: z.string(),
  bytes: z.number().int().nonnegative(),
  checksums: ChecksumsSchema,
  method: z.string().nullable(),
  result: z.enum(['success', 'degraded']),
  bad_ranges: z.array(BadRangeSchema),
  /** The drive and job that wrote the image, so the history can be rebuilt from the archive; absent in older records. */
  drive_id: z.string().optional(),
  job_id: z.string().optional(),
  started: z.string().optional(),
  /** The metadata the image is named after (issue 13), and its cover's file name beside it; absent in older records. */
  metadata: ChosenMetadataSchema.optional(),
  cover: z.string().nullable().optional(),
});
export type ImageMetadataFile = z.infer<typeof ImageMetadataSchema>;
/** What the caller provides; `schema_version` and `image` (the basename) are filled in. */
export type ImageMetadata = Omit<ImageMetadataFile, 'schema_version' | 'image'>;

export function metadataPath(imagePath: string): string {
  return `${imagePath}${METADATA_SUFFIX}`;
}

export async function writeImageMetadata(imagePath: string, meta: ImageMetadata): Promise<void> {
  const image = imagePath.slice(imagePath.lastIndexOf('/') + 1);
  const file: ImageMetadataFile = ImageMetadataSchema.parse({ schema_version: 1, image, ...meta });
  await writeJsonAtomic(metadataPath(imagePath), file);
}

/** The sidecar of an image, or null when missing or not valid. */
export async function readImageMetadata(imagePath: string): Promise<ImageMetadataFile | null> {
  try {
    const parsed = ImageMetadataSchema.safeParse(JSON.parse(await readFile(metadataPath(imagePath), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * The folders of the output directory that hold images and their records: each image folder, and
 * in `audio/` also its artist folders (`audio/<Artist>/<Album (Year)>`, audio_output folder) —
 * a subfolder with no record of its own beside it. Hidden and leftover (`.part`, `.work`) names
 * are not artists.
 */
export async function recordFolders(outputDir: string): Promise<string[]> {
  const folders: string[] = [];
  for (const folder of IMAGE_FOLDERS) {
    const dir = join(outputDir, folder);
    folders.push(dir);
    if (folder !== 'audio') continue;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const names = new Set(entries.map((e) => e.name));
    for (const entry of entries) {
      const { name } = entry;
      if (!entry.isDirectory() || name.startsWith('.') || /\.(part|work)$/.test(name) || names.has(name + METADATA_SUFFIX)) continue;
      folders.push(join(dir, name));
    }
  }
  return folders;
}

/** Images (or album folders) with a record in `dir`, by name. */
export async function recordedImages(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((n) => n.endsWith(METADATA_SUFFIX))
    .sort()
    .map((name) => join(dir, name.slice(0, -METADATA_SUFFIX.length)));
}

/**
 * An archived image (any image folder, an artist's album folder) whose sidecar has `fingerprint`
 * and whose image still exists; the first by name when there are several.
 */
export async function findArchivedByFingerprint(outputDir: string, fingerprint: string): Promise<string | null> {
  for (const dir of await recordFolders(outputDir)) {
    for (const imagePath of await recordedImages(dir)) {
      const meta = await readImageMetadata(imagePath);
      if (meta?.fingerprint !== fingerprint) continue;
      if (await access(imagePath).then(() => true, () => false)) return imagePath;
    }
  }
  return null;
}
