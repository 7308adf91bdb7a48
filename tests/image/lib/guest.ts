import { chmod, copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { copyModule, findCloudKernel, resolveModules, type GuestKernel } from '../../hardware/lib/initramfs.js';
import { REPO } from '../../hardware/lib/rig.js';
import { Vm, type CdromAtBoot } from '../../hardware/lib/vm.js';

/** Modules the boot initramfs loads before it switches to the image's root filesystem. */
const BOOT_MODULES = ['virtio_pci', 'virtio_blk', 'virtio_scsi', 'virtio_net', 'sr_mod', 'ata_piix'] as const;

/** Guest ports the host reaches: the add-on's web server, the rig's agent, the broker. */
export const GUEST_WEB_PORT = 8099;
export const GUEST_AGENT_PORT = 8090;
export const GUEST_MQTT_PORT = 1883;

/** The slug the Supervisor gives an add-on from a repository: `<repository hash>_<slug>`. */
const ADDON_SLUG = '5c53de3b_disk2iso';

/** Docker's default capability set (moby's oci/caps defaults); the add-on asks for no more. */
const DOCKER_CAPABILITIES = [
  'chown', 'dac_override', 'fsetid', 'fowner', 'mknod', 'net_raw', 'setgid', 'setuid', 'setfcap',
  'setpcap', 'net_bind_service', 'sys_chroot', 'kill', 'audit_write',
] as const;

const BOOT_INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t devtmpfs dev /dev
while read m; do insmod "/lib/rig-modules/$m" || echo "RIG: insmod $m failed"; done < /lib/rig-modules/order
mkdir -p /newroot
mount -o rw /dev/vda /newroot || { echo "RIG: FAILED cannot mount the root filesystem"; poweroff -f; }
umount /proc /dev
exec switch_root /newroot /rig/rig-init
`;

/** A small initramfs (busybox, the modules above) that mounts /dev/vda and runs /rig/rig-init there. */
async function buildBootInitramfs(workDir: string, kernel: GuestKernel): Promise<string> {
  const root = join(workDir, 'boot-initramfs');
  await rm(root, { recursive: true, force: true });
  for (const dir of ['bin', 'proc', 'dev', 'lib/rig-modules']) await mkdir(join(root, dir), { recursive: true });
  const busybox = (await execa('sh', ['-c', 'command -v busybox'])).stdout.trim();
  await copyFile(busybox, join(root, 'bin/busybox'));
  const order: string[] = [];
  for (const file of await resolveModules(kernel.modulesDir, BOOT_MODULES)) {
    order.push(await copyModule(kernel.modulesDir, file, join(root, 'lib/rig-modules')));
  }
  await writeFile(join(root, 'lib/rig-modules/order'), `${order.join('\n')}\n`);
  await writeFile(join(root, 'init'), BOOT_INIT);
  await chmod(join(root, 'init'), 0o755);
  const list = (await execa('find', ['.'], { cwd: root })).stdout;
  const cpio = join(workDir, 'boot-initramfs.cpio');
  await execa('cpio', ['-o', '-H', 'newc', '-R', '0:0', '--quiet', '-F', cpio], { cwd: root, input: `${list}\n` });
  await rm(root, { recursive: true, force: true });
  return cpio;
}

/**
 * The profile as the Supervisor loads it (supervisor/utils/apparmor.py adjust_profile): the name
 * on the `profile` line is replaced by the add-on's slug, nothing else changes.
 */
function adjustProfile(text: string, slug: string): string {
  return text
    .split('\n')
    .map((line) => {
      const match = /^profile ([^ ]+).*$/.exec(line);
      return match ? line.replace(match[1]!, slug) : line;
    })
    .join('\n');
}

/** `ENV` of the Dockerfile's last stage, as Docker hands it to the container. */
function dockerfileEnvironment(dockerfile: string): Record<string, string> {
  const joined = dockerfile.replace(/\\\n/g, ' ');
  const stages = joined.split(/^FROM /m);
  const last = stages.at(-1) ?? '';
  const env: Record<string, string> = {};
  for (const line of last.split('\n')) {
    const match = /^ENV\s+(.*)$/.exec(line.trim());
    if (!match) continue;
    for (const pair of match[1]!.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)) env[pair[1]!] = pair[2]!.replace(/^"|"$/g, '');
  }
  return env;
}

/** The HEALTHCHECK command of the Dockerfile (`CMD …`, shell form). */
export function dockerfileHealthcheck(dockerfile: string): string {
  const joined = dockerfile.replace(/\\\n/g, ' ');
  const match = /^HEALTHCHECK\b.*?\bCMD\s+(.+)$/m.exec(joined);
  if (!match) throw new Error('the Dockerfile has no HEALTHCHECK … CMD');
  return match[1]!.trim();
}

export interface RigConfig {
  readonly profile: string;
  readonly capabilities: readonly string[];
  readonly environment: Record<string, string>;
  readonly mqttService: Record<string, unknown>;
  readonly selfInfo: Record<string, unknown>;
  readonly startContainer: boolean;
}

/** The guest's /rig/rig.json and /rig/apparmor.profile, written into the root filesystem. */
export async function writeRigConfig(rootfs: string): Promise<RigConfig> {
  const dockerfile = await readFile(join(REPO, 'Dockerfile'), 'utf8');
  const config: RigConfig = {
    profile: ADDON_SLUG,
    capabilities: DOCKER_CAPABILITIES,
    environment: {
      // base-debian's ENV, then the image's own, then what the Supervisor adds for an add-on.
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      LANG: 'C.UTF-8',
      S6_BEHAVIOUR_IF_STAGE2_FAILS: '2',
      S6_CMD_WAIT_FOR_SERVICES_MAXTIME: '0',
      ...dockerfileEnvironment(dockerfile),
      HOSTNAME: 'disk2iso',
      SUPERVISOR_TOKEN: 'rig-supervisor-token-0123456789abcdef',
      TZ: 'Etc/UTC',
    },
    mqttService: {
      addon: 'core_mosquitto',
      host: 'core-mosquitto',
      port: GUEST_MQTT_PORT,
      ssl: false,
      protocol: '3.1.1',
      username: 'addons',
      password: 'rig-broker-password',
    },
    selfInfo: {
      slug: ADDON_SLUG,
      name: 'disk2iso',
      version: (JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string }).version,
      ingress: true,
      ingress_entry: `/api/hassio_ingress/rig-ingress-token`,
      ingress_url: `/api/hassio_ingress/rig-ingress-token/`,
      ingress_panel: true,
    },
    startContainer: true,
  };
  await writeFile(join(rootfs, 'rig/rig.json'), JSON.stringify(config, null, 2));
  const profile = adjustProfile(await readFile(join(REPO, 'apparmor.txt'), 'utf8'), ADDON_SLUG);
  await writeFile(join(rootfs, 'rig/apparmor.profile'), profile);
  return config;
}

export interface GuestBoot {
  readonly name: string;
  readonly workDir: string;
  readonly rootImage: string;
  readonly stateImage: string;
  readonly cdrom: CdromAtBoot;
}

/** Boots the image: root filesystem as /dev/vda (writes thrown away), /data+/media as /dev/vdb. */
export async function bootImage(boot: GuestBoot): Promise<Vm> {
  const kernel = await findCloudKernel();
  await mkdir(boot.workDir, { recursive: true });
  const initrd = await buildBootInitramfs(boot.workDir, kernel);
  const vm = await Vm.start({
    name: boot.name,
    workDir: boot.workDir,
    kernel: kernel.image,
    initrd,
    cdrom: boot.cdrom,
    guestPorts: [GUEST_WEB_PORT, GUEST_AGENT_PORT, GUEST_MQTT_PORT],
    memoryMb: 2048,
    append: 'apparmor=1 security=apparmor',
    network: 'net=172.30.32.0/23,host=172.30.32.2',
    disks: [
      { file: boot.rootImage, snapshot: true },
      { file: boot.stateImage },
    ],
  });
  await vm.waitForConsole(/RIG: (ready|FAILED.*)/, 300_000);
  const failed = /RIG: FAILED (.*)/.exec(vm.console);
  if (failed) throw new Error(`guest ${boot.name}: ${failed[1]}`);
  return vm;
}
