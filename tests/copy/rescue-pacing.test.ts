import { join } from 'node:path';
import { Writable } from 'node:stream';
import { execa } from 'execa';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCopy } from '../../src/copy/index.js';
import { DriveReadError, type DiscReader } from '../../src/drive/index.js';
import { copyRequest, tempDir } from './helpers.js';

const SECTORS = 16 * 1024;

/** Every read rejects at once, as the Linux reader's lane does after a time-out: microtasks only. */
function deadReader(): DiscReader & { reads: number } {
  const reader = {
    sizeBytes: SECTORS * 2048,
    devicePath: '/dev/sr0',
    reads: 0,
    read: (_buffer: Buffer, position: number): Promise<number> => {
      reader.reads++;
      return Promise.reject(new DriveReadError('/dev/sr0', position, 'EIO'));
    },
    close: () => Promise.resolve(),
  };
  return reader;
}

describe('a rescue of a disc that fails everywhere', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('pacing-');
  });
  afterAll(async () => {
    await execa('rm', ['-rf', dir]);
  });

  it('lets timers and I/O callbacks run while it rescues, and logs read errors as a few summaries', async () => {
    const reader = deadReader();
    const lines: string[] = [];
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const { request, samples } = copyRequest(reader, reader.sizeBytes, join(dir, 'dead', 'DEAD.iso'), { readRetries: 1, logger });
    // A timer that fires during the rescue notes how far the rescue had got.
    let samplesAtTimer = -1;
    const timer = setInterval(() => {
      if (samplesAtTimer < 0 && samples.some((s) => s.phase === 'rescuing')) samplesAtTimer = samples.length;
    }, 1);
    const result = await runCopy(request);
    clearInterval(timer);

    expect(result).toMatchObject({ outcome: 'degraded', badSectors: SECTORS });
    expect(reader.reads).toBeGreaterThan(2 * SECTORS);
    expect(samplesAtTimer).toBeGreaterThan(0);
    expect(samplesAtTimer).toBeLessThan(samples.length);
    const readErrorLines = lines.filter((l) => l.includes('read error'));
    expect(readErrorLines.length).toBeGreaterThan(0);
    expect(readErrorLines.length).toBeLessThan(50);
    expect(lines.some((l) => /more read errors, last at byte \d+/.test(l))).toBe(true);
  }, 60_000);
});
