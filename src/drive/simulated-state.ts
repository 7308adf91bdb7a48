import { mkdir, readdir, readFile, rename, rm, symlink, unlink } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../contract/index.js';

/**
 * The state of a simulated drive lives in a folder, so tests, the demo and other processes can
 * steer it without an API: `tray/` holds the inserted image (a symlink), `state.json` the rest.
 */
export const SimStateSchema = z.object({
  unplugged: z.boolean().default(false),
  tray_open: z.boolean().default(false),
  /** Read throttle; 0 = as fast as the disk. */
  bytes_per_second: z.number().nonnegative().default(0),
  /** 2048-byte sectors that fail with EIO. */
  bad_sectors: z.array(z.number().int().nonnegative()).default([]),
  /** Reads at or after this byte do not return until this is cleared or moved past them (a hung drive). */
  hang_at_byte: z.number().int().nonnegative().nullable().default(null),
  /**
   * Like the Linux reader's read time-out: a hung read rejects with ETIMEDOUT after this many
   * milliseconds, and later reads fail fast with ETIMEDOUT until it has returned. 0 = wait forever.
   */
  read_timeout_ms: z.number().int().nonnegative().default(0),
  /** The eject command fails and the disc stays in. */
  eject_fails: z.boolean().default(false),
  vendor: z.string().default('disk2iso'),
  model: z.string().default('Simulated DVD-RW'),
});
export type SimState = z.infer<typeof SimStateSchema>;

function simPaths(folder: string) {
  return {
    tray: join(folder, 'tray'),
    ejected: join(folder, 'ejected'),
    state: join(folder, 'state.json'),
  };
}

export async function readSimState(folder: string): Promise<SimState> {
  try {
    const parsed = SimStateSchema.safeParse(JSON.parse(await readFile(simPaths(folder).state, 'utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // missing or torn state.json: defaults
  }
  return SimStateSchema.parse({});
}

/** The image currently in the tray, or null. */
export async function trayImage(folder: string): Promise<string | null> {
  try {
    const names = (await readdir(simPaths(folder).tray)).filter((n) => !n.startsWith('.')).sort();
    return names[0] === undefined ? null : join(simPaths(folder).tray, names[0]);
  } catch {
    return null;
  }
}

export async function updateSimState(folder: string, patch: Partial<SimState>): Promise<SimState> {
  const next = { ...(await readSimState(folder)), ...patch };
  await mkdir(folder, { recursive: true });
  await writeJsonAtomic(simPaths(folder).state, next);
  return next;
}

/** Puts `imagePath` into the tray (replacing any disc) and closes the tray. */
export async function simInsert(folder: string, imagePath: string, patch: Partial<SimState> = {}): Promise<void> {
  const { tray } = simPaths(folder);
  await mkdir(tray, { recursive: true });
  await simRemoveDisc(folder);
  await updateSimState(folder, { bad_sectors: [], hang_at_byte: null, ...patch, tray_open: false });
  const temp = join(folder, `.insert-${process.pid}-${Date.now()}`);
  await symlink(resolve(imagePath), temp);
  await rename(temp, join(tray, basename(imagePath).replace(/^\.+/, '') || 'disc.iso'));
}

/** Takes the disc out of the tray (into `ejected/`), leaving the tray as it is. */
export async function simRemoveDisc(folder: string): Promise<string | null> {
  const image = await trayImage(folder);
  if (!image) return null;
  const { ejected } = simPaths(folder);
  await mkdir(ejected, { recursive: true });
  const target = join(ejected, basename(image));
  await unlink(target).catch(() => undefined);
  await rename(image, target);
  return target;
}

export async function simReset(folder: string): Promise<void> {
  await rm(folder, { recursive: true, force: true });
  await mkdir(simPaths(folder).tray, { recursive: true });
  await updateSimState(folder, {});
}
