import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { writeFileAtomic } from '../contract/index.js';
import type { ChecksumAlgorithm, ChecksumValues } from './types.js';

const ALGORITHMS: readonly ChecksumAlgorithm[] = ['sha256', 'md5'];

/**
 * One line as `sha256sum`/`md5sum` print it. A name with a backslash or newline is escaped the
 * way coreutils does (leading `\`), so `-c` still finds the file.
 */
export function checksumLine(hex: string, fileName: string): string {
  if (!/[\\\n\r]/.test(fileName)) return `${hex}  ${fileName}\n`;
  const escaped = fileName.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `\\${hex}  ${escaped}\n`;
}

/**
 * Writes `<image>.sha256` / `<image>.md5` (checkable with `sha256sum -c` / `md5sum -c` from the
 * image's folder), atomically, and removes the sidecar of an algorithm not given, so an
 * overwritten image never keeps a stale checksum. Returns the files written.
 */
export async function writeChecksumSidecars(imagePath: string, checksums: ChecksumValues): Promise<string[]> {
  const written: string[] = [];
  for (const algorithm of ALGORITHMS) {
    const path = `${imagePath}.${algorithm}`;
    const hex = checksums[algorithm];
    if (hex === undefined) {
      await rm(path, { force: true });
      continue;
    }
    await writeFileAtomic(path, checksumLine(hex, basename(imagePath)));
    written.push(path);
  }
  return written;
}

/** Every sidecar path disk2iso may write next to an image. */
export function sidecarPaths(imagePath: string): string[] {
  return [...ALGORITHMS.map((a) => `${imagePath}.${a}`), `${imagePath}.disk2iso.json`];
}
