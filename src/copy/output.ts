import { lstat } from 'node:fs/promises';
import { join, relative, resolve, isAbsolute } from 'node:path';
import type { DiscType } from '../contract/index.js';
import { OutputPathError } from './errors.js';
import { findArchivedByFingerprint, IMAGE_FOLDERS, metadataPath } from './metadata.js';
import { partPaths } from './partial.js';
import { mediaWorkPaths } from './tools/job.js';

export type DuplicatePolicy = 'suffix' | 'skip' | 'overwrite';
/** The archived image (or album folder) of a fingerprint that still exists, or null. */
export type FindArchived = (fingerprint: string) => Promise<string | null>;

/** The duplicate check to use: the one given (the core's index), else a read of the folder's records. */
export function archivedFinder(outputDir: string, given?: FindArchived): FindArchived {
  return given ?? ((fingerprint) => findArchivedByFingerprint(outputDir, fingerprint));
}
export type TargetPlan =
  | { action: 'copy'; targetPath: string; replaces: string | null }
  | { action: 'skip'; existingPath: string };

export interface PlanTargetArgs {
  outputDir: string;
  discType: DiscType;
  /** Already a safe file name (src/disc); checked again here. */
  baseName: string;
  policy: DuplicatePolicy;
  /** Identifies the disc; null when unknown (then an existing name is never replaced). */
  fingerprint: string | null;
  /** Default `.iso`. */
  extension?: string;
  /** A folder between the disc type's folder and the image (an album rip's artist); a safe file name. */
  subfolder?: string;
  /** The duplicate check; default: read the records in the output folder (`findArchivedByFingerprint`). */
  findArchived?: FindArchived;
  /** Hold the name for a copy about to start (until `releaseTarget`), so no other plan picks it meanwhile. */
  claim?: boolean;
}

/** Output folder per disc type (SPEC §5.3). */
export function imageFolderFor(discType: DiscType): (typeof IMAGE_FOLDERS)[number] {
  switch (discType) {
    case 'dvd-video':
      return 'dvd';
    case 'bd-video':
      return 'bluray';
    case 'audio-cd':
      return 'audio';
    case 'cd-rom':
    case 'dvd-rom':
    case 'bd-rom':
    case 'data':
    case 'unknown':
      return 'data';
  }
}

const MAX_SUFFIX = 9999;

/**
 * Where to write the image of a disc. Same fingerprint already archived: `skip` skips,
 * `overwrite` writes over that image (replaced only when the new copy succeeds), `suffix` picks
 * `<base>_1`, `_2`…. A name taken by another (or unknown) disc always gets a suffix.
 */
export async function planTarget(args: PlanTargetArgs): Promise<TargetPlan> {
  const extension = args.extension ?? '.iso';
  checkBaseName(args.outputDir, args.baseName + extension);
  if (args.subfolder !== undefined) checkBaseName(args.outputDir, args.subfolder);
  const folder = join(args.outputDir, imageFolderFor(args.discType), args.subfolder ?? '');
  const existing = args.fingerprint === null ? null : await archivedFinder(args.outputDir, args.findArchived)(args.fingerprint);
  if (existing !== null) {
    if (args.policy === 'skip') return { action: 'skip', existingPath: existing };
    if (args.policy === 'overwrite') return { action: 'copy', targetPath: inside(args, existing), replaces: existing };
  }
  for (let n = 0; n <= MAX_SUFFIX; n++) {
    const candidate = join(folder, `${args.baseName}${n === 0 ? '' : `_${n}`}${extension}`);
    if (claimed.has(candidate) || (await nameTaken(candidate)) || claimed.has(candidate)) continue;
    const targetPath = inside(args, candidate);
    if (args.claim === true) claimed.add(targetPath);
    return { action: 'copy', targetPath, replaces: null };
  }
  throw new OutputPathError(args.outputDir, args.baseName, `more than ${MAX_SUFFIX} images with this name`);
}

function checkBaseName(outputDir: string, fileName: string): void {
  const bad =
    fileName.length === 0 ||
    fileName.startsWith('.') ||
    [...fileName].some((c) => c === '/' || c === '\\' || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f) ||
    Buffer.byteLength(fileName) > 200;
  if (bad) throw new OutputPathError(outputDir, fileName, 'not a safe file name');
}

function inside(args: PlanTargetArgs, path: string): string {
  const rel = relative(resolve(args.outputDir), resolve(path));
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new OutputPathError(args.outputDir, args.baseName, `${path} is outside the output directory`);
  }
  return path;
}

/**
 * Names planned for a copy that has not ended yet, in this process: a copy in progress is
 * recognised by its claim, not by its `.part` (an audio rip's `.part/` folder has nothing else
 * beside it). `releaseTarget` ends the claim.
 */
const claimed = new Set<string>();

/** The copy planned to `targetPath` has ended: its name is no longer held by a claim. */
export function releaseTarget(targetPath: string): void {
  claimed.delete(targetPath);
}

/**
 * A name is taken by an image, a leftover sidecar, or a partial kept for resuming (`.part` with
 * its `.part.map`, or a tool's `.work`). A bare `.part` that no running copy claims is what a
 * failed copy left: its name is free again, and the copy that takes it starts that file over.
 */
async function nameTaken(imagePath: string): Promise<boolean> {
  const { map } = partPaths(imagePath);
  const { work } = mediaWorkPaths(imagePath);
  for (const path of [imagePath, map, work, metadataPath(imagePath)]) {
    if (await lstat(path).then(() => true, () => false)) return true;
  }
  return false;
}
