import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { ArchiveItem, ArchiveVerify, ScrubRun } from '../contract/archive-index.js';
import type { Logger } from '../log/index.js';
import { digestOf, folderCheckDetail, readManifest, type ManifestAlgorithm } from '../util/checksum-manifest.js';
import { errorMessage } from '../util/errors.js';
import type { ArchiveIndex } from './index-store.js';
import { verifyEvent, type ArchiveEventSink } from './control.js';

export const SCRUB_INTERVALS = { off: null, daily: 86_400_000, weekly: 7 * 86_400_000, monthly: 30 * 86_400_000 } as const;
export type ScrubInterval = keyof typeof SCRUB_INTERVALS;

/** The first scrub of an archive never scrubbed waits this long after start (the add-on just came up). */
const FIRST_SCRUB_DELAY_MS = 30 * 60_000;
/** How often the schedule is looked at (a month does not fit one timer). */
const SCHEDULE_CHECK_MS = 15 * 60_000;

export interface ScrubDeps {
  readonly index: ArchiveIndex;
  readonly logger: Logger;
  /** Appends to events.jsonl (image_verified, image_corrupt). */
  readonly event: ArchiveEventSink;
  readonly interval: ScrubInterval;
  /** Milliseconds between scheduled scrubs, instead of the interval's (tests). */
  readonly intervalMs?: number;
  /** The reader's command prefix; default: idle I/O class and lowest CPU priority. */
  readonly lowPriority?: readonly string[];
}

const LOW_PRIORITY = ['ionice', '-c', '3', 'nice', '-n', '19'] as const;

/** What reading one item found, and what its image_corrupt event carries besides the rule's fields. */
interface CheckRead {
  status: 'ok' | 'mismatch' | 'error';
  detail: string | null;
  evidence: Record<string, unknown>;
}

/**
 * The scrub: re-reads every image of the index (and every file of an audio folder with a
 * manifest), one at a time, through `sha256sum` (or `md5sum`) in a child process at the idle I/O
 * class, and compares it with its checksum record. Stopped
 * (SIGSTOP) while a disc is copied and continued after. Results go into the index (and from
 * there archive.json and the Archive page) and into events.jsonl.
 */
export class Scrubber {
  #running: Promise<void> | null = null;
  #child: ResultPromise | null = null;
  #paused = false;
  #resume: (() => void) | null = null;
  #stopping = false;
  #timer: NodeJS.Timeout | null = null;
  #prefix: readonly string[];
  readonly #startedAt = Date.now();
  #run: { started: string; checked: number; total: number; corrupt: number; missing: number; bytes: number } | null = null;

  constructor(private readonly deps: ScrubDeps) {
    this.#prefix = deps.lowPriority ?? LOW_PRIORITY;
  }

