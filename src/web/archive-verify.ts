import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Logger } from '../log/index.js';
import { folderCheckDetail, readManifest } from '../util/checksum-manifest.js';
import { errorMessage } from '../util/errors.js';
import type { ArchiveItem, ArchiveVerify } from '../contract/archive-index.js';
import { readSidecarDigest } from './archive-fs.js';

export type ChecksumAlgorithm = 'sha256' | 'md5';

export type ChecksumState =
  | { status: 'none' }
  | { status: 'unverified' | 'queued'; algorithms: ChecksumAlgorithm[] }
  | { status: 'verifying'; algorithms: ChecksumAlgorithm[]; percent: number }
  | { status: 'ok' | 'mismatch' | 'missing' | 'error'; algorithms: ChecksumAlgorithm[]; checked_at: string; detail: string | null };

/** Where a finished verification is reported (the core's archive index). */
export type VerifyResultSink = (rel: string, verify: ArchiveVerify, item: { size: number; mtime: string }) => void;

interface Entry {
  size: number;
  mtime: string;
  state: ChecksumState;
}

interface Job {
  rel: string;
  abs: string;
  kind: ArchiveItem['kind'];
  algorithms: ChecksumAlgorithm[];
  controller: AbortController;
}

/** The files one verification reads, and the digests each should have (by algorithm). */
interface Target {
  path: string;
  /** Shown in the detail: the image's file name, or the folder's file by its path in the folder. */
  name: string;
  expected: (string | null)[];
}

/** What one verification found: the problems (none: ok), and whether any is a mismatch. */
interface Findings {
  problems: string[];
  mismatch: boolean;
}

function algorithmsOf(item: Pick<ArchiveItem, 'sidecars'>): ChecksumAlgorithm[] {
  const list: ChecksumAlgorithm[] = [];
  if (item.sidecars.sha256) list.push('sha256');
  if (item.sidecars.md5) list.push('md5');
  return list;
}

/**
 * Verifies images against their sidecars on demand, one at a time, streaming the file through
 * node:crypto so the event loop stays free. Results are kept in memory per file and dropped as
 * soon as the file's size or mtime changes.
 */
export class ChecksumVerifier {
  readonly #entries = new Map<string, Entry>();
  readonly #queue: Job[] = [];
  #running: Job | null = null;

  constructor(
    private readonly logger: Logger,
    private readonly onResult: VerifyResultSink = () => undefined,
  ) {}

  /**
   * The checksum state of an indexed item: a verification running or just done here, else the
   * last one recorded in the index (the scrub's or an earlier on-demand one).
   */
  stateOf(item: ArchiveItem): ChecksumState {
    const algorithms = algorithmsOf(item);
    if (item.verify?.status === 'missing') return { status: 'missing', algorithms, checked_at: item.verify.at, detail: item.verify.detail };
    if (algorithms.length === 0) return { status: 'none' };
    const entry = this.#entries.get(item.path);
    if (entry && entry.size === item.size && entry.mtime === item.mtime) return entry.state;
    if (item.verify) return { status: item.verify.status, algorithms, checked_at: item.verify.at, detail: item.verify.detail };
    return { status: 'unverified', algorithms };
  }

  /** Queues a verification (no-op while one for the same file is queued or running). */
  async request(rel: string, abs: string, item: Pick<ArchiveItem, 'sidecars' | 'kind' | 'size' | 'mtime'>): Promise<ChecksumState> {
    // A folder is checked against its first manifest (sha256 when both are there).
    const algorithms = item.kind === 'folder' ? algorithmsOf(item).slice(0, 1) : algorithmsOf(item);
    if (algorithms.length === 0) return { status: 'none' };
    const current = this.#entries.get(rel)?.state;
    if (current && (current.status === 'queued' || current.status === 'verifying')) return current;
    // Kept while the item is unchanged: an image by its own stat, a folder as the index measured it.
    const info = item.kind === 'folder' ? item : await stat(abs).then((s) => ({ size: s.size, mtime: s.mtime.toISOString() }));
    const state: ChecksumState = { status: 'queued', algorithms };
    this.#entries.set(rel, { size: info.size, mtime: info.mtime, state });
    this.#queue.push({ rel, abs, kind: item.kind, algorithms, controller: new AbortController() });
    if (!this.#running) void this.#drain();
    return state;
  }

  /** Stops and forgets any verification of `rel` (the file is about to be deleted). */
  forget(rel: string): void {
    if (this.#running?.rel === rel) this.#running.controller.abort();
    const index = this.#queue.findIndex((job) => job.rel === rel);
    if (index >= 0) this.#queue.splice(index, 1);
    this.#entries.delete(rel);
  }

  stop(): void {
    this.#queue.length = 0;
    this.#running?.controller.abort();
  }

  async #drain(): Promise<void> {
    for (let job = this.#queue.shift(); job; job = this.#queue.shift()) {
      this.#running = job;
      await this.#verify(job);
      this.#running = null;
    }
  }

  #set(rel: string, state: ChecksumState): void {
    const entry = this.#entries.get(rel);
    if (entry) entry.state = state;
  }

