import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Logger } from '../log/index.js';
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
  algorithms: ChecksumAlgorithm[];
  controller: AbortController;
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
    if (item.kind !== 'image' || algorithms.length === 0) return { status: 'none' };
    const entry = this.#entries.get(item.path);
    if (entry && entry.size === item.size && entry.mtime === item.mtime) return entry.state;
    if (item.verify) return { status: item.verify.status, algorithms, checked_at: item.verify.at, detail: item.verify.detail };
    return { status: 'unverified', algorithms };
  }

  /** Queues a verification (no-op while one for the same file is queued or running). */
  async request(rel: string, abs: string, item: Pick<ArchiveItem, 'sidecars'>): Promise<ChecksumState> {
    const algorithms = algorithmsOf(item);
    if (algorithms.length === 0) return { status: 'none' };
    const current = this.#entries.get(rel)?.state;
    if (current && (current.status === 'queued' || current.status === 'verifying')) return current;
    const info = await stat(abs);
    const state: ChecksumState = { status: 'queued', algorithms };
    this.#entries.set(rel, { size: info.size, mtime: info.mtime.toISOString(), state });
    this.#queue.push({ rel, abs, algorithms, controller: new AbortController() });
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

  async #verify(job: Job): Promise<void> {
    const { rel, abs, algorithms } = job;
    const finish = (status: 'ok' | 'mismatch' | 'error', detail: string | null): void => {
      const at = new Date().toISOString();
      this.#set(rel, { status, algorithms, checked_at: at, detail });
      const entry = this.#entries.get(rel);
      if (entry) this.onResult(rel, { status, at, algorithm: algorithms[0] ?? null, detail }, entry);
    };
    try {
      const expected = await Promise.all(algorithms.map((a) => readSidecarDigest(abs, a)));
      const size = (await stat(abs)).size;
      const hashes = algorithms.map((a) => createHash(a));
      let done = 0;
      this.#set(rel, { status: 'verifying', algorithms, percent: 0 });
      const stream = createReadStream(abs, { highWaterMark: 1 << 20, signal: job.controller.signal });
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        for (const hash of hashes) hash.update(chunk);
        done += chunk.length;
        this.#set(rel, { status: 'verifying', algorithms, percent: size > 0 ? Math.min(100, (done / size) * 100) : 100 });
      }
      const actual = hashes.map((hash) => hash.digest('hex'));
      const problems = algorithms.flatMap((algorithm, i) => {
        if (expected[i] === null) return [`${algorithm} sidecar has no digest`];
        return expected[i] === actual[i] ? [] : [`${algorithm} is ${actual[i]}, sidecar says ${expected[i]}`];
      });
      finish(problems.length === 0 ? 'ok' : 'mismatch', problems.length === 0 ? null : problems.join('; '));
      this.logger.info({ image: rel, result: problems.length === 0 ? 'ok' : 'mismatch' }, 'checksum verified');
    } catch (error) {
      if (job.controller.signal.aborted) return;
      finish('error', errorMessage(error));
      this.logger.warn({ image: rel, err: errorMessage(error) }, 'checksum verification failed');
    }
  }
}
