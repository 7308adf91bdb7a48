import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LookupContext } from './fetch-json.js';
import { getBounded, LookupError } from './http.js';

/** A cover larger than this is not one we keep (front-250 / w342 images are 20–80 kB). */
export const MAX_COVER_BYTES = 5 * 1024 * 1024;

export type ImageExtension = 'jpg' | 'png' | 'webp';

/** JPEG, PNG or WebP by its first bytes; null for anything else (HTML, a script, a truncated file). */
export function imageKind(bytes: Buffer): ImageExtension | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return null;
}

/**
 * The image at `url` (from the cache when fetched before): checked to be a JPEG, PNG or WebP by its
 * magic bytes and at most 5 MB; null for anything else (404, not an image, too large, offline).
 */
export async function fetchCover(ctx: LookupContext, url: string): Promise<{ bytes: Buffer; ext: ImageExtension } | null> {
  const cached = await ctx.cache?.cover(url);
  if (cached) {
    const ext = imageKind(cached);
    if (ext) return { bytes: cached, ext };
  }
  try {
    const answer = await getBounded(url, { service: 'cover', userAgent: ctx.userAgent, timeoutMs: ctx.timeoutMs, maxBytes: MAX_COVER_BYTES, signal: ctx.signal, accept: 'image/*' });
    if (answer.status !== 200) return null;
    const ext = imageKind(answer.body);
    if (!ext) {
      ctx.logger.warn({ url, contentType: answer.contentType }, 'cover at %s is not a JPEG, PNG or WebP image; not used', url);
      return null;
    }
    await ctx.cache?.putCover(url, answer.body);
    return { bytes: answer.body, ext };
  } catch (error) {
    ctx.logger.warn({ url, reason: error instanceof LookupError ? error.reason : 'error' }, 'cover not fetched: %s', error instanceof Error ? error.message : String(error));
    return null;
  }
}

/** Writes a checked image as `<dir>/<stem>.<ext>` (atomically); the file name. */
export async function storeCover(dir: string, stem: string, image: { bytes: Buffer; ext: ImageExtension }): Promise<string> {
  await mkdir(dir, { recursive: true });
  const name = `${stem}.${image.ext}`;
  const tmp = join(dir, `.${name}.tmp`);
  await writeFile(tmp, image.bytes);
  await rename(tmp, join(dir, name));
  return name;
}

/** Empties a drive's covers folder (a new disc, the disc left). */
export async function clearCovers(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true }).catch(() => undefined);
}
