import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { ArchiveIndex } from '../src/archive/index.js';
import { parseOptions } from '../src/config/index.js';
import { apiPaths, DriveStatusSchema, readContractValue } from '../src/contract/index.js';
import { findArchivedByFingerprint, writeImageMetadata } from '../src/copy/index.js';
import { simReset } from '../src/drive/index.js';
import { ADDON_LAUNCH, freePort } from '../tests/helpers/process.js';
import { waitFor } from '../tests/web/fixtures.js';
import { rssMiB } from './lib/proc.js';

/**
 * The archive at collection scale: 10,000 images (sparse 700 MiB files with their `.sha256` and
 * `.disk2iso.json` records) in the output folder, the real core started on it (`disk2iso run`,
 * built from this tree into bench/work, with the add-on's V8 flags). Prints the index build time
 * at start (first start: from the records; second start: from the index log), the time and bytes
 * of the first Archive page, of a search and of api/archive, and the core's RSS after 50 page loads.
 */
const IMAGES = Number(process.env.ARCHIVE_SCALE_IMAGES ?? 10_000);
const IMAGE_BYTES = 700 * 1024 * 1024;
const PAGE_LOADS = 50;
const WORK = join(process.cwd(), 'bench', 'work', 'archive-scale');
const DIST = join(process.cwd(), 'bench', 'work', 'archive-scale-dist');
const GROUPS = ['data', 'dvd', 'bluray', 'audio'] as const;

function zeroSha256(bytes: number): string {
  const hash = createHash('sha256');
  const chunk = Buffer.alloc(8 * 1024 * 1024);
  for (let done = 0; done < bytes; done += chunk.length) hash.update(done + chunk.length <= bytes ? chunk : chunk.subarray(0, bytes - done));
  return hash.digest('hex');
}

const WORDS = ['Holiday', 'Wedding', 'Backup', 'Photos', 'Games', 'Music', 'Movie', 'Install', 'Archive', 'Project'];

/** The n-th image's file name, and its fingerprint (made from that name). */
function imageName(n: number): string {
  return `${WORDS[n % WORDS.length]!.toUpperCase()}_${String(n).padStart(5, '0')}.iso`;
}
const fingerprintOf = (name: string) => createHash('sha256').update(name).digest('hex');

async function fillOutputFolder(out: string): Promise<void> {
  const sha = zeroSha256(IMAGE_BYTES);
  for (const group of GROUPS) await mkdir(join(out, group), { recursive: true });
  const start = Date.UTC(2015, 0, 1);
  for (let i = 0; i < IMAGES; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, IMAGES - i) }, async (_, k) => {
        const n = i + k;
        const name = imageName(n);
        const image = join(out, GROUPS[n % 3]!, name);
        const handle = await open(image, 'w');
        await handle.truncate(IMAGE_BYTES); // sparse: the size of a CD image, no blocks on disk
        await handle.close();
        await writeFile(`${image}.sha256`, `${sha}  ${name}\n`);
        await writeImageMetadata(image, {
          fingerprint: fingerprintOf(name),
          label: `${WORDS[n % WORDS.length]} ${n}`,
          disc_type: n % 3 === 1 ? 'dvd-video' : n % 3 === 2 ? 'bd-rom' : 'cd-rom',
          created: new Date(start + n * 3_600_000).toISOString(),
          bytes: IMAGE_BYTES,
          checksums: { sha256: sha },
          method: 'block-copy',
          result: n % 50 === 0 ? 'degraded' : 'success',
          bad_ranges: n % 50 === 0 ? [[2048, 4096]] : [],
          drive_id: 'sr0',
          job_id: `job-${n}`,
          started: new Date(start + n * 3_600_000 - 600_000).toISOString(),
        });
      }),
    );
  }
}

interface Timed {
  ms: number;
  bytes: number;
  body: string;
}

async function timedGet(url: string): Promise<Timed> {
  const t0 = performance.now();
  const res = await fetch(url);
  const body = await res.text();
  const ms = performance.now() - t0;
  expect(res.status).toBe(200);
  return { ms, bytes: Buffer.byteLength(body), body };
}

/** RSS and its split: anonymous (V8 heap, malloc) vs file-backed (mostly the node binary's own pages, fixed per Node build). */
async function memoryLine(pid: number): Promise<string> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const mib = (key: string) => (Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024).toFixed(1);
  const rss = await rssMiB(pid);
  return `${rss.toFixed(1)} MiB = ${((rss * 1024 * 1024) / 1e6).toFixed(1)} MB (anonymous ${mib('RssAnon')} MiB, file-backed ${mib('RssFile')} MiB)`;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** How the core is started: this machine's node on the tree's build, or the image's own node in its root filesystem. */
