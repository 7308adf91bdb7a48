import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { createInterface } from 'node:readline';
import {
  applyLogLine,
  archiveIndexPath,
  archiveSummaryPath,
  ArchiveSummarySchema,
  delLine,
  headerLine,
  putLine,
  summarizeItems,
  type ArchiveItem,
  type ArchiveSummary,
  type ArchiveVerify,
} from '../contract/archive-index.js';
import { SCHEMA_VERSION, writeJsonAtomic } from '../contract/index.js';
import type { Logger } from '../log/index.js';
import { errnoCode, errorMessage } from '../util/errors.js';
import { itemOf, scanOne, scanOutputFolder, unchanged } from './scan.js';

export interface ReconcileResult {
  added: number;
  removed: number;
  changed: number;
}

/** What the scrub adds to the summary. */
type ScrubSummary = Pick<ArchiveSummary, 'last_scrub' | 'scrub' | 'next_scrub'>;

/** A log with this many more lines than items is rewritten (deletes and re-puts pile up). */
const COMPACT_SLACK = 2_000;
const SUMMARY_DELAY_MS = 250;

/**
 * The core's archive index: every item in memory (a Map of small records) and on disk as an
 * append-only log that other parts tail (see src/contract/archive-index.ts). Built from the
 * folder and the `.disk2iso.json` records, reconciled with the folder at start and on demand,
 * updated when a job writes an image or the UI deletes one. The only writer of the index files.
 */
export class ArchiveIndex {
  readonly #items = new Map<string, ArchiveItem>();
  readonly logPath: string;
  readonly summaryPath: string;
  #handle: FileHandle | null = null;
  #lines = 0;
  #generation = '';
  #queue: Promise<unknown> = Promise.resolve();
  #scrub: ScrubSummary = { last_scrub: null, scrub: null, next_scrub: null };
  #summaryTimer: NodeJS.Timeout | null = null;
  #summaryWrite: Promise<void> = Promise.resolve();
  /** Milliseconds the start-up load and reconciliation took (for the log and the bench). */
  startMs = 0;

  constructor(
    readonly outputDir: string,
    apiRoot: string,
    private readonly logger: Logger,
  ) {
    this.logPath = archiveIndexPath(apiRoot);
    this.summaryPath = archiveSummaryPath(apiRoot);
  }