  get running(): boolean {
    return this.#running !== null;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Starts the schedule: the next scrub is due one interval after the last one. */
  async schedule(): Promise<void> {
    await this.deps.index.setScrub({ next_scrub: this.#nextDue() });
    if (this.#every() === null) return;
    this.#timer = setInterval(() => this.#checkDue(), Math.min(SCHEDULE_CHECK_MS, this.#every() ?? SCHEDULE_CHECK_MS));
    this.#timer.unref();
    this.#checkDue();
  }

  #every(): number | null {
    return this.deps.intervalMs ?? SCRUB_INTERVALS[this.deps.interval];
  }

  #nextDue(): string | null {
    const every = this.#every();
    if (every === null) return null;
    const last = this.deps.index.scrubSummary.last_scrub?.finished;
    const due = last ? Date.parse(last) + every : this.#startedAt + Math.min(every, FIRST_SCRUB_DELAY_MS);
    return new Date(due).toISOString();
  }

  #checkDue(): void {
    const next = this.#nextDue();
    if (next !== null && Date.now() >= Date.parse(next)) this.start();
  }

  /** Starts a scrub now; false when one is running already. */
  start(): boolean {
    if (this.#running || this.#stopping) return false;
    this.#running = this.#scrub()
      .catch((error: unknown) => this.deps.logger.error({ err: errorMessage(error) }, 'the scrub failed'))
      .finally(() => {
        this.#running = null;
      });
    return true;
  }

  /** A disc is being copied: the reader stops at once (its next read waits). */
  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#child?.kill('SIGSTOP');
    void this.#progress();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#child?.kill('SIGCONT');
    this.#resume?.();
    this.#resume = null;
    void this.#progress();
  }

  /** Waits for a running scrub to end (tests, the bench). */
  async settled(): Promise<void> {
    await this.#running;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#child?.kill('SIGKILL');
    this.#resume?.();
    await this.#running;
  }

  async #progress(): Promise<void> {
    const run = this.#run;
    await this.deps.index.setScrub({ scrub: run ? { started: run.started, checked: run.checked, total: run.total, paused: this.#paused } : null });
  }

  async #scrub(): Promise<void> {
    const images = this.deps.index.checkablePaths();
    const run = { started: new Date().toISOString(), checked: 0, total: images.length, corrupt: 0, missing: 0, bytes: 0 };
    this.#run = run;
    const began = performance.now();
    this.deps.logger.info({ images: images.length }, 'scrub started: re-reading %d image(s)', images.length);
    await this.#progress();
    for (const path of images) {
      if (this.#paused) await new Promise<void>((resolve) => (this.#resume = resolve));
      if (this.#stopping) return;
      // The index may have changed while earlier images were read.
      const item = await this.deps.index.get(path);
      if (item) await this.#check(item);
      run.checked++;
      await this.#progress();
    }
    const finished = new Date().toISOString();
    const last: ScrubRun = { started: run.started, finished, checked: run.checked, corrupt: run.corrupt, missing: run.missing, bytes: run.bytes };
    this.#run = null;
    await this.deps.index.setScrub({ last_scrub: last, scrub: null });
    await this.deps.index.setScrub({ next_scrub: this.#nextDue() });
    const seconds = (performance.now() - began) / 1000;
    this.deps.logger.info(
      { ...last, seconds: Math.round(seconds), mb_per_s: seconds > 0 ? Math.round(run.bytes / 1048576 / seconds) : null },
      'scrub finished: %d image(s), %d corrupt, %d missing',
      last.checked,
      last.corrupt,
      last.missing,
    );
  }

  async #check(item: ArchiveItem): Promise<void> {
    const run = this.#run;
    if (!run) return;
    const at = new Date().toISOString();
    if (!item.present) {
      run.missing++;
      const verify: ArchiveVerify = { status: 'missing', at, algorithm: null, detail: item.verify?.detail ?? 'the image is gone, its record is still there' };
      await this.deps.index.setVerify(item.path, verify);
      await this.deps.event('image_corrupt', { path: item.path, reason: 'missing', label: item.metadata?.disc_label ?? null, source: 'scrub' });
      return;
    }
    const algorithm = item.sidecars.sha256 ? 'sha256' : item.sidecars.md5 ? 'md5' : null;
    if (algorithm === null) return; // nothing to compare with
    const abs = `${this.deps.index.outputDir}/${item.path}`;
    const read = item.kind === 'folder' ? await this.#readFolder(abs, algorithm) : await this.#readImage(abs, algorithm);
    if (read === null || this.#stopping) return;
    run.bytes += item.size;
    const verify: ArchiveVerify = { status: read.status, at, algorithm, detail: read.detail };
    // Recorded only for the file that was read: one replaced meanwhile is re-read next time.
    const recorded = await this.deps.index.setVerify(item.path, verify, item);
    if (!recorded) return;
    if (verify.status === 'mismatch') {
      run.corrupt++;
      this.deps.logger.warn({ image: item.path, detail: verify.detail }, 'scrub: %s does not match its checksum record', item.path);
    } else if (verify.status === 'error') {
      this.deps.logger.warn({ image: item.path, err: verify.detail }, 'scrub: %s could not be read', item.path);
    }
    const worth = verifyEvent(item, verify, recorded.before?.status ?? null, 'scrub');
    if (worth) await this.deps.event(worth.type, worth.type === 'image_corrupt' ? { ...worth.data, ...read.evidence } : worth.data);
  }

  /** One image against its sidecar; null when the sidecar holds no digest (nothing to compare with). */
  async #readImage(abs: string, algorithm: ManifestAlgorithm): Promise<CheckRead | null> {
    const expected = digestOf(await readFile(`${abs}.${algorithm}`, 'utf8').catch(() => ''), algorithm);
    if (expected === null) return null;
    const actual = await this.#hash(abs, algorithm);
    const evidence = { expected, actual: actual.digest };
    if (actual.digest === null) return { status: 'error', detail: actual.error, evidence };
    if (actual.digest === expected) return { status: 'ok', detail: null, evidence };
    return { status: 'mismatch', detail: `${algorithm} is ${actual.digest}, the record says ${expected}`, evidence };
  }

  /**
   * Every file of an audio folder against the folder's manifest, one child reader per file. A file
   * gone or different makes the folder corrupt; one that cannot be read (and nothing worse) an error.
   */
  async #readFolder(abs: string, algorithm: ManifestAlgorithm): Promise<CheckRead | null> {
    let entries;
    try {
      entries = await readManifest(abs, algorithm);
    } catch (error) {
      return { status: 'error', detail: errorMessage(error), evidence: {} };
    }
    const differ: string[] = [];
    const unreadable: string[] = [];
    for (const entry of entries) {
      if (this.#stopping) return null;
      const file = join(abs, ...entry.path.split('/'));
      const exists = await lstat(file).then((info) => info.isFile(), () => false);
      const actual = exists ? await this.#hash(file, algorithm) : null;
      if (actual === null) differ.push(`${entry.path} (missing)`);
      else if (actual.digest === null) unreadable.push(`${entry.path} (${actual.error ?? 'unreadable'})`);
      else if (actual.digest !== entry.digest) differ.push(entry.path);
    }
    const total = entries.length;
    const evidence = { files: [...differ, ...unreadable].slice(0, 20) };
    if (differ.length > 0) return { status: 'mismatch', detail: folderCheckDetail([...differ, ...unreadable], total), evidence };
    if (unreadable.length > 0) return { status: 'error', detail: folderCheckDetail(unreadable, total), evidence };
    return { status: 'ok', detail: null, evidence };
  }

  /** The digest of one file, read by `<algorithm>sum` at low priority in a child process. */
  async #hash(abs: string, algorithm: 'sha256' | 'md5'): Promise<{ digest: string | null; error: string | null }> {
    const [command = `${algorithm}sum`, ...prefixArgs] = [...this.#prefix, `${algorithm}sum`];
    const child = execa(command, [...prefixArgs, '-b', '--', abs], { reject: false, stdin: 'ignore', stripFinalNewline: true });
    this.#child = child;
    if (this.#paused) child.kill('SIGSTOP');
    const result = await child;
    this.#child = null;
    if (result.failed && (result as { code?: string }).code === 'ENOENT' && this.#prefix.length > 0) {
      // No ionice/nice on this system: the reader runs at normal priority (still paused while copying).
      this.deps.logger.warn({ command }, 'scrub: %s is not installed, reading at normal priority', command);
      this.#prefix = [];
      return this.#hash(abs, algorithm);
    }
    if (result.exitCode !== 0) return { digest: null, error: (String(result.stderr).trim() || `${algorithm}sum exited with ${result.exitCode ?? result.signal ?? '?'}`).slice(0, 500) };
    return { digest: digestOf(String(result.stdout), algorithm), error: null };
  }
}