interface Runtime {
  label: string;
  /** Where the core's paths are seen from: '' for this machine, the root filesystem for the image. */
  root: string;
  argv: () => [string, string[]];
}

const HOST: Runtime = {
  label: `this machine's node ${process.version}`,
  root: '',
  argv: () => ['node', [...ADDON_LAUNCH.run.flags, join(DIST, 'cli.js'), 'run']],
};

/** The image's root filesystem as `npm run test:image` leaves it: Debian trixie's node and the staged /app. */
const IMAGE_ROOTFS = join(process.cwd(), 'tests', 'image', 'work', 'rootfs');
const IMAGE: Runtime = {
  label: "the image's node (Debian trixie, tests/image/work/rootfs)",
  root: IMAGE_ROOTFS,
  argv: () => ['chroot', [IMAGE_ROOTFS, '/usr/bin/node', ...ADDON_LAUNCH.run.flags, '/app/dist/cli.js', 'run']],
};

function startCore(optionsPath: string, runtime: Runtime = HOST): ResultPromise {
  // Flags and exported variables read from rootfs/.../disk2iso/run: the bench measures what ships.
  const [command, args] = runtime.argv();
  return execa(command, args, {
    env: { ...ADDON_LAUNCH.run.env, DISK2ISO_OPTIONS: optionsPath },
    reject: false,
    all: true,
    stdin: 'ignore',
  });
}

/** Milliseconds from spawning the core to its web server answering, and the index's own figure from the log. */
async function startAndWait(optionsPath: string, port: number, statusPath: string, runtime: Runtime = HOST): Promise<{ core: ResultPromise; readyMs: number; indexMs: number | null }> {
  const t0 = performance.now();
  const core = startCore(optionsPath, runtime);
  let log = '';
  core.all?.on('data', (chunk: Buffer) => {
    if (log.length < 1_000_000) log += chunk.toString();
  });
  let exited = false;
  void core.finally(() => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error(`the core exited at start: ${log}`);
    const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
    if (res?.ok) break;
    if (performance.now() - t0 > 120_000) throw new Error(`the core's web server did not answer within 120 s: ${log}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const readyMs = performance.now() - t0;
  await waitFor(async () => ((await readContractValue(statusPath, DriveStatusSchema))?.state ? true : undefined), 60_000, 'drive status');
  const line = log.split('\n').find((l) => l.includes('archive index ready'));
  const ms = line ? (JSON.parse(line) as { ms?: number }).ms : undefined;
  return { core, readyMs, indexMs: typeof ms === 'number' ? ms : null };
}

async function stopCore(core: ResultPromise): Promise<void> {
  core.kill('SIGTERM');
  const result = await core;
  if (result.exitCode !== 0) console.log(result.all);
}

/** The 50 page loads of the bench (sorts and offsets over the whole index); their times. */
async function pageLoads(base: string, images: number): Promise<number[]> {
  const times: number[] = [];
  const sorts = ['date', 'name', 'size'];
  for (let i = 0; i < PAGE_LOADS; i++) times.push((await timedGet(`${base}archive?sort=${sorts[i % 3]}&offset=${(i * 50) % Math.max(images, 1)}`)).ms);
  return times;
}

/**
 * The core's RSS after 50 page loads on `outDir` (moved into the runtime's root for the image),
 * with its own index and sim drive: started once to build the index, measured on the second
 * start as above. `outDir` is moved back afterwards.
 */
async function rssOn(runtime: Runtime, outDir: string, images: number): Promise<string> {
  const work = runtime.root ? join(runtime.root, 'var', 'tmp', 'disk2iso-archive-scale') : join(WORK, 'rss');
  const inside = (path: string) => (runtime.root ? path.slice(runtime.root.length) : path);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const out = join(work, 'out');
  await rename(outDir, out);
  try {
    const sim = join(work, 'sim0');
    await simReset(sim);
    const port = await freePort();
    const raw = { drives: [`sim:${inside(sim)}`], api_dir: inside(join(work, 'api')), output_dir: inside(out), web_port: port, mqtt_enabled: false, min_free_space_mb: 0, log_level: 'info' };
    await writeFile(join(work, 'options.json'), JSON.stringify(raw));
    const statusPath = apiPaths(join(work, 'api')).status('sim0');
    const optionsPath = inside(join(work, 'options.json'));
    await stopCore((await startAndWait(optionsPath, port, statusPath, runtime)).core);
    const { core } = await startAndWait(optionsPath, port, statusPath, runtime);
    try {
      await new Promise((r) => setTimeout(r, 2000));
      await pageLoads(`http://127.0.0.1:${port}/`, images);
      await new Promise((r) => setTimeout(r, 1000));
      return await memoryLine(core.pid ?? 0);
    } finally {
      await stopCore(core);
    }
  } finally {
    await rename(out, outDir);
    await rm(work, { recursive: true, force: true });
  }
}