  /** Streams every target through node:crypto (the event loop stays free) and compares. */
  async #read(job: Job, targets: readonly Target[]): Promise<Findings> {
    const { rel, algorithms } = job;
    const sizes = await Promise.all(targets.map((t) => lstat(t.path).then((info) => (info.isFile() ? info.size : null), () => null)));
    const total = sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0);
    const found: Findings = { problems: [], mismatch: false };
    let done = 0;
    this.#set(rel, { status: 'verifying', algorithms, percent: 0 });
    for (const [i, target] of targets.entries()) {
      if (sizes[i] === null) {
        if (job.kind !== 'folder') throw new Error(`the image is gone: ${target.name}`);
        found.problems.push(`${target.name} (missing)`);
        found.mismatch = true;
        continue;
      }
      const hashes = algorithms.map((a) => createHash(a));
      try {
        const stream = createReadStream(target.path, { highWaterMark: 1 << 20, signal: job.controller.signal });
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          for (const hash of hashes) hash.update(chunk);
          done += chunk.length;
          this.#set(rel, { status: 'verifying', algorithms, percent: total > 0 ? Math.min(100, (done / total) * 100) : 100 });
        }
      } catch (error) {
        // An image that cannot be read ends the check as an error; a folder goes on with its other files.
        if (job.kind !== 'folder' || job.controller.signal.aborted) throw error;
        found.problems.push(`${target.name} (${errorMessage(error)})`);
        continue;
      }
      for (const [k, hash] of hashes.entries()) {
        const expected = target.expected[k] ?? null;
        const actual = hash.digest('hex');
        if (expected === actual) continue;
        found.mismatch = true;
        const algorithm = algorithms[k] ?? '?';
        if (job.kind === 'folder') found.problems.push(target.name);
        else found.problems.push(expected === null ? `${algorithm} sidecar has no digest` : `${algorithm} is ${actual}, sidecar says ${expected}`);
      }
    }
    return found;
  }

  async #verify(job: Job): Promise<void> {
    const { rel, abs, algorithms } = job;
    const finish = (status: 'ok' | 'mismatch' | 'error', detail: string | null): void => {
      const at = new Date().toISOString();
      this.#set(rel, { status, algorithms, checked_at: at, detail });
      const entry = this.#entries.get(rel);
      if (entry) this.onResult(rel, { status, at, algorithm: algorithms[0] ?? null, detail }, entry);
    };
    try {
      const targets = job.kind === 'folder' ? await folderTargets(abs, algorithms[0] ?? 'sha256') : await imageTargets(abs, algorithms);
      const found = await this.#read(job, targets);
      const status = found.problems.length === 0 ? 'ok' : found.mismatch ? 'mismatch' : 'error';
      const detail = found.problems.length === 0 ? null : job.kind === 'folder' ? folderCheckDetail(found.problems, targets.length) : found.problems.join('; ');
      finish(status, detail);
      this.logger.info({ image: rel, result: status }, 'checksum verified');
    } catch (error) {
      if (job.controller.signal.aborted) return;
      finish('error', errorMessage(error));
      this.logger.warn({ image: rel, err: errorMessage(error) }, 'checksum verification failed');
    }
  }
}

/** An image: itself, against the digest of each sidecar. */
async function imageTargets(abs: string, algorithms: readonly ChecksumAlgorithm[]): Promise<Target[]> {
  return [{ path: abs, name: basename(abs), expected: await Promise.all(algorithms.map((a) => readSidecarDigest(abs, a))) }];
}

/** An audio folder: every file its manifest lists (none outside the folder). */
async function folderTargets(abs: string, algorithm: ChecksumAlgorithm): Promise<Target[]> {
  return (await readManifest(abs, algorithm)).map((entry) => ({ path: join(abs, ...entry.path.split('/')), name: entry.path, expected: [entry.digest] }));
}
