import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import mqtt from 'mqtt';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIso } from '../helpers/images.js';
import { REPO } from '../hardware/lib/rig.js';
import { Media } from '../hardware/lib/media.js';
import type { Vm } from '../hardware/lib/vm.js';
import { makeDvdVideo } from '../helpers/dvd-video.js';
import { waitFor } from '../helpers/wait.js';
import { GuestAddon, INGRESS_PATH } from './lib/addon.js';
import { bootImage, dockerfileHealthcheck, GUEST_MQTT_PORT, writeRigConfig, type RigConfig } from './lib/guest.js';
import { buildImageRootfs, ext4Image, IMAGE_WORK, mebibytes, type ImageRootfs } from './lib/rootfs.js';

/**
 * `npm run test:image`: the add-on's root filesystem built from image/packages.txt (mmdebstrap,
 * Debian trixie) with the app staged by the Dockerfile's own script, booted under QEMU with the
 * shipped apparmor.txt enforced, and used as Home Assistant would: SPEC §8, issue 9.
 */

const CONFIG = parseYaml(await readFile(join(REPO, 'config.yaml'), 'utf8')) as { options: Record<string, unknown>; timeout: number };

/** The options file the Supervisor writes: config.yaml's defaults, with quicker polling for the rig. */
function addonOptions(): Record<string, unknown> {
  return {
    ...CONFIG.options,
    drives: ['/dev/sr0'],
    min_free_space_mb: 16,
    poll_drive_interval: 2,
    poll_media_interval: 1,
    poll_removal_interval: 1,
  };
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A state disk (/data, /media) with the Supervisor's options.json on it. */
async function stateImage(name: string, options: Record<string, unknown>): Promise<string> {
  const dir = join(IMAGE_WORK, `${name}-state`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'data'), { recursive: true });
  await mkdir(join(dir, 'media'), { recursive: true });
  await writeFile(join(dir, 'data/options.json'), JSON.stringify(options, null, 2));
  const image = await ext4Image(dir, join(IMAGE_WORK, `${name}-state.img`), 'state', 768 * 2 ** 20);
  await rm(dir, { recursive: true, force: true });
  return image;
}