/** A bare `node` of the runtime doing nothing: the floor no code of ours can go below. */
async function bareNode(runtime: Runtime): Promise<string> {
  const script = 'setTimeout(() => {}, 4000)';
  const child = runtime.root ? execa('chroot', [runtime.root, '/usr/bin/node', '-e', script], { reject: false }) : execa('node', ['-e', script], { reject: false });
  await new Promise((r) => setTimeout(r, 2000));
  const line = await memoryLine(child.pid ?? 0);
  await child;
  return line;
}

it(`archive of ${IMAGES} images: index start-up, page and search time and bytes, core RSS`, async () => {
  await rm(WORK, { recursive: true, force: true });
  await mkdir(WORK, { recursive: true });
  // The core as the add-on runs it, compiled from this tree (not the shared dist/); reused with ARCHIVE_SCALE_REUSE_BUILD=1.
  if (process.env.ARCHIVE_SCALE_REUSE_BUILD !== '1') await execa('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', DIST], { reject: false });
  await stat(join(DIST, 'cli.js'));
  const out = join(WORK, 'out');
  const sim = join(WORK, 'sim0');
  await simReset(sim);
  const t0 = performance.now();
  await fillOutputFolder(out);
  console.log(`filled the output folder with ${IMAGES} sparse images of 700 MiB and their records in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const port = await freePort();
  const raw = { drives: [`sim:${sim}`], api_dir: join(WORK, 'api'), output_dir: out, web_port: port, mqtt_enabled: false, min_free_space_mb: 0, log_level: 'info' };
  const optionsPath = join(WORK, 'options.json');
  await writeFile(optionsPath, JSON.stringify(raw));
  const config = parseOptions(raw, optionsPath);
  const statusPath = apiPaths(config.api_dir).status('sim0');
  const base = `http://127.0.0.1:${port}/`;

  // First start: no index yet, built from the 10,000 records.
  let started = await startAndWait(optionsPath, port, statusPath);
  console.log(`first start (index built from the records): index ${started.indexMs?.toFixed(0)} ms, web server answering after ${started.readyMs.toFixed(0)} ms (target: start-up with the index < 5 s)`);
  console.log(`index log: ${kb((await stat(join(config.api_dir, 'archive', 'index.jsonl'))).size)} for ${IMAGES} images`);
  await stopCore(started.core);

  // Second start: the index log is there, reconciled with the folder.
  started = await startAndWait(optionsPath, port, statusPath);
  const { core } = started;
  try {
    console.log(`second start (index from its log, reconciled with the folder): index ${started.indexMs?.toFixed(0)} ms, web server answering after ${started.readyMs.toFixed(0)} ms`);
    const pid = core.pid ?? 0;
    await new Promise((r) => setTimeout(r, 2000));
    console.log(`core started as the add-on does: node ${ADDON_LAUNCH.run.flags.join(' ')} with ${JSON.stringify(ADDON_LAUNCH.run.env)}`);
    console.log(`core RSS idle after start: ${await memoryLine(pid)}`);

    const first = await timedGet(`${base}archive`);
    expect(first.body.match(/class="archive-item"/g)?.length).toBe(50);
    console.log(`first Archive page (cold): ${first.ms.toFixed(1)} ms, ${kb(first.bytes)} (target: < 250 ms, < 100 KB)`);
    const warm = await timedGet(`${base}archive`);
    console.log(`Archive page again: ${warm.ms.toFixed(1)} ms, ${kb(warm.bytes)}`);
    const api = await timedGet(`${base}api/archive`);
    expect((JSON.parse(api.body) as { total: number }).total).toBe(IMAGES);
    console.log(`api/archive (50 items): ${api.ms.toFixed(1)} ms, ${kb(api.bytes)}`);
    // One image found by two words; a smaller archive (ARCHIVE_SCALE_IMAGES) has no image 4711: its last one by name.
    const probe = IMAGES > 4711 ? 'wedding 4711' : imageName(IMAGES - 1).replace(/\.iso$/, '');
    const search = await timedGet(`${base}archive?q=${encodeURIComponent(probe)}`);
    expect(search.body.match(/class="archive-item"/g)?.length).toBe(1);
    console.log(`search "${probe}" (Archive page): ${search.ms.toFixed(1)} ms, ${kb(search.bytes)} (target: < 250 ms)`);
    const broad = await timedGet(`${base}archive?q=holiday&sort=size`);
    console.log(`search "holiday" sorted by size (1000 matches, page of 50): ${broad.ms.toFixed(1)} ms, ${kb(broad.bytes)}`);
    const apiSearch = await timedGet(`${base}api/archive?q=photos&sort=name&offset=500`);
    console.log(`api/archive search "photos" by name, offset 500: ${apiSearch.ms.toFixed(1)} ms, ${kb(apiSearch.bytes)}`);
    const history = await timedGet(`${base}history`);
    console.log(`History page (history rebuilt from the records, ${config.history_limit} kept): ${history.ms.toFixed(1)} ms, ${kb(history.bytes)}`);

    const times = await pageLoads(base, IMAGES);
    times.sort((a, b) => a - b);
    console.log(`${PAGE_LOADS} Archive page loads (sorts and offsets): median ${times[Math.floor(times.length / 2)]!.toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms`);
    await new Promise((r) => setTimeout(r, 1000));
    console.log(`core RSS after ${PAGE_LOADS} page loads: ${await memoryLine(pid)} (target: < 80 MB = 76.3 MiB)`);
  } finally {
    await stopCore(core);
  }
  // The duplicate check at each disc (issue 15): the index's fingerprint map vs reading every record.
  const index = new ArchiveIndex(out, config.api_dir, pino({ level: 'silent' }));
  await index.start();
  const last = imageName(IMAGES - 1);
  for (const [what, fp, found] of [['a new disc', 'f'.repeat(64), false], ['the last image', fingerprintOf(last), true]] as const) {
    let t1 = performance.now();
    const viaIndex = await index.findByFingerprint(fp);
    const indexMs = performance.now() - t1;
    expect(viaIndex?.endsWith(`/${last}`) ?? false).toBe(found);
    t1 = performance.now();
    expect(await findArchivedByFingerprint(out, fp)).toBe(viaIndex);
    console.log(`duplicate check of ${what} (${IMAGES} images): index ${indexMs.toFixed(2)} ms, findArchivedByFingerprint (every record read) ${(performance.now() - t1).toFixed(0)} ms`);
  }
  await index.stop();
  try {
    // What the archive adds, and the floor under it: the same core on an empty output folder, and a bare node.
    const empty = join(WORK, 'empty-out');
    for (const group of GROUPS) await mkdir(join(empty, group), { recursive: true });
    console.log(`RSS after ${PAGE_LOADS} page loads, ${HOST.label}: ${IMAGES} images ${await rssOn(HOST, out, IMAGES)}; empty archive ${await rssOn(HOST, empty, 0)}; bare node ${await bareNode(HOST)}`);
    // What ships: the image's own node (Debian's build, linked against libnode, ICU and OpenSSL) and its /app.
    const imageReady = process.getuid?.() === 0 && (await stat(join(IMAGE_ROOTFS, 'app', 'dist', 'cli.js')).catch(() => null)) !== null;
    if (imageReady) {
      console.log(`RSS after ${PAGE_LOADS} page loads, ${IMAGE.label}: ${IMAGES} images ${await rssOn(IMAGE, out, IMAGES)}; empty archive ${await rssOn(IMAGE, empty, 0)}; bare node ${await bareNode(IMAGE)}`);
    } else {
      console.log(`RSS in the image: not measured (needs root and ${IMAGE_ROOTFS}, which \`npm run test:image\` builds)`);
    }
    console.log(`load average: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log('(measured on a machine shared with other engineers running tests: times are upper bounds)');
  } finally {
    // ARCHIVE_SCALE_KEEP=1 leaves the filled folder and index in bench/work for profiling the core by hand.
    if (process.env.ARCHIVE_SCALE_KEEP !== '1') await rm(WORK, { recursive: true, force: true });
  }
});
