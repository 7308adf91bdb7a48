/**
 * Issue 12: an audio rip as fast as the drive allows. Rips a generated BIN/CUE (default 60
 * minutes in 12 tracks) with disk2iso's runAudioRip — cd-paranoia reading track N+1 while flac
 * encodes track N (CRC32 and AccurateRip alongside) — and, from the same image, what scripts such
 * as abcde do without parallelism: `cd-paranoia -B` for the whole disc, then `flac --best` on each
 * WAV one after another. Prints both wall times, their ratio (target ≤ 0.6) and the CPU time of
 * each as a share of the audio's playing time.
 * Env: BENCH_AUDIO_MINUTES (default 60), BENCH_AUDIO_TRACKS (default 12).
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { runAudioRip } from '../src/copy/index.js';
import { writeSampleAudioCd } from '../src/demo/sample-audio.js';

const MINUTES = Number(process.env.BENCH_AUDIO_MINUTES ?? 60);
const TRACKS = Number(process.env.BENCH_AUDIO_TRACKS ?? 12);
const CLOCK_TICKS = 100;

/** CPU seconds of this process and its waited-for children (cd-paranoia, flac) so far. */
async function cpuWithChildren(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / CLOCK_TICKS;
}

async function measure(run: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
  const cpu0 = await cpuWithChildren();
  const t0 = performance.now();
  await run();
  return { wall: (performance.now() - t0) / 1000, cpu: (await cpuWithChildren()) - cpu0 };
}

it(`audio rip of a ${MINUTES}-minute BIN/CUE: disk2iso vs cd-paranoia -B then flac, sequential`, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'disk2iso-bench-audio-'));
  try {
    const sectors = Math.floor((MINUTES * 60 * 75) / TRACKS);
    const t0 = performance.now();
    const disc = await writeSampleAudioCd(join(dir, 'cd', 'disc.cue'), {
      title: 'Bench',
      performer: 'disk2iso',
      tracks: Array.from({ length: TRACKS }, (_, i) => ({ sectors, title: `Track ${i + 1}` })),
    });
    console.log(`image: ${TRACKS} tracks, ${MINUTES} min, ${((sectors * TRACKS * 2352) / 1e6).toFixed(0)} MB, made in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const audioSeconds = (sectors * TRACKS) / 75;

    const seqDir = join(dir, 'sequential');
    await mkdir(seqDir);
    const sequential = await measure(async () => {
      await execa('cd-paranoia', ['-B', '-q', '-d', disc.cuePath], { cwd: seqDir });
      for (const wav of (await readdir(seqDir)).filter((f) => f.endsWith('.wav')).sort()) {
        await execa('flac', ['--best', '--silent', '--force', join(seqDir, wav)]);
      }
    });
    expect((await readdir(seqDir)).filter((f) => f.endsWith('.flac'))).toHaveLength(TRACKS);
    await rm(seqDir, { recursive: true, force: true });

    let outcome = '';
    const ours = await measure(async () => {
      const result = await runAudioRip({
        devicePath: disc.cuePath,
        ripper: 'cd-paranoia',
        toc: disc.toc,
        format: 'flac',
        output: 'folder',
        targetPath: join(dir, 'out', 'Bench'),
        metadata: null,
        checksums: [],
        signal: new AbortController().signal,
        stallTimeoutMs: 300_000,
        onProgress: () => undefined,
        logger: pino({ level: 'silent' }),
      });
      outcome = result.outcome;
    });
    expect(outcome).toBe('success');

    const ratio = ours.wall / sequential.wall;
    console.log(`cores: ${availableParallelism()}`);
    console.log(`sequential (cd-paranoia -B, then flac --best per WAV): ${sequential.wall.toFixed(1)} s wall, ${sequential.cpu.toFixed(1)} s CPU`);
    console.log(`disk2iso runAudioRip (read ‖ encode, CRC32 + AccurateRip): ${ours.wall.toFixed(1)} s wall, ${ours.cpu.toFixed(1)} s CPU`);
    console.log(`ratio disk2iso / sequential: ${ratio.toFixed(2)} (target ≤ 0.60)`);
    console.log(`CPU / audio time: disk2iso ${(ours.cpu / audioSeconds).toFixed(3)}, sequential ${(sequential.cpu / audioSeconds).toFixed(3)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
