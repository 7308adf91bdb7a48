import { access, realpath } from 'node:fs/promises';
import { basename, join } from 'node:path';

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
  if (dirs) return findLibdvdcss(dirs).then((found) => found !== null);
  cached ??= findLibdvdcss(LIBRARY_DIRS).then((found) => found !== null);
  return cached;
}

/**
 * The first `libdvdcss.so.2` in `dirs`, with its version read from the file the link points to
 * (`libdvdcss.so.2.2.0` → `2.2.0`; just `2` when it is not a link); null when there is none.
 */
export async function findLibdvdcss(dirs: readonly string[]): Promise<{ path: string; version: string } | null> {
  for (const dir of dirs) {
    const path = join(dir, LIBRARY);
    const found = await access(path).then(
      () => true,
      () => false,
    );
    if (!found) continue;
    const real = basename(await realpath(path).catch(() => path));
    const version = /\.so\.(\d+(?:\.\d+)*)$/.exec(real)?.[1] ?? '2';
    return { path, version };
  }
  return null;
}

/**
 * The method recorded for a decrypted backup: `dvdbackup`, or `dvdbackup (libdvdcss)` when it can
 * decrypt. The machine takes this path when `dvd_video_mode` is `decrypt`, dvdbackup and
 * genisoimage are installed and the disc is either unencrypted or libdvdcss is there.
 */
export function dvdBackupMethod(withLibdvdcss: boolean): string {
  return withLibdvdcss ? 'dvdbackup (libdvdcss)' : 'dvdbackup';
}
