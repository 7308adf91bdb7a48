import { readdir, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from '../log/index.js';
import { settleWithin } from './guard.js';
import type { MapSaver } from './map-store.js';
import { sidecarPaths } from './sidecars.js';

/** Cleanup waits at most this long for a stuck write, close or mapfile save. */
const CLEANUP_WAIT_MS = 700;

/** Work files of a copy to `targetPath`: the image being written and its ddrescue mapfile. */
export function partPaths(targetPath: string): { part: string; map: string } {
  return { part: `${targetPath}.part`, map: `${targetPath}.part.map` };
}

/** Removes an interrupted copy's `.part` and `.part.map` (start-up reconciliation, cancel). */
export async function discardPartial(targetPath: string): Promise<void> {
  const { part, map } = partPaths(targetPath);
  await Promise.all([rm(part, { force: true }), rm(map, { force: true }), removeMapTemps(targetPath)]);
}

/** Temp files of an atomic mapfile save that a killed process left behind (`.<name>.part.map.<pid>.<n>.tmp`). */
export async function removeMapTemps(targetPath: string): Promise<void> {
  const prefix = `.${basename(targetPath)}.part.map.`;
  const names = await readdir(dirname(targetPath)).catch(() => [] as string[]);
  const temps = names.filter((n) => n.startsWith(prefix) && n.endsWith('.tmp'));
  await Promise.all(temps.map((n) => rm(join(dirname(targetPath), n), { force: true })));
}

/**
 * After an abort that keeps the partial output: flushes its data to disk and closes it, then saves
 * the mapfile one last time (bounded). Data before map, so the map never claims bytes a power cut
 * would lose.
 */
export async function keepOutput(out: FileHandle | null, saver: MapSaver | null): Promise<void> {
  if (out) await settleWithin(out.datasync().catch(() => undefined).then(() => out.close()), CLEANUP_WAIT_MS);
  if (saver) {
    await settleWithin(saver.flush(), CLEANUP_WAIT_MS);
    await settleWithin(saver.close(), CLEANUP_WAIT_MS);
  }
}

/**
 * After a failed copy: closes the output (bounded: close waits for pending writes, which may
 * hang), stops the mapfile saver, removes `.part` and `.map`, and the image and its sidecars
 * too when the failure came after the rename.
 */
export async function removeOutput(args: {
  out: FileHandle | null;
  saver: MapSaver | null;
  targetPath: string;
  published: boolean;
  logger: Logger;
}): Promise<void> {
  const { map } = partPaths(args.targetPath);
  if (args.out) await settleWithin(args.out.close(), CLEANUP_WAIT_MS);
  if (args.saver) {
    const closed = args.saver.close();
    await settleWithin(closed, CLEANUP_WAIT_MS);
    // A save still in flight would recreate the mapfile: remove it again once it has landed.
    closed.finally(() => rm(map, { force: true })).catch(() => undefined);
  }
  await discardPartial(args.targetPath).catch((e: unknown) => {
    args.logger.warn({ err: e }, 'could not remove the partial image');
  });
  if (args.published) {
    const paths = [args.targetPath, ...sidecarPaths(args.targetPath)];
    await Promise.all(paths.map((p) => rm(p, { force: true }).catch(() => undefined)));
  }
}
