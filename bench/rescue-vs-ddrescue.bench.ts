/**
 * Rescue of a damaged disc: our ddrescue-style rescue (runCopy) vs GNU ddrescue, both reading
 * the SAME source with the SAME real read errors: a FUSE file (a tiny python3-fusepy server,
 * direct_io) serving a random image and answering EIO for 1 % of its 2048-byte sectors, in
 * clusters of 1–64 sectors (scratch-like). Both use 3 retry passes; ddrescue runs with its
 * defaults (`-b 2048 -r 3`). Runs alternate. Figures: wall time, read requests the source saw,
 * bad sectors found; sanity: both find the same bad sectors and write identical images.
 * Also printed for reference: runCopy over the SimulatedDrive with the same bad sectors, and a
 * clean pass (no errors) of both tools from the plain image file.
 * Needs root (FUSE mount) and python3-fusepy (Debian); skips with a message otherwise.
 * Env: BENCH_RESCUE_MIB (default 256), BENCH_RUNS (default 3).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { openFileReader, runCopy, type CopyResult } from '../src/copy/index.js';
import { SimulatedDrive, simInsert, simReset, type DiscReader } from '../src/drive/index.js';
import { fuseUnavailable, sectorRanges, startFuseDisc, type FuseDisc } from '../tests/helpers/fuse-disc.js';

const S = 2048;
const SIZE_MIB = Number(process.env.BENCH_RESCUE_MIB ?? 256);
const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 3));
const RETRIES = 3;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Deterministic clusters of 1–64 bad sectors until 1 % of the sectors are bad. */
function badSectors(sectors: number): number[] {
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const bad = new Set<number>();
  while (bad.size < Math.floor(sectors / 100)) {
    const start = 16 + rand(sectors - 100);
    const length = 1 + rand(64);
    for (let s = start; s < Math.min(sectors, start + length); s++) bad.add(s);
  }
  return [...bad].sort((a, b) => a - b);
}

