import { access } from 'node:fs/promises';
import { join } from 'node:path';

/** Where distributions install shared libraries (Debian multiarch, Alpine, /usr/local builds). */
export const LIBRARY_DIRS: readonly string[] = [
  '/usr/lib',
  '/usr/lib64',
  '/lib',
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/local/lib',
];
const LIBRARY = 'libdvdcss.so.2';

let cached: Promise<boolean> | null = null;

/**
 * True when libdvdcss (which libdvdread loads at run time to decrypt CSS) is installed. Looks
 * for `libdvdcss.so.2` in the usual library folders without spawning a process; the answer for
 * the default folders is cached for the life of the process.
 */
export function libdvdcssAvailable(dirs?: readonly string[]): Promise<boolean> {
  if (dirs) return findLibrary(dirs);
  cached ??= findLibrary(LIBRARY_DIRS);
  return cached;
}

async function findLibrary(dirs: readonly string[]): Promise<boolean> {
  const found = await Promise.all(dirs.map((dir) => access(join(dir, LIBRARY)).then(() => true, () => false)));
  return found.includes(true);
}

/**
 * The method recorded for a decrypted backup: `dvdbackup`, or `dvdbackup (libdvdcss)` when it can
 * decrypt. The machine takes this path when `dvd_video_mode` is `decrypt` and the drive has a
 * device path; an unencrypted disc backs up without libdvdcss, a CSS-encrypted one needs it.
 */
export function dvdBackupMethod(withLibdvdcss: boolean): string {
  return withLibdvdcss ? 'dvdbackup (libdvdcss)' : 'dvdbackup';
}
