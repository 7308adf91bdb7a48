import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { DriveReadError, SimulatedDrive, simInsert, simReset, type DiscReader, type SimState } from '../../src/drive/index.js';
import type { CopyProgressSample, CopyRequest } from '../../src/copy/index.js';

export const silentLogger = pino({ level: 'silent' });

export async function tempDir(prefix = 'copy-'): Promise<string> {
  return mkdtemp(join(tmpdir(), `disk2iso-${prefix}`));
}

export async function simDrive(root: string, image: string, patch: Partial<SimState> = {}): Promise<{ folder: string; drive: SimulatedDrive }> {
  const folder = join(root, 'sim');
  await simReset(folder);
  await simInsert(folder, image, patch);
  return { folder, drive: new SimulatedDrive('sim0', folder) };
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function md5(data: Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

/** The first `bytes` of a file. */
export async function head(path: string, bytes: number): Promise<Buffer> {
  return (await readFile(path)).subarray(0, bytes);
}

export interface RequestHarness {
  request: CopyRequest;
  samples: CopyProgressSample[];
  controller: AbortController;
}

export function copyRequest(reader: DiscReader, sizeBytes: number, targetPath: string, overrides: Partial<CopyRequest> = {}): RequestHarness {
  const samples: CopyProgressSample[] = [];
  const controller = new AbortController();
  const request: CopyRequest = {
    reader,
    sizeBytes,
    targetPath,
    checksums: ['sha256'],
    verify: false,
    readRetries: 0,
    onReadError: 'keep_degraded',
    stallTimeoutMs: 120_000,
    signal: controller.signal,
    onProgress: (p) => samples.push(p),
    logger: silentLogger,
    ...overrides,
  };
  return { request, samples, controller };
}

/** Polls `condition` until it is true (generous timeout; no timing assertions). */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 30_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Names in a folder (to assert nothing partial is left). */
export async function listDir(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).sort();
}

/**
 * A DiscReader at the boundary: fails reads touching the given sectors for the first
 * `failures` attempts of each (a marginal sector that reads on a retry); counts bytes read.
 */
export function flakyReader(inner: DiscReader, sectors: readonly number[], failures: number): DiscReader & { bytesRead: number; attempts: Map<number, number> } {
  const attempts = new Map<number, number>();
  const wrapper = {
    sizeBytes: inner.sizeBytes,
    devicePath: inner.devicePath,
    bytesRead: 0,
    attempts,
    async read(buffer: Buffer, position: number, length: number): Promise<number> {
      const first = Math.floor(position / 2048);
      const last = Math.floor((position + length - 1) / 2048);
      let failAt: number | null = null;
      for (const sector of sectors) {
        if (sector < first || sector > last) continue;
        const seen = attempts.get(sector) ?? 0;
        attempts.set(sector, seen + 1);
        if (seen < failures && failAt === null) failAt = sector;
      }
      if (failAt !== null) throw new DriveReadError('flaky', failAt * 2048, 'EIO');
      const n = await inner.read(buffer, position, length);
      wrapper.bytesRead += n;
      return n;
    },
    close: () => inner.close(),
  };
  return wrapper;
}
