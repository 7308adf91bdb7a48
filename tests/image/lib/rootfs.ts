import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { REPO } from '../../hardware/lib/rig.js';

export const IMAGE_WORK = join(REPO, 'tests/image/work');
const GUEST = join(REPO, 'tests/image/guest');

/** What ghcr.io/home-assistant/base-debian:trixie adds to debian:trixie-slim (its debian/Dockerfile). */
const BASE_DEBIAN_PACKAGES = ['bash', 'jq', 'tzdata', 'curl', 'ca-certificates', 'xz-utils'] as const;

/**
 * Guest-only packages, installed after the image's size is taken: AppArmor's parser and aa-exec
 * (the host side of Docker's profile handling), s6 for the stand-in init, a broker in the role of
 * the Mosquitto add-on, `ip` and `mount` for the guest's own set-up. None of them is in the shipped image.
 */
const RIG_PACKAGES = ['apparmor', 's6', 'mosquitto', 'iproute2', 'mount'] as const;

/** Like debian:trixie-slim, documentation is not installed. */
const SLIM_EXCLUDES = ['/usr/share/doc/*', '/usr/share/man/*', '/usr/share/info/*', '/usr/share/lintian/*'];

/** The image's runtime packages, read through the same script the Dockerfile uses. */
async function imagePackages(): Promise<string[]> {
  const { stdout } = await execa(join(REPO, 'scripts/image-packages.sh'), [join(REPO, 'image/packages.txt')]);
  return stdout.split('\n').filter(Boolean);
}

export interface ImageRootfs {
  /** The unpacked root filesystem (image and rig packages, the staged app, the stand-ins). */
  readonly dir: string;
  /** Bytes of the image's Debian part (base-debian's packages and image/packages.txt). */
  readonly packagesBytes: number;
  /** Bytes of /app (dist and production node_modules). */
  readonly appBytes: number;
  readonly packages: readonly string[];
}

async function duBytes(path: string, exclude: readonly string[] = []): Promise<number> {
  const { stdout } = await execa('du', ['-sbx', ...exclude.map((e) => `--exclude=${e}`), path]);
  return Number(stdout.split('\t')[0]);
}

/**
 * The Debian part of the image, made by mmdebstrap from base-debian's packages and
 * image/packages.txt, with the rig's packages added in a later hook (its size is taken before
 * them). Cached as a tarball under tests/image/work/cache by the hash of everything that goes in.
 */
async function debianTarball(packages: readonly string[]): Promise<{ tarball: string; packagesBytes: number }> {
  const include = [...BASE_DEBIAN_PACKAGES, ...packages];
  const key = createHash('sha256').update(JSON.stringify({ include, RIG_PACKAGES, SLIM_EXCLUDES, v: 1 })).digest('hex').slice(0, 16);
  const cache = join(IMAGE_WORK, 'cache');
  const tarball = join(cache, `trixie-${key}.tar`);
  const sizeFile = `${tarball}.size`;
  if (existsSync(tarball) && existsSync(sizeFile)) return { tarball, packagesBytes: Number(await readFile(sizeFile, 'utf8')) };
  await mkdir(cache, { recursive: true });
  const partial = `${tarball}.part`;
  await execa(
    'mmdebstrap',
    [
      '--mode=root',
      '--variant=apt',
      '--format=tar',
      `--include=${include.join(',')}`,
      ...SLIM_EXCLUDES.map((path) => `--dpkgopt=path-exclude=${path}`),
      // The image's size: before the rig's packages, without apt's lists and caches.
      `--customize-hook=du -sbx --exclude=var/lib/apt/lists --exclude=var/cache/apt "$1" | cut -f1 > ${sizeFile}`,
      `--customize-hook=chroot "$1" apt-get install -y --no-install-recommends ${RIG_PACKAGES.join(' ')}`,
      'trixie',
      partial,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'], timeout: 900_000 },
  );
  await rename(partial, tarball);
  return { tarball, packagesBytes: Number(await readFile(sizeFile, 'utf8')) };
}

/** Writes a guest file, making its folder. */
async function put(root: string, path: string, content: string | Buffer, mode = 0o644): Promise<void> {
  await mkdir(join(root, path, '..'), { recursive: true });
  await writeFile(join(root, path), content);
  await chmod(join(root, path), mode);
}

/**
 * Builds the root filesystem the image test boots: Debian (mmdebstrap, cached), the app staged
 * by scripts/stage-image.sh (the script of the Dockerfile's build stage), s6-overlay's stand-ins
 * and the rig's agent. Returns it with the image's sizes.
 */
export async function buildImageRootfs(): Promise<ImageRootfs> {
  const packages = await imagePackages();
  const { tarball, packagesBytes } = await debianTarball(packages);
  const dir = join(IMAGE_WORK, 'rootfs');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await execa('tar', ['-xf', tarball, '-C', dir, '--numeric-owner']);

  await execa('bash', [join(REPO, 'scripts/stage-image.sh'), dir], { stdio: ['ignore', 'inherit', 'inherit'] });
  const appBytes = await duBytes(join(dir, 'app'));

  // s6-overlay's entry and helpers, at s6-overlay's paths (docs/image.md says what they leave out).
  await cp(join(GUEST, 'standin/init'), join(dir, 'init'));
  await put(dir, 'command/with-contenv', await readFile(join(GUEST, 'standin/with-contenv')), 0o755);
  await put(dir, 'package/admin/s6-overlay-standin/bin/halt', await readFile(join(GUEST, 'standin/halt')), 0o755);
  await chmod(join(dir, 'init'), 0o755);
  // Docker's /etc/hosts of an add-on on the hassio network, with the broker add-on's name.
  await put(dir, 'etc/hosts', '127.0.0.1\tlocalhost supervisor core-mosquitto\n::1\tlocalhost\n');
  await put(dir, 'etc/hostname', 'disk2iso\n');
  await put(dir, 'rig/rig-init', await readFile(join(GUEST, 'rig-init')), 0o755);
  await put(dir, 'rig/agent.mjs', await readFile(join(GUEST, 'agent.mjs')));
  await put(dir, 'rig/mosquitto.conf', await readFile(join(GUEST, 'mosquitto.conf')));
  for (const path of ['data', 'media', 'share', 'mnt/state']) await mkdir(join(dir, path), { recursive: true });
  return { dir, packagesBytes, appBytes, packages };
}

/** An ext4 filesystem image of `dir` (mkfs.ext4 -d: no mount, no loop device). */
export async function ext4Image(dir: string, image: string, label: string, minBytes = 0): Promise<string> {
  const bytes = Math.max(minBytes, Math.ceil(((await duBytes(dir)) * 1.3 + 128 * 2 ** 20) / 2 ** 20) * 2 ** 20);
  await rm(image, { force: true });
  await execa('truncate', ['-s', String(bytes), image]);
  await execa('mkfs.ext4', ['-q', '-F', '-L', label, '-E', 'root_owner=0:0', '-d', dir, image]);
  return image;
}

/** Size of a file in MiB, one decimal. */
export async function mebibytes(path: string): Promise<string> {
  return ((await stat(path)).size / 2 ** 20).toFixed(1);
}
