import { chmod, copyFile, cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { execa } from 'execa';

/** Kernel modules the guest needs (dependencies are added from modules.dep). */
const GUEST_MODULES = ['sr_mod', 'virtio_pci', 'virtio_scsi', 'virtio_net'] as const;

export interface GuestKernel {
  readonly image: string;
  readonly version: string;
  readonly modulesDir: string;
}

/** Debian's cloud kernel (boots in ~2 s under TCG): the newest /boot/vmlinuz-*-cloud-amd64. */
export async function findCloudKernel(): Promise<GuestKernel> {
  const names = (await readdir('/boot')).filter((n) => /^vmlinuz-.*-cloud-amd64$/.test(n)).sort();
  const name = names.at(-1);
  if (name === undefined) throw new Error('no /boot/vmlinuz-*-cloud-amd64: apt-get install linux-image-cloud-amd64');
  const version = name.slice('vmlinuz-'.length);
  return { image: join('/boot', name), version, modulesDir: join('/lib/modules', version) };
}

/** The module files for `names` and their dependencies, in load order (dependencies first). */
export async function resolveModules(modulesDir: string, names: readonly string[]): Promise<string[]> {
  const deps = new Map<string, string[]>();
  for (const line of (await readFile(join(modulesDir, 'modules.dep'), 'utf8')).split('\n')) {
    const [file, rest] = line.split(':');
    if (file === undefined || rest === undefined) continue;
    deps.set(file, rest.trim() === '' ? [] : rest.trim().split(/\s+/));
  }
  const byName = new Map<string, string>();
  for (const file of deps.keys()) byName.set(file.replace(/^.*\//, '').replace(/\.ko(\.\w+)?$/, '').replace(/-/g, '_'), file);
  const ordered: string[] = [];
  const visit = (file: string): void => {
    if (ordered.includes(file)) return;
    for (const dep of deps.get(file) ?? []) visit(dep);
    ordered.push(file);
  };
  for (const name of names) {
    const file = byName.get(name);
    if (file === undefined) throw new Error(`kernel module ${name} not in ${modulesDir}/modules.dep (built in?)`);
    visit(file);
  }
  return ordered;
}

export async function copyModule(modulesDir: string, file: string, targetDir: string): Promise<string> {
  const base = file.replace(/^.*\//, '');
  const source = join(modulesDir, file);
  if (base.endsWith('.ko')) {
    await copyFile(source, join(targetDir, base));
    return base;
  }
  const plain = base.replace(/\.ko\.\w+$/, '.ko');
  const tool = base.endsWith('.xz') ? 'xz' : base.endsWith('.zst') ? 'zstd' : 'gzip';
  await execa(tool, ['-dc', source], { stdout: { file: join(targetDir, plain) }, buffer: false });
  return plain;
}

/** The shared libraries `ldd` lists for a binary (absolute paths, symlinks resolved on copy). */
async function sharedLibraries(binary: string): Promise<string[]> {
  const { stdout, exitCode } = await execa('ldd', [binary], { reject: false });
  if (exitCode !== 0) return [];
  return [...stdout.matchAll(/(\/\S+)/g)].map((m) => m[1]!).filter((p) => !p.startsWith('/proc'));
}

async function copyInto(root: string, file: string): Promise<void> {
  await mkdir(join(root, dirname(file)), { recursive: true });
  await cp(file, join(root, file), { dereference: true });
}

export interface InitramfsOptions {
  readonly workDir: string;
  readonly kernel: GuestKernel;
  /** Directories copied into the guest: guest path → host path. */
  readonly trees?: Readonly<Record<string, string>>;
  /** Files written into the guest: guest path → content. */
  readonly files?: Readonly<Record<string, string>>;
  /** Shell run by /init once the guest is up (foreground; the guest powers off after it). */
  readonly start: string;
}

const INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin HOME=/root
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /tmp /root /data/api /media/disk2iso /srv
while read m; do insmod "/lib/rig-modules/$m" || echo "RIG: insmod $m failed"; done < /lib/rig-modules/order
i=0; while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
ln -s /data/api /srv/api
ln -s /media/disk2iso /srv/out
httpd -p 8080 -h /srv
echo "RIG: ready uptime=$(cut -d' ' -f1 /proc/uptime)"
sh /rig/start.sh
echo "RIG: exited status=$?"
sync
poweroff -f
`;

/**
 * Builds an uncompressed newc initramfs (the kernel unpacks it faster than a gzip one under TCG):
 * busybox-static, the host's node with its shared libraries, the cloud kernel's modules and the
 * given trees and files, with /init above. Returns the cpio path.
 */
export async function buildInitramfs(options: InitramfsOptions): Promise<string> {
  const root = join(options.workDir, 'rootfs');
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  for (const dir of ['bin', 'usr/bin', 'proc', 'sys', 'dev', 'tmp', 'rig', 'lib/rig-modules']) await mkdir(join(root, dir), { recursive: true });

  const busybox = (await execa('sh', ['-c', 'command -v busybox'])).stdout.trim();
  if ((await sharedLibraries(busybox)).length > 0) throw new Error(`${busybox} is dynamically linked: apt-get install busybox-static`);
  await copyFile(busybox, join(root, 'bin/busybox'));

  await copyFile(process.execPath, join(root, 'usr/bin/node'));
  for (const lib of await sharedLibraries(process.execPath)) await copyInto(root, lib);

  const modules = await resolveModules(options.kernel.modulesDir, GUEST_MODULES);
  const order: string[] = [];
  for (const file of modules) order.push(await copyModule(options.kernel.modulesDir, file, join(root, 'lib/rig-modules')));
  await writeFile(join(root, 'lib/rig-modules/order'), `${order.join('\n')}\n`);

  for (const [guest, host] of Object.entries(options.trees ?? {})) {
    await mkdir(dirname(join(root, guest)), { recursive: true });
    await cp(host, join(root, guest), { recursive: true, dereference: false, verbatimSymlinks: true });
  }
  for (const [guest, content] of Object.entries(options.files ?? {})) {
    await mkdir(dirname(join(root, guest)), { recursive: true });
    await writeFile(join(root, guest), content);
  }
  await writeFile(join(root, 'rig/start.sh'), `${options.start}\n`);
  await writeFile(join(root, 'init'), INIT);
  await chmod(join(root, 'init'), 0o755);

  const list = (await execa('find', ['.'], { cwd: root })).stdout;
  const cpio = join(options.workDir, 'initramfs.cpio');
  await execa('cpio', ['-o', '-H', 'newc', '-R', '0:0', '--quiet', '-F', cpio], { cwd: root, input: `${list}\n` });
  await rm(root, { recursive: true, force: true });
  return cpio;
}

/** The production dependencies' folders (relative to the repository), for the guest's node_modules. */
export async function productionModules(repo: string): Promise<string[]> {
  const { stdout } = await execa('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: repo, reject: false });
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith(join(repo, 'node_modules')))
    .map((line) => relative(repo, line));
}
