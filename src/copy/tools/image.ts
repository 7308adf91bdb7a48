import { open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Logger } from '../../log/index.js';
import { outputOp } from '../errors.js';
import type { CopyGuard } from '../guard.js';
import { runTool } from './tool.js';
import { fileBytes, treeBytes } from './tree.js';

export type IsoLayout = 'dvd-video' | 'files';

export interface MakeIsoArgs {
  layout: IsoLayout;
  /** Already an ISO 9660 volume identifier (`isoVolumeId`). */
  volumeId: string;
  sourceDir: string;
  /** Image file written (`<target>.part`). */
  partPath: string;
  guard: CopyGuard;
  logger: Logger;
  /** Bytes written so far, of about `sourceBytes` in total. */
  onBytes: (written: number, sourceBytes: number) => void;
}

/**
 * Writes an ISO image of `sourceDir` with genisoimage: `dvd-video` = the DVD-Video layout
 * (UDF bridge, VIDEO_TS sorted first), `files` = Joliet + Rock Ridge with long names (audio rips).
 * The image is flushed to disk before this returns.
 */
export async function makeIso(args: MakeIsoArgs): Promise<void> {
  const source = resolve(args.sourceDir);
  const part = resolve(args.partPath);
  const sourceBytes = await treeBytes(source);
  const layout = args.layout === 'dvd-video' ? ['-dvd-video'] : ['-J', '-joliet-long', '-r', '-input-charset', 'utf-8'];
  await runTool(
    {
      tool: 'genisoimage',
      args: ['-quiet', ...layout, '-V', args.volumeId, '-o', part, source],
      purpose: 'writing the ISO image',
      failReason: 'io_error',
      outputDir: dirname(part),
      probe: () => fileBytes(part),
      onProbe: (written) => args.onBytes(written, sourceBytes),
    },
    args.guard,
    args.logger,
  );
  await syncFile(part);
  args.guard.activity();
}

/** fsync, so a crash after the rename never leaves a final name on a half-written image. */
async function syncFile(path: string): Promise<void> {
  const handle = await outputOp('open', path, () => open(path, 'r+'));
  try {
    await outputOp('sync', path, () => handle.datasync());
  } finally {
    await handle.close();
  }
}

/** xorriso's report lines about metadata only (modes, times, owners): a copy need not keep them. */
const METADATA_ONLY = /^(st_mode|st_[amc]time|st_uid|st_gid|st_ino|st_dev|st_nlink|ACL|xattr|dev_t|inode)/;
const REPORT_LINE = /^[-?] '(.*)' +\((?:DISK|ISO)\) +: +(.*)$/;

/**
 * Compares every file of `sourceDir` with the same file inside the image (xorriso -compare_r,
 * which reads both). Resolves the differences in content, size or presence; empty = identical.
 */
export async function compareImageWithFolder(
  imagePath: string,
  sourceDir: string,
  guard: CopyGuard,
  logger: Logger,
  /** About how many bytes of the image were compared (xorriso reads both sides: half its reads). */
  onBytes?: (compared: number) => void,
): Promise<string[]> {
  const differences: string[] = [];
  let sawVerdict = false;
  await runTool(
    {
      tool: 'xorriso',
      args: ['-abort_on', 'NEVER', '-indev', resolve(imagePath), '-compare_r', resolve(sourceDir), '/'],
      purpose: 'verifying the image',
      failReason: 'verify_mismatch',
      outputDir: dirname(resolve(imagePath)),
      onReadBytes: (read) => onBytes?.(Math.floor(read / 2)),
      onLine: (line) => {
        if (/Differences detected|match as far as expectable/.test(line)) sawVerdict = true;
        const match = REPORT_LINE.exec(line);
        if (match && !METADATA_ONLY.test(match[2] ?? '')) differences.push(`${match[1] ?? '?'}: ${match[2] ?? ''}`.trim());
        return true;
      },
    },
    guard,
    logger,
  );
  if (!sawVerdict && differences.length === 0) differences.push('xorriso gave no comparison result');
  return differences;
}