/** User + system seconds of the children from bash's `times` output (its second line: `0m0.012s 0m0.180s`). */
function childCpuSeconds(times: string): number {
  const line = times.trim().split('\n').at(-1) ?? '';
  return [...line.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
}

async function ours(reader: DiscReader, size: number, target: string, hash = true): Promise<CopyResult> {
  return runCopy({
    reader,
    sizeBytes: size,
    targetPath: target,
    checksums: hash ? ['sha256'] : [],
    verify: false,
    readRetries: RETRIES,
    onReadError: 'keep_degraded',
    stallTimeoutMs: 600_000,
    signal: new AbortController().signal,
    onProgress: () => undefined,
    logger: pino({ level: 'silent' }),
  });
}

it('rescue of a disc with 1 % bad sectors: runCopy vs GNU ddrescue', async (ctx) => {
  const unavailable = await fuseUnavailable();
  if (unavailable !== null) return ctx.skip(unavailable);
  const dir = await mkdtemp(join(tmpdir(), 'disk2iso-bench-rescue-'));
  let fuse: FuseDisc | null = null;
  try {
    const size = SIZE_MIB * 1024 * 1024;
    const image = join(dir, 'disc.img');
    await execa('dd', ['if=/dev/urandom', `of=${image}`, 'bs=1M', `count=${SIZE_MIB}`, 'iflag=fullblock', 'status=none']);
    const bad = badSectors(size / S);
    const expectedRanges = sectorRanges(bad);
    const disc = await startFuseDisc(dir, image, { bad });
    fuse = disc;
    const source = disc.path;
    const readStats = (): ReturnType<FuseDisc['stats']> => disc.stats();
    const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' / ');
    console.log(`[rescue] load average (1 / 5 / 15 min) before the runs: ${load()}`);
    console.log(`[rescue] source: ${SIZE_MIB} MiB, ${bad.length} bad sectors (${((bad.length / (size / S)) * 100).toFixed(2)} %) in ${expectedRanges.length} clusters, ${RETRIES} retry passes`);

    // 'ddrescue+sync' and 'ddrescue+sync+sha256' do the same work as runCopy without and with a
    // checksum: the image is on disk when they end (runCopy fdatasyncs; ddrescue alone leaves it in
    // the page cache) and the second also writes a sha256sum file, as the original shell tool did.
    type Who = 'ddrescue' | 'ddrescue+sync' | 'ddrescue+sync+sha256' | 'runCopy' | 'runCopy-nohash';
    const order: Who[] = ['ddrescue', 'ddrescue+sync', 'ddrescue+sync+sha256', 'runCopy', 'runCopy-nohash'];
    const perTool = (): Record<Who, number[]> => Object.fromEntries(order.map((who) => [who, []])) as unknown as Record<Who, number[]>;
    const [times, reads, cpus] = [perTool(), perTool(), perTool()];
    const DDRESCUE_SCRIPTS: Record<string, string> = {
      ddrescue: 'ddrescue -q -b "$1" -r "$2" "$3" "$4" "$4.map" && times',
      'ddrescue+sync': 'ddrescue -q -b "$1" -r "$2" "$3" "$4" "$4.map" && sync --data "$4" && times',
      'ddrescue+sync+sha256': 'ddrescue -q -b "$1" -r "$2" "$3" "$4" "$4.map" && sync --data "$4" && sha256sum "$4" > "$4.sha256" && times',
    };
    for (let run = 0; run < RUNS; run++) {
      for (const who of run % 2 === 0 ? order : [...order].reverse()) {
        const out = join(dir, `${who}.img`);
        await rm(out, { force: true });
        await rm(`${out}.map`, { force: true });
        await rm(`${out}.sha256`, { force: true });
        const before = await readStats();
        const started = performance.now();
        const cpuBefore = process.cpuUsage();
        let cpu = 0;
        const script = DDRESCUE_SCRIPTS[who];
        if (script !== undefined) {
          // bash's `times` reports the CPU time of its children (the arguments go in as "$1"…, unparsed).
          const dd = await execa('bash', ['-c', script, 'bash', String(S), String(RETRIES), source, out]);
          cpu = childCpuSeconds(dd.stdout);
        } else {
          const reader = await openFileReader(source);
          const result = await ours(reader, size, out, who === 'runCopy');
          await reader.close();
          expect(result.outcome).toBe('degraded');
          expect(result.badRanges).toEqual(expectedRanges);
        }
        const seconds = (performance.now() - started) / 1000;
        if (script === undefined) {
          const used = process.cpuUsage(cpuBefore);
          cpu = (used.user + used.system) / 1e6;
        }
        cpus[who].push(cpu);
        const after = await readStats();
        times[who].push(seconds);
        reads[who].push(after.reads - before.reads);
        console.log(
          `[rescue] FUSE with errors, run ${run + 1}, ${who}: ${seconds.toFixed(2)} s (CPU ${cpu.toFixed(2)} s), ` +
            `${after.reads - before.reads} read requests (${after.errors - before.errors} failed)`,
        );
      }
    }
    console.log(`[rescue] load average (1 / 5 / 15 min) after the runs: ${load()}`);
    // Same bad sectors found, same image written.
    const ddBad = await execa('ddrescuelog', ['-b', String(S), '--list-blocks=-', join(dir, 'ddrescue.img.map')]);
    expect(ddBad.stdout.trim().split('\n').map(Number)).toEqual(bad);
    expect((await execa('cmp', [join(dir, 'ddrescue.img'), join(dir, 'runCopy.img')], { reject: false })).exitCode).toBe(0);
    expect((await execa('cmp', [join(dir, 'ddrescue.img'), join(dir, 'runCopy-nohash.img')], { reject: false })).exitCode).toBe(0);
    console.log('[rescue] both found exactly the injected bad sectors and wrote byte-identical images');
    const [dd, ours1, ours0] = [median(times.ddrescue), median(times.runCopy), median(times['runCopy-nohash'])];
    console.log(
      `[rescue] FUSE with errors, median: ddrescue ${dd.toFixed(2)} s, runCopy+sha256 ${ours1.toFixed(2)} s, ` +
        `runCopy without checksum ${ours0.toFixed(2)} s (runCopy also fdatasyncs the image; ddrescue does not)`,
    );
    console.log(
      `[rescue] FUSE with errors: ratio ddrescue time / runCopy+sha256 time = ${(dd / ours1).toFixed(2)}, ` +
        `/ runCopy without checksum = ${(dd / ours0).toFixed(2)} (> 1 = runCopy faster)`,
    );
    const [ddSync, ddSyncHash] = [median(times['ddrescue+sync']), median(times['ddrescue+sync+sha256'])];
    console.log(
      `[rescue] FUSE with errors, same work (image on disk; with checksum also a sha256sum file): ` +
        `ddrescue+sync ${ddSync.toFixed(2)} s vs runCopy without checksum ${ours0.toFixed(2)} s = ratio ${(ddSync / ours0).toFixed(2)}; ` +
        `ddrescue+sync+sha256sum ${ddSyncHash.toFixed(2)} s vs runCopy+sha256 ${ours1.toFixed(2)} s = ratio ${(ddSyncHash / ours1).toFixed(2)}`,
    );
    console.log(`[rescue] FUSE with errors: read requests (median) ddrescue ${median(reads.ddrescue)}, runCopy ${median(reads.runCopy)}`);
    console.log(
      `[rescue] FUSE with errors: CPU time of the tool's process (median; less sensitive to a busy machine than wall time) ` +
        `ddrescue ${median(cpus.ddrescue).toFixed(2)} s, runCopy+sha256 ${median(cpus.runCopy).toFixed(2)} s, ` +
        `runCopy without checksum ${median(cpus['runCopy-nohash']).toFixed(2)} s (the FUSE server's CPU is not counted)`,
    );

    // Reference: the same damage on the SimulatedDrive (no FUSE), and clean passes from the file.
    const sim = join(dir, 'sim');
    await simReset(sim);
    await simInsert(sim, image, { bad_sectors: bad });
    const simReader = await new SimulatedDrive('sim0', sim).open();
    let started = performance.now();
    const simResult = await ours(simReader, size, join(dir, 'sim.img'));
    await simReader.close();
    expect(simResult.badRanges).toEqual(expectedRanges);
    console.log(`[rescue] SimulatedDrive with the same errors, runCopy: ${((performance.now() - started) / 1000).toFixed(2)} s`);
    for (const who of ['ddrescue', 'runCopy'] as const) {
      const out = join(dir, `clean-${who}.img`);
      started = performance.now();
      if (who === 'ddrescue') await execa('ddrescue', ['-q', '-b', String(S), image, out, `${out}.map`]);
      else {
        const reader = await openFileReader(image);
        expect((await ours(reader, size, out)).outcome).toBe('success');
        await reader.close();
      }
      const seconds = (performance.now() - started) / 1000;
      console.log(`[rescue] clean image file (no errors), ${who}: ${seconds.toFixed(2)} s (${(SIZE_MIB / seconds).toFixed(0)} MiB/s)`);
    }
  } finally {
    await fuse?.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