  /** Loads the log, reconciles it with the folder, and rewrites it compacted. */
  async start(): Promise<ReconcileResult> {
    const began = performance.now();
    await this.#loadSummary();
    try {
      // Line by line: a 10,000-image log is never one string in memory.
      let bad = 0;
      const lines = createInterface({ input: createReadStream(this.logPath, { encoding: 'utf8', highWaterMark: 256 * 1024 }), crlfDelay: Infinity });
      for await (const line of lines) if (line.length > 0 && !applyLogLine(this.#items, line)) bad++;
      if (bad > 0) this.logger.warn({ path: this.logPath, bad }, 'skipped %d unreadable line(s) of the archive index (a line cut short by a crash is one)', bad);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') this.logger.warn({ path: this.logPath, err: errorMessage(error) }, 'archive index cannot be read; rebuilding it');
      this.#items.clear();
    }
    const result = await this.#reconcile(false);
    await this.#compact();
    await this.#writeSummary();
    this.startMs = performance.now() - began;
    this.logger.info({ items: this.#items.size, ...result, ms: Math.round(this.startMs) }, 'archive index ready: %d item(s)', this.#items.size);
    return result;
  }

  get size(): number {
    return this.#items.size;
  }

  get(rel: string): ArchiveItem | undefined {
    return this.#items.get(rel);
  }

  /** The items as they are now (for one synchronous pass: a query). */
  values(): IterableIterator<ArchiveItem> {
    return this.#items.values();
  }

  /** A snapshot of the items (the scrub walks it while the index changes). */
  list(): ArchiveItem[] {
    return [...this.#items.values()];
  }

  /** Reconcile with the folder now: images added or removed by hand are found. */
  reconcile(): Promise<ReconcileResult> {
    return this.#serial(() => this.#reconcile(true));
  }

  async #reconcile(append: boolean): Promise<ReconcileResult> {
    const scanned = await scanOutputFolder(this.outputDir);
    const seen = new Set<string>();
    const result: ReconcileResult = { added: 0, removed: 0, changed: 0 };
    const todo = scanned.filter((item) => {
      seen.add(item.path);
      const previous = this.#items.get(item.path);
      return !previous || !unchanged(previous, item);
    });
    // Records are read a few at a time: a first build reads thousands of small files.
    for (let i = 0; i < todo.length; i += 32) {
      const batch = await Promise.all(todo.slice(i, i + 32).map((s) => itemOf(s, this.#items.get(s.path))));
      for (const item of batch) {
        if (this.#items.has(item.path)) result.changed++;
        else result.added++;
        this.#items.set(item.path, item);
        if (append) await this.#append(putLine(item));
      }
    }
    for (const path of [...this.#items.keys()]) {
      if (seen.has(path)) continue;
      this.#items.delete(path);
      result.removed++;
      if (append) await this.#append(delLine(path));
    }
    if (append) await this.#maybeCompact();
    if (result.added + result.removed + result.changed > 0) this.#summaryLater();
    return result;
  }

  /** An image (or folder) was written or changed: re-reads it and its record. */
  refresh(abs: string): Promise<ArchiveItem | null> {
    return this.#serial(async () => {
      const rel = relative(this.outputDir, abs).split(sep).join('/');
      if (rel.startsWith('..')) return null;
      const scanned = await scanOne(this.outputDir, rel);
      if (!scanned) {
        if (this.#items.delete(rel)) await this.#append(delLine(rel));
        this.#summaryLater();
        return null;
      }
      const item = await itemOf(scanned, undefined);
      this.#items.set(rel, item);
      await this.#append(putLine(item));
      this.#summaryLater();
      return item;
    });
  }

  /** An item was deleted (through the UI). */
  remove(rel: string): Promise<void> {
    return this.#serial(async () => {
      if (!this.#items.delete(rel)) return;
      await this.#append(delLine(rel));
      this.#summaryLater();
    });
  }

  /** Records a verification result; ignored when the item changed or went away meanwhile. */
  setVerify(rel: string, verify: ArchiveVerify, expect?: Pick<ArchiveItem, 'size' | 'mtime'>): Promise<ArchiveItem | null> {
    return this.#serial(async () => {
      const current = this.#items.get(rel);
      if (!current) return null;
      if (expect && (current.size !== expect.size || current.mtime !== expect.mtime)) return null;
      const item = { ...current, verify };
      this.#items.set(rel, item);
      await this.#append(putLine(item));
      this.#summaryLater();
      return item;
    });
  }

  /** The scrub's part of archive.json; written at once. */
  async setScrub(scrub: Partial<ScrubSummary>): Promise<void> {
    this.#scrub = { ...this.#scrub, ...scrub };
    await this.#writeSummary();
  }

  get scrubSummary(): ScrubSummary {
    return this.#scrub;
  }

  summary(): ArchiveSummary {
    return {
      schema_version: SCHEMA_VERSION,
      ...summarizeItems(this.#items.values()),
      ...this.#scrub,
      generation: this.#generation,
      updated: new Date().toISOString(),
    };
  }

  async stop(): Promise<void> {
    await this.#queue.catch(() => undefined);
    if (this.#summaryTimer) {
      clearTimeout(this.#summaryTimer);
      this.#summaryTimer = null;
      await this.#writeSummary();
    }
    await this.#summaryWrite;
    await this.#handle?.close();
    this.#handle = null;
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #append(line: string): Promise<void> {
    if (!this.#handle) throw new Error('ArchiveIndex used before start()');
    await this.#handle.write(line);
    this.#lines++;
  }

  async #maybeCompact(): Promise<void> {
    if (this.#lines > this.#items.size + COMPACT_SLACK) await this.#compact();
  }

  /**
   * Rewrites the log as a header and one line per item, in chunks, then renames it over the old
   * one (readers see a new inode and read it again from the start).
   */
  async #compact(): Promise<void> {
    this.#generation = randomUUID();
    await mkdir(dirname(this.logPath), { recursive: true });
    const temp = join(dirname(this.logPath), `.${basename(this.logPath)}.${process.pid}.tmp`);
    const out = await open(temp, 'w', 0o644);
    let lines = 1;
    try {
      let chunk = headerLine(this.#generation);
      for (const item of this.#items.values()) {
        chunk += putLine(item);
        lines++;
        if (chunk.length >= 256 * 1024) {
          await out.write(chunk);
          chunk = '';
        }
      }
      await out.write(chunk);
      await out.sync();
    } catch (error) {
      await out.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await out.close();
    await this.#handle?.close();
    await rename(temp, this.logPath);
    this.#handle = await open(this.logPath, 'a');
    this.#lines = lines;
  }

  async #loadSummary(): Promise<void> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.summaryPath, 'utf8'));
      if (typeof parsed === 'object' && parsed !== null && 'last_scrub' in parsed) {
        const summary = ArchiveSummarySchema.safeParse(parsed);
        if (summary.success) this.#scrub = { last_scrub: summary.data.last_scrub, scrub: null, next_scrub: summary.data.next_scrub };
      }
    } catch {
      // No summary yet: no scrub has run.
    }
  }

  #summaryLater(): void {
    if (this.#summaryTimer) return;
    this.#summaryTimer = setTimeout(() => {
      this.#summaryTimer = null;
      void this.#writeSummary();
    }, SUMMARY_DELAY_MS);
    this.#summaryTimer.unref();
  }

  #writeSummary(): Promise<void> {
    this.#summaryWrite = this.#summaryWrite
      .then(() => writeJsonAtomic(this.summaryPath, this.summary()))
      .catch((error: unknown) => this.logger.error({ path: this.summaryPath, err: errorMessage(error) }, 'writing archive.json failed'));
    return this.#summaryWrite;
  }
}
