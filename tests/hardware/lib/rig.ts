import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { buildInitramfs, findCloudKernel, productionModules } from './initramfs.js';
import { Vm, type CdromAtBoot } from './vm.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const WORK = join(REPO, 'tests/hardware/work');

/** Guest ports: the core's web server, the probe, busybox httpd serving /data/api and the output. */
export const GUEST_WEB_PORT = 8099;
export const GUEST_PROBE_PORT = 8098;
export const GUEST_FILES_PORT = 8080;

async function workDir(name: string): Promise<string> {
  const dir = join(WORK, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Line printed by the elapsed-time helpers: `RIG <name>: <seconds> s`. */
export function reportDuration(name: string, startedAt: number): void {
  console.log(`RIG ${name}: ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
}

/**
 * Compiles the guest probe and the drive code it imports (tsc, into `<dir>/probe`), independent of
 * the project build, and returns the tree for the guest's /probe.
 */
async function compileProbe(dir: string): Promise<string> {
  const out = join(dir, 'probe');
  await execa(
    join(REPO, 'node_modules/.bin/tsc'),
    [
      '--ignoreConfig',
      '--outDir', out,
      '--rootDir', REPO,
      '--module', 'nodenext',
      '--moduleResolution', 'nodenext',
      '--target', 'es2022',
      '--strict',
      '--skipLibCheck',
      '--types', 'node',
      join(REPO, 'tests/hardware/guest/probe.ts'),
    ],
    { cwd: REPO },
  );
  await cp(join(REPO, 'node_modules/koffi'), join(out, 'node_modules/koffi'), { recursive: true });
  await cp(join(REPO, 'node_modules/@koromix'), join(out, 'node_modules/@koromix'), { recursive: true });
  await cp(join(REPO, 'package.json'), join(out, 'package.json'));
  return out;
}

export interface BootOptions {
  readonly name: string;
  readonly cdrom: CdromAtBoot | null;
}

/** Boots a guest running the drive probe (tests/hardware/guest/probe.ts) on /dev/sr0. */
export async function bootProbeVm(options: BootOptions): Promise<Vm> {
  const dir = await workDir(options.name);
  const kernel = await findCloudKernel();
  const probe = await compileProbe(dir);
  const initrd = await buildInitramfs({
    workDir: dir,
    kernel,
    trees: { probe },
    start: 'cd /probe && node tests/hardware/guest/probe.js',
  });
  const vm = await Vm.start({
    name: options.name,
    workDir: dir,
    kernel: kernel.image,
    initrd,
    cdrom: options.cdrom,
    guestPorts: [GUEST_PROBE_PORT, GUEST_FILES_PORT],
  });
  await vm.waitForConsole(/PROBE: listening/, 180_000);
  return vm;
}

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/** The built app (dist/): `npm run build` when it is missing or older than src/. */
async function ensureBuilt(): Promise<void> {
  const cli = join(REPO, 'dist/cli.js');
  if (!existsSync(cli) || (await stat(cli)).mtimeMs < (await newestSource(join(REPO, 'src')))) {
    // The whole build: the compile and the browser bundle (dist/web/assets) the core serves.
    await execa('npm', ['run', 'build', '--silent'], { cwd: REPO, reject: false });
  }
  if (!existsSync(cli)) throw new Error('dist/cli.js missing: npm run build failed');
}

export interface CoreBootOptions extends BootOptions {
  /** Add-on options (merged over the rig's defaults: drive /dev/sr0, fast polling, web on 8099). */
  readonly options?: Record<string, unknown>;
  /** The drive's read time-out in the guest (DISK2ISO_DRIVE_READ_TIMEOUT_MS; default 120 s). */
  readonly readTimeoutMs?: number;
}

/** Boots a guest running the real core, `node dist/cli.js run`, with the options given. */
export async function bootCoreVm(options: CoreBootOptions): Promise<Vm> {
  await ensureBuilt();
  const dir = await workDir(options.name);
  const kernel = await findCloudKernel();
  const trees: Record<string, string> = { 'app/dist': join(REPO, 'dist') };
  for (const module of await productionModules(REPO)) trees[`app/${module}`] = join(REPO, module);
  const addonOptions = {
    drives: ['/dev/sr0'],
    api_dir: '/data/api',
    output_dir: '/media/disk2iso',
    web_port: GUEST_WEB_PORT,
    web_allow_all_peers: true,
    mqtt_enabled: false,
    min_free_space_mb: 0,
    poll_drive_interval: 1,
    poll_media_interval: 1,
    poll_removal_interval: 1,
    log_level: 'debug',
    ...options.options,
  };
  const initrd = await buildInitramfs({
    workDir: dir,
    kernel,
    trees,
    files: {
      'app/package.json': await readFile(join(REPO, 'package.json'), 'utf8'),
      'rig/options.json': JSON.stringify(addonOptions, null, 2),
    },
    start: `cd /app && ${options.readTimeoutMs ? `DISK2ISO_DRIVE_READ_TIMEOUT_MS=${options.readTimeoutMs} ` : ''}DISK2ISO_OPTIONS=/rig/options.json node dist/cli.js run 2>&1`,
  });
  const vm = await Vm.start({
    name: options.name,
    workDir: dir,
    kernel: kernel.image,
    initrd,
    cdrom: options.cdrom,
    guestPorts: [GUEST_WEB_PORT, GUEST_FILES_PORT],
    memoryMb: 2048,
  });
  await vm.waitForConsole(/RIG: ready/, 180_000);
  return vm;
}

/** GET a JSON document from the guest (null on 404), with a time-out. */
export async function getJson<T = unknown>(url: string, timeoutMs = 60_000): Promise<T | null> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (response.status === 404) return null;
  const text = await response.text();
  if (!response.ok && response.status !== 500) throw new Error(`GET ${url}: ${response.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

/** GET a file's bytes from the guest. */
export async function getBytes(url: string, timeoutMs = 120_000): Promise<Buffer | null> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}