/** The core's pino lines on the guest console (the container's output goes there). */
function coreLogLines(console: string): Array<Record<string, unknown>> {
  return console
    .split('\n')
    .map((line) => line.slice(line.indexOf('{')))
    .filter((line) => line.startsWith('{"level"'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

function reportFigure(name: string, value: string): void {
  console.log(`IMAGE ${name}: ${value}`);
}

let rootfs: ImageRootfs;
let rootImage: string;
let rig: RigConfig;
let discs: string;

beforeAll(async () => {
  await mkdir(IMAGE_WORK, { recursive: true });
  const started = Date.now();
  rootfs = await buildImageRootfs();
  rig = await writeRigConfig(rootfs.dir);
  rootImage = await ext4Image(rootfs.dir, join(IMAGE_WORK, 'root.img'), 'root');
  reportFigure('rootfs build', `${((Date.now() - started) / 1000).toFixed(0)} s`);
  reportFigure('image size', `${(rootfs.packagesBytes / 2 ** 20).toFixed(1)} MiB Debian (base-debian + image/packages.txt) + ${(rootfs.appBytes / 2 ** 20).toFixed(1)} MiB /app = ${((rootfs.packagesBytes + rootfs.appBytes) / 2 ** 20).toFixed(1)} MiB`);
  reportFigure('guest root image', `${await mebibytes(rootImage)} MiB (with the rig's packages)`);
  discs = join(IMAGE_WORK, 'discs');
  await rm(discs, { recursive: true, force: true });
  await mkdir(discs, { recursive: true });
});

describe('the root filesystem', () => {
  const chroot = (args: string[]) => execa('chroot', [rootfs.dir, ...args], { reject: false, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });

  it('has every package of image/packages.txt installed', async () => {
    const { stdout } = await chroot(['dpkg-query', '-W', '-f', '${Package} ${db:Status-Status}\n', ...rootfs.packages]);
    const installed = new Set(stdout.split('\n').filter((l) => l.endsWith(' installed')).map((l) => l.split(' ')[0]));
    expect(rootfs.packages.filter((p) => !installed.has(p))).toEqual([]);
  });

  it('runs every disc tool the core uses, and a node that satisfies package.json engines', async () => {
    const tools: Array<[string, string[]]> = [
      ['dvdbackup', ['--version']], ['genisoimage', ['--version']], ['xorriso', ['-version']],
      ['cd-paranoia', ['--version']], ['cdparanoia', ['--version']], ['cd-info', ['--version']],
      ['flac', ['--version']], ['lame', ['--version']], ['ddrescue', ['--version']], ['curl', ['--version']],
    ];
    const broken: string[] = [];
    for (const [tool, args] of tools) {
      const result = await chroot([tool, ...args]);
      // cdparanoia and cd-paranoia print their version and exit non-zero; a missing tool is 127.
      if (result.exitCode === 127 || /not found|error while loading shared libraries/.test(result.stderr)) broken.push(`${tool}: ${result.stderr.slice(0, 200)}`);
    }
    expect(broken).toEqual([]);
    const node = (await chroot(['node', '--version'])).stdout.trim();
    const engines = (JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe('>=20');
    expect(Number(/^v(\d+)\./.exec(node)?.[1])).toBeGreaterThanOrEqual(20);
    reportFigure('node in the image', node);
  });

  it('ships production dependencies only, and koffi loads its glibc build there', async () => {
    const modules = await readdir(join(rootfs.dir, 'app/node_modules'));
    for (const dev of ['vitest', 'eslint', 'playwright-core', 'typescript', 'fast-check', 'ajv']) expect(modules).not.toContain(dev);
    const loaded = await chroot(['node', '-e', "require('/app/node_modules/koffi'); console.log('koffi ok')"]);
    expect(loaded.stdout.trim(), loaded.stderr).toBe('koffi ok');
  });
});

/** Every boot ends by checking the kernel log: the profile denied nothing. */
async function expectNoDenials(addon: GuestAddon, boot: string): Promise<void> {
  const denials = await addon.denials();
  reportFigure(`AppArmor denials (${boot})`, [String(denials.length), ...denials].join('\n  '));
  expect(denials).toEqual([]);
}

describe('boot 1: scsi-cd drive, copies, MQTT, supervision', () => {
  let vm: Vm;
  let addon: GuestAddon;
  let media: Media;
  let bootedAt: number;

  beforeAll(async () => {
    const state = await stateImage('boot1', addonOptions());
    bootedAt = Date.now();
    vm = await bootImage({ name: 'boot1', workDir: join(IMAGE_WORK, 'boot1'), rootImage, stateImage: state, cdrom: { image: null, bus: 'scsi' } });
    addon = new GuestAddon(vm);
    media = new Media(vm);
  });

  afterAll(async () => {
    await vm?.stop();
  });

  it('a. both services start from /data/options.json under the enforced profile and reach waiting_for_media', async () => {
    expect(vm.console).toMatch(new RegExp(`RIG: profile ${rig.profile} \\(enforce\\)`));
    const view = await addon.waitForState('waiting_for_media');
    reportFigure('boot to waiting_for_media (scsi-cd)', `${((Date.now() - bootedAt) / 1000).toFixed(1)} s`);
    expect(view.status?.drive.vendor).toMatch(/QEMU/);
    expect(await addon.pids('/app/dist/cli.js run')).toHaveLength(1);
    await waitFor(async () => (await addon.pids('/app/dist/cli.js mqtt')).length === 1, { timeoutMs: 60_000, message: 'the bridge process' });
  });

  it('b. the ingress UI and the REST API answer through the ingress port with X-Ingress-Path', async () => {
    const page = await addon.web('/');
    expect(page.status).toBe(200);
    const html = await page.text();
    // Every link is relative to the ingress path the proxy announced.
    expect(html).toContain(`<base href="${INGRESS_PATH}/"/>`);
    // The browser bundle the build stage made (esbuild in image/compiler), served with its cache headers.
    for (const [asset, type] of [['app.js', 'text/javascript'], ['app.css', 'text/css']] as const) {
      const res = await addon.web(`/${asset}`);
      expect(res.status, asset).toBe(200);
      expect(res.headers.get('content-type'), asset).toContain(type);
      expect(res.headers.get('cache-control'), asset).toBe('public, max-age=86400');
      expect((await res.text()).length, asset).toBeGreaterThan(1000);
    }
    const system = await addon.webJson<{ version: string; core: { tools: Record<string, string | null> } }>('/api/system');
    const { version } = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(system.version).toBe(version);
    // The core found every tool of the image; only libdvdcss is missing here (docs/image.md).
    const missing = Object.entries(system.core.tools).filter(([, v]) => v === null).map(([name]) => name);
    expect(missing).toEqual(['libdvdcss']);
    // The image's HEALTHCHECK, run as `docker exec` would: in the container, under the profile.
    const health = await addon.agent<{ code: number; stderr: string }>(`/healthcheck?command=${encodeURIComponent(dockerfileHealthcheck(await readFile(join(REPO, 'Dockerfile'), 'utf8')))}`, 'POST');
    expect(health.code, health.stderr).toBe(0);
  });

  it('d. MQTT discovery reaches the broker the Supervisor stand-in announces', async () => {
    const client = await mqtt.connectAsync(vm.url(GUEST_MQTT_PORT).replace('http:', 'mqtt:'), {
      username: rig.mqttService.username as string,
      password: rig.mqttService.password as string,
      reconnectPeriod: 0,
    });
    try {
      const configs = new Map<string, string>();
      client.on('message', (topic, payload) => configs.set(topic, payload.toString('utf8')));
      await client.subscribeAsync(['homeassistant/#', 'disk2iso/#']);
      // Device-based discovery: one config per drive with all its components.
      const topic = `homeassistant/device/disk2iso/sr0/config`;
      const discovery = await waitFor(() => configs.get(topic), { timeoutMs: 120_000, intervalMs: 200, message: topic });
      const config = JSON.parse(discovery) as { device: { identifiers: unknown }; components: Record<string, { platform: string }> };
      expect(config.device.identifiers).toBeTruthy();
      expect(Object.values(config.components).map((c) => c.platform)).toEqual(expect.arrayContaining(['sensor', 'binary_sensor', 'button', 'switch']));
      await waitFor(() => [...configs.entries()].some(([t, v]) => t.startsWith('disk2iso/') && v === 'online'), { timeoutMs: 60_000, intervalMs: 200, message: 'availability online' });
      expect(vm.console).toMatch(/supervisor GET \/services\/mqtt authorised/);
      expect(vm.console).not.toMatch(/supervisor .* REFUSED/);
    } finally {
      await client.endAsync();
    }
  });

  it('c. a data disc is copied into /media; its SHA-256 equals the source image', async () => {
    const { image } = await makeIso(discs, 6, 'IMAGE_DATA');
    await media.insert(image);
    const job = await addon.waitForJobs(1);
    expect(job, JSON.stringify(job)).toMatchObject({ result: 'success', disc_label: 'IMAGE_DATA' });
    const expected = await sha256File(image);
    expect(job.checksums.sha256).toBe(expected);
    expect(await addon.sha256(job.image_path!)).toBe(expected);
    await addon.waitForState('waiting_for_media');
  });

  it('c. an unencrypted DVD-Video is backed up through the image\'s dvdbackup', async () => {
    const dvdDir = join(discs, 'dvd');
    await mkdir(dvdDir, { recursive: true });
    const { iso, videoTs } = await makeDvdVideo(dvdDir, 'IMAGE_DVD');
    await media.insert(iso);
    const job = await addon.waitForJobs(2);
    expect(job, JSON.stringify(job)).toMatchObject({ result: 'success', disc_type: 'dvd-video' });
    expect(job.method).toMatch(/dvdbackup/);
    // The image the add-on wrote, downloaded through the ingress UI, holds the disc's VIDEO_TS.
    const rel = job.image_path!.replace(/^\/media\/disk2iso\//, '');
    const download = await addon.web(`/api/archive/download?path=${encodeURIComponent(rel)}`);
    expect(download.status).toBe(200);
    const bytes = Buffer.from(await download.arrayBuffer());
    const local = join(discs, 'downloaded-dvd.iso');
    await writeFile(local, bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(job.checksums.sha256);
    expect(await addon.sha256(job.image_path!)).toBe(job.checksums.sha256);
    const extracted = join(discs, 'extracted');
    await rm(extracted, { recursive: true, force: true });
    await execa('xorriso', ['-osirrox', 'on', '-indev', local, '-extract', '/VIDEO_TS', extracted]);
    const names = (await readdir(videoTs)).sort();
    expect((await readdir(extracted)).sort()).toEqual(names);
    for (const name of names) expect(await sha256File(join(extracted, name)), name).toBe(await sha256File(join(videoTs, name)));
  });

  it('f. the bridge killed with SIGKILL is restarted by the supervisor', async () => {
    const [before] = await addon.pids('/app/dist/cli.js mqtt');
    expect(before).toBeDefined();
    await addon.signalProcess('/app/dist/cli.js mqtt', 'SIGKILL');
    const after = await waitFor(async () => {
      const pids = await addon.pids('/app/dist/cli.js mqtt');
      return pids.length === 1 && pids[0] !== before ? pids[0] : null;
    }, { timeoutMs: 60_000, intervalMs: 250, message: 'a new bridge process' });
    expect(after).not.toBe(before);
    expect((await addon.container()).exitedAt).toBeNull();
    expect((await addon.drive())?.status?.state).toBe('waiting_for_media');
  });

  it('has no AppArmor denials so far', async () => {
    await expectNoDenials(addon, 'boot 1');
  });

  it('f. the core crashing (SIGKILL) takes the container down with its exit code', async () => {
    await addon.signalProcess('/app/dist/cli.js run', 'SIGKILL');
    const exited = await addon.waitForExit(60_000);
    expect(exited.exitCode).toBe(128 + 9);
    expect(vm.console).toMatch(/disk2iso core exited with code 256 \(by signal 9\)/);
    await expectNoDenials(addon, 'boot 1, after the crash');
  });
});

describe('boot 2: ide-cd drive', () => {
  let vm: Vm;
  let addon: GuestAddon;

  beforeAll(async () => {
    const state = await stateImage('boot2', addonOptions());
    const bootedAt = Date.now();
    vm = await bootImage({ name: 'boot2', workDir: join(IMAGE_WORK, 'boot2'), rootImage, stateImage: state, cdrom: { image: null, bus: 'ide' } });
    addon = new GuestAddon(vm);
    await addon.waitForState('waiting_for_media');
    reportFigure('boot to waiting_for_media (ide-cd)', `${((Date.now() - bootedAt) / 1000).toFixed(1)} s`);
  });

  afterAll(async () => {
    await vm?.stop();
  });

  it('a. both services reach waiting_for_media with an ide-cd drive at /dev/sr0', async () => {
    const view = await addon.waitForState('waiting_for_media');
    expect(view.status?.drive.vendor).toMatch(/QEMU/);
    expect(await addon.pids('/app/dist/cli.js run')).toHaveLength(1);
    await expectNoDenials(addon, 'boot 2');
  });
});

describe('e. a stop mid-copy (SIGTERM to init, as on restart or update) and the same disc resumes', () => {
  let state: string;
  let disc: string;
  let stoppedMidCopy = false;

  beforeAll(async () => {
    state = await stateImage('resume', addonOptions());
    disc = (await makeIso(discs, 24, 'IMAGE_RESUME')).image;
  });

  it('stops within config.yaml timeout and keeps the partial image', async () => {
    const vm = await bootImage({ name: 'resume-1', workDir: join(IMAGE_WORK, 'resume-1'), rootImage, stateImage: state, cdrom: { image: disc, bus: 'scsi', bpsRead: 1024 * 1024 } });
    try {
      const addon = new GuestAddon(vm);
      await waitFor(async () => {
        const view = await addon.drive();
        return view?.status?.state === 'copying' && (view.progress?.percent ?? 0) >= 25;
      }, { timeoutMs: 300_000, intervalMs: 250, message: 'the copy at 25 %' });
      const stopAt = Date.now();
      await addon.agent('/container/signal?signal=SIGTERM', 'POST');
      const exited = await addon.waitForExit(CONFIG.timeout * 1000 + 30_000);
      const seconds = (exited.exitedAt! - stopAt) / 1000;
      reportFigure('stop mid-copy to container exit', `${seconds.toFixed(1)} s (config.yaml timeout: ${CONFIG.timeout} s)`);
      expect(seconds).toBeLessThan(CONFIG.timeout);
      // A stop is not a failure: both services ended cleanly, so the container exits 0.
      expect(exited.exitCode, vm.console.slice(-2000)).toBe(0);
      expect(vm.console).toMatch(/standin-init: disk2iso-mqtt is down/);
      expect(vm.console).toMatch(/standin-init: disk2iso is down/);
      const { entries } = await addon.agent<{ entries: string[] }>('/ls?path=/media/disk2iso');
      const partial = entries.find((e) => e.endsWith('.part'));
      expect(partial, entries.join(', ')).toBeDefined();
      stoppedMidCopy = true;
      await expectNoDenials(addon, 'resume, first boot');
    } finally {
      await vm.stop();
    }
  });

  it('resumes the same disc on the next boot and ends byte-identical', async () => {
    expect(stoppedMidCopy, 'the first boot stopped mid-copy').toBe(true);
    const vm = await bootImage({ name: 'resume-2', workDir: join(IMAGE_WORK, 'resume-2'), rootImage, stateImage: state, cdrom: { image: disc, bus: 'scsi' } });
    try {
      const addon = new GuestAddon(vm);
      const job = await addon.waitForJobs(2);
      expect(job, JSON.stringify(job)).toMatchObject({ result: 'success', disc_label: 'IMAGE_RESUME' });
      const resumed = coreLogLines(vm.console).find((line) => line.msg === 'resuming an interrupted copy');
      expect(resumed, 'a "resuming an interrupted copy" line').toBeDefined();
      expect(Number(resumed!.done)).toBeGreaterThan(0);
      reportFigure('resumed from', `${(Number(resumed!.done) / 2 ** 20).toFixed(1)} MiB of ${(24).toFixed(0)} MiB`);
      const expected = await sha256File(disc);
      expect(job.checksums.sha256).toBe(expected);
      expect(await addon.sha256(job.image_path!)).toBe(expected);
      await expectNoDenials(addon, 'resume, second boot');
    } finally {
      await vm.stop();
    }
  });
});
