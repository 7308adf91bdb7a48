import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** Vendor and model strings as the kernel reports them from the drive's INQUIRY data. */
export interface SysfsIdentity {
  readonly vendor: string | null;
  readonly model: string | null;
}

/** Major and minor number of a Linux dev_t (glibc's gnu_dev_major/minor). */
export function splitDevT(rdev: number): { major: number; minor: number } {
  const high = Math.floor(rdev / 2 ** 32);
  const low = rdev % 2 ** 32;
  return {
    major: ((low >>> 8) & 0xfff) | ((high & 0xfffff000) >>> 0),
    minor: (low & 0xff) | ((low >>> 12) & 0xfff00),
  };
}

/** Printable ASCII, trimmed and bounded: the drive's firmware is not trusted to be tidy. */
export function cleanInquiryString(raw: string): string | null {
  const text = raw.replace(/[^\x20-\x7e]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 64);
  return text === '' ? null : text;
}

async function readAttribute(file: string): Promise<string | null> {
  try {
    return cleanInquiryString(await readFile(file, 'latin1'));
  } catch {
    return null;
  }
}

/**
 * Vendor and model of the drive behind `devicePath` (which may be a symlink such as /dev/cdrom):
 * `<sysfs>/dev/block/<major>:<minor>/device/{vendor,model}`, falling back to
 * `<sysfs>/block/<name>/device/…`. Nulls when the device or the attributes are missing.
 */
export async function readSysfsIdentity(devicePath: string, sysfsRoot = '/sys'): Promise<SysfsIdentity> {
  const candidates: string[] = [];
  try {
    const info = await stat(devicePath);
    if (info.isBlockDevice()) {
      const { major, minor } = splitDevT(info.rdev);
      candidates.push(join(sysfsRoot, 'dev', 'block', `${major}:${minor}`, 'device'));
    }
    candidates.push(join(sysfsRoot, 'block', basename(await realpath(devicePath)), 'device'));
  } catch {
    candidates.push(join(sysfsRoot, 'block', basename(devicePath), 'device'));
  }
  for (const dir of candidates) {
    const [vendor, model] = await Promise.all([readAttribute(join(dir, 'vendor')), readAttribute(join(dir, 'model'))]);
    if (vendor !== null || model !== null) return { vendor, model };
  }
  return { vendor: null, model: null };
}
