import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, mkdir, open, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { createInterface } from 'node:readline';
import {
  archiveIndexPath,
  archiveSummaryPath,
  ArchiveSummarySchema,
  countKeys,
  delLine,
  headerLine,
  keysOf,
  parseLogLine,
  putLine,
  queryKeys,
  type ArchiveCounts,
  type ArchiveItem,
  type ArchiveKeys,
  type ArchiveQuery,
  type ArchiveQueryPage,
  type ArchiveSummary,
  type ArchiveVerify,
} from '../contract/archive-index.js';
import { SCHEMA_VERSION, writeJsonAtomic } from '../contract/index.js';
import { IMAGE_FOLDERS, METADATA_SUFFIX } from '../copy/index.js';
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
/** A log replaced by a compaction stays open this long for the page reads already under way. */
const RETIRED_CLOSE_MS = 10_000;

/** The 8 sidecar combinations, shared by all rows. */
const SIDECARS = new Map<number, ArchiveItem['sidecars']>();
function sharedSidecars(s: ArchiveItem['sidecars']): ArchiveItem['sidecars'] {
  const key = (s.sha256 ? 1 : 0) | (s.md5 ? 2 : 0) | (s.metadata ? 4 : 0);
  let shared = SIDECARS.get(key);
  if (!shared) SIDECARS.set(key, (shared = Object.freeze({ sha256: s.sha256, md5: s.md5, metadata: s.metadata })));
  return shared;
}

/**
 * What the core keeps in memory of one item: the keys a query sorts and filters by, what the
 * reconciliation compares with the folder, and where the item's line is in the log. The whole
 * item (record fields, the last check's detail) is read from the log only for the page shown.
 */
class Row implements ArchiveKeys {
  readonly path: string;
  readonly group: ArchiveItem['group'];
  readonly kind: ArchiveItem['kind'];
  readonly size: number;
  readonly mtime: string;
  readonly date: string;
  readonly label: string | null;
  readonly type: string | null;
  readonly result: string | null;
  readonly check: ArchiveVerify['status'] | null;
  readonly present: boolean;
  readonly sidecars: ArchiveItem['sidecars'];
  /** The record's fingerprint; undefined for a line written before the index kept it (its record is read again). */
  readonly fingerprint: string | null | undefined;
  /** Byte offset and length of the item's `put` line in the log file it was read from or written to. */
  offset: number;
  length: number;

  constructor(item: ArchiveItem, offset: number, length: number) {
    const keys = keysOf(item);
    this.path = keys.path;
    this.group = keys.group;
    this.kind = keys.kind;
    this.size = keys.size;
    this.mtime = item.mtime;
    this.date = keys.date;
    this.label = keys.label;
    this.type = keys.type;
    this.result = keys.result;
    this.check = keys.check;
    this.present = item.present;
    this.sidecars = sharedSidecars(item.sidecars);
    this.fingerprint = item.metadata ? item.metadata.fingerprint : null;
    this.offset = offset;
    this.length = length;
  }

  /** The item's name is the last segment of its path (an image, an audio folder, an album folder). */
  get name(): string {
    return this.path.slice(this.path.lastIndexOf('/') + 1);
  }
}

/**
 * Pure: the order in which today's folder scan (`findArchivedByFingerprint`) meets records: the
 * image folders in turn, each folder's own records before its artists' album folders, by name.
 */
function recordOrder(a: string, b: string): number {
  const rank = (path: string) => {
    const segments = path.split('/');
    return { folder: IMAGE_FOLDERS.indexOf(segments[0] as (typeof IMAGE_FOLDERS)[number]), depth: segments.length, name: (segments.at(-1) ?? '') + METADATA_SUFFIX };
  };
  const x = rank(a);
  const y = rank(b);
  if (x.folder !== y.folder) return x.folder - y.folder;
  if (x.depth !== y.depth) return x.depth - y.depth;
  const dirA = a.slice(0, a.lastIndexOf('/'));
  const dirB = b.slice(0, b.lastIndexOf('/'));
  if (dirA !== dirB) return dirA < dirB ? -1 : 1;
  return x.name < y.name ? -1 : x.name > y.name ? 1 : 0;
}

/** The log file rows point into: its handle (read and append) and its size. */
interface LogFile {
  handle: FileHandle;
  size: number;
}

/**
 * The core's archive index. On disk an append-only log that other parts tail (see
 * src/contract/archive-index.ts); in memory one small row per item (keys and the offset of its
 * line in the log), so memory grows by ~200 bytes per image, not by the whole record, and a page
 * reads its 50 items from the log. Built from the folder and the `.disk2iso.json` records,
 * reconciled with the folder at start and on demand, updated when a job writes an image or the UI
 * deletes one. The only writer of the index files.
 */
export class ArchiveIndex {
  readonly #rows = new Map<string, Row>();
  /** Fingerprint → path(s) of the items whose record has it: a string, an array only for a disc archived twice. */
  readonly #byFingerprint = new Map<string, string | string[]>();
  readonly logPath: string;
  readonly summaryPath: string;
  #file: LogFile | null = null;
  #lines = 0;
  #generation = '';
  #queue: Promise<unknown> = Promise.resolve();
  #scrub: ScrubSummary = { last_scrub: null, scrub: null, next_scrub: null };
  #summaryTimer: NodeJS.Timeout | null = null;
  #summaryWrite: Promise<void> = Promise.resolve();
  #counts: ArchiveCounts | null = null;
  /** The whole index in each order asked for, kept until the next change: paging through it sorts once. */
  readonly #sorted = new Map<string, Row[]>();
  readonly #retired = new Set<FileHandle>();
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

  /**
   * Loads the log and reconciles it with the folder (a stat of each file; a record is read only
   * for an item that is new or changed). A log that is whole and compact is kept and the changes
   * appended: a start with an unchanged folder writes nothing. Otherwise it is rewritten compacted.
   */
  async start(): Promise<ReconcileResult> {
    const began = performance.now();
    await this.#loadSummary();
    let lineCount = 0;
    let bad = 0;
    let generation: string | null = null;
    let offset = 0;
    try {
      // Line by line: a 10,000-image log is never one string in memory. Lines end in '\n' (we write them).
      const lines = createInterface({ input: createReadStream(this.logPath, { encoding: 'utf8', highWaterMark: 256 * 1024 }), crlfDelay: Infinity });
      for await (const line of lines) {
        const length = Buffer.byteLength(line) + 1;
        const at = offset;
        offset += length;
        if (line.length === 0) continue;
        lineCount++;
        const entry = parseLogLine(line);
        if (entry === null) bad++;
        else if (entry.op === 'header') generation ??= lineCount === 1 ? entry.generation : null;
        else if (entry.op === 'put') this.#setRow(new Row(entry.item, at, length));
        else this.#deleteRow(entry.path);
      }
      if (bad > 0) this.logger.warn({ path: this.logPath, bad }, 'skipped %d unreadable line(s) of the archive index (a line cut short by a crash is one)', bad);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') this.logger.warn({ path: this.logPath, err: errorMessage(error) }, 'archive index cannot be read; rebuilding it');
      this.#rows.clear();
      this.#byFingerprint.clear();
      generation = null;
    }
    const keep = generation !== null && bad === 0 && lineCount <= this.#rows.size + 1 + COMPACT_SLACK;
    if (keep) {
      this.#generation = generation ?? '';
      const handle = await open(this.logPath, 'a+');
      this.#file = { handle, size: (await handle.stat()).size };
      this.#lines = lineCount;
    } else {
      // Rewritten from what was read whole (the rows point into the old file until then).
      const old = await open(this.logPath, 'r').catch(() => null);
      try {
        await this.#compact(old);
      } finally {
        await old?.close();
      }
    }
    const result = await this.#reconcile();
    await this.#writeSummary();
    this.startMs = performance.now() - began;
    this.logger.info({ items: this.#rows.size, ...result, rewritten: !keep, ms: Math.round(this.startMs) }, 'archive index ready: %d item(s)', this.#rows.size);
    return result;
  }

  get size(): number {
    return this.#rows.size;
  }

  /** One item, read from the log. */
  async get(rel: string): Promise<ArchiveItem | undefined> {
    const row = this.#rows.get(rel);
    const file = this.#file;
    return row && file ? ((await this.#read(file.handle, row)) ?? undefined) : undefined;
  }

  /** What the scrub walks (while the index changes): every image, and every folder with a checksum manifest. */
  checkablePaths(): string[] {
    const paths: string[] = [];
    for (const row of this.#rows.values()) {
      if (row.kind === 'image' || row.sidecars.sha256 || row.sidecars.md5) paths.push(row.path);
    }
    return paths;
  }

  /**
   * The archived image (or album folder) whose record has `fingerprint` and that still exists,
   * the first in the order of today's folder scan; null when there is none. Waits for the changes
   * already asked for (a job's image being indexed), then reads no record: one access() per candidate.
   */
  async findByFingerprint(fingerprint: string): Promise<string | null> {
    await this.#queue;
    const paths = this.#byFingerprint.get(fingerprint);
    if (paths === undefined) return null;
    for (const rel of typeof paths === 'string' ? [paths] : [...paths].sort(recordOrder)) {
      const abs = join(this.outputDir, ...rel.split('/'));
      if (await access(abs).then(() => true, () => false)) return abs;
    }
    return null;
  }

  #setRow(row: Row): void {
    const old = this.#rows.get(row.path);
    if (old) this.#unlinkFingerprint(old);
    this.#rows.set(row.path, row);
    // Like the folder scan: records in the image folders only, not loose at the top of the output folder.
    if (typeof row.fingerprint !== 'string' || row.group === 'other') return;
    const paths = this.#byFingerprint.get(row.fingerprint);
    if (paths === undefined) this.#byFingerprint.set(row.fingerprint, row.path);
    else if (typeof paths === 'string') this.#byFingerprint.set(row.fingerprint, [paths, row.path]);
    else paths.push(row.path);
  }

  /** False when there was no such row. */
  #deleteRow(path: string): boolean {
    const old = this.#rows.get(path);
    if (!old) return false;
    this.#rows.delete(path);
    this.#unlinkFingerprint(old);
    return true;
  }

  #unlinkFingerprint(row: Row): void {
    if (typeof row.fingerprint !== 'string') return;
    const paths = this.#byFingerprint.get(row.fingerprint);
    if (paths === row.path) this.#byFingerprint.delete(row.fingerprint);
    else if (Array.isArray(paths)) {
      const rest = paths.filter((p) => p !== row.path);
      const [only] = rest;
      if (only === undefined) this.#byFingerprint.delete(row.fingerprint);
      else this.#byFingerprint.set(row.fingerprint, rest.length === 1 ? only : rest);
    }
  }

  /** One page of the items that match `query`, and the counts of the whole index. */
  async query(query: ArchiveQuery): Promise<{ page: ArchiveQueryPage; counts: ArchiveCounts }> {
    const file = this.#file;
    const page = this.#page(query);
    // Offsets are taken now, with the file they point into (a compaction may replace it meanwhile).
    const wanted = page.items.map((row) => ({ offset: row.offset, length: row.length, path: row.path }));
    const items = file ? await Promise.all(wanted.map((w) => this.#read(file.handle, w))) : [];
    return { page: { ...page, items: items.filter((item): item is ArchiveItem => item !== null) }, counts: this.counts() };
  }

  /** A page of rows: an unfiltered one from the index sorted once per order, a search from a pass over the rows. */
  #page(query: ArchiveQuery): Omit<ArchiveQueryPage, 'items'> & { items: Row[] } {
    const unfiltered = query.q === '' && query.group === null && query.type === null && query.result === null && query.check === null;
    if (!unfiltered) return queryKeys(this.#rows.values(), query);
    const key = `${query.sort}|${query.order}`;
    let sorted = this.#sorted.get(key);
    if (!sorted) {
      sorted = queryKeys(this.#rows.values(), { ...query, offset: 0, limit: Number.MAX_SAFE_INTEGER }).items;
      this.#sorted.set(key, sorted);
    }
    const items = sorted.slice(query.offset, query.offset + query.limit);
    const end = query.offset + items.length;
    return { items, matched: sorted.length, offset: query.offset, limit: query.limit, next_offset: end < sorted.length ? end : null };
  }

  /** Counts of the whole index (kept until the next change). */
  counts(): ArchiveCounts {
    return (this.#counts ??= countKeys(this.#rows.values()));
  }

  /** Reconcile with the folder now: images added or removed by hand are found. */
  reconcile(): Promise<ReconcileResult> {
    return this.#serial(() => this.#reconcile());
  }

  async #reconcile(): Promise<ReconcileResult> {
    const scanned = await scanOutputFolder(this.outputDir);
    const seen = new Set<string>();
    const result: ReconcileResult = { added: 0, removed: 0, changed: 0 };
    const todo = scanned.filter((item) => {
      seen.add(item.path);
      const previous = this.#rows.get(item.path);
      // A line from before the index kept fingerprints: its record is read again, or a duplicate would be missed.
      return !previous || !unchanged(previous, item) || previous.fingerprint === undefined;
    });
    // Records are read a few at a time: a first build reads thousands of small files.
    for (let i = 0; i < todo.length; i += 32) {
      const batch = await Promise.all(
        todo.slice(i, i + 32).map(async (s) => {
          const row = this.#rows.get(s.path);
          const previous = row && this.#file ? ((await this.#read(this.#file.handle, row)) ?? undefined) : undefined;
          return itemOf(s, previous);
        }),
      );
      for (const item of batch) {
        if (this.#rows.has(item.path)) result.changed++;
        else result.added++;
      }
      await this.#put(batch);
    }
    const gone = [...this.#rows.keys()].filter((path) => !seen.has(path));
    for (const path of gone) {
      this.#deleteRow(path);
      result.removed++;
    }
    if (gone.length > 0) this.#stale();
    if (gone.length > 0) await this.#append(gone.map(delLine).join(''));
    await this.#maybeCompact();
    if (result.added + result.removed + result.changed > 0) this.#changed();
    return result;
  }

  /** An image (or folder) was written or changed: re-reads it and its record. */
  refresh(abs: string): Promise<ArchiveItem | null> {
    return this.#serial(async () => {
      const rel = relative(this.outputDir, abs).split(sep).join('/');
      if (rel.startsWith('..')) return null;
      const scanned = await scanOne(this.outputDir, rel);
      if (!scanned) {
        if (this.#deleteRow(rel)) await this.#append(delLine(rel));
        this.#changed();
        return null;
      }
      const item = await itemOf(scanned, undefined);
      await this.#put([item]);
      this.#changed();
      return item;
    });
  }

  /** An item was deleted (through the UI). */
  remove(rel: string): Promise<void> {
    return this.#serial(async () => {
      if (!this.#deleteRow(rel)) return;
      await this.#append(delLine(rel));
      this.#changed();
    });
  }

  /**
   * Records a verification result, with the one it replaced (`before`, read in the same step: the
   * archive events depend on it); null when the item changed or went away meanwhile.
   */
  setVerify(rel: string, verify: ArchiveVerify, expect?: Pick<ArchiveItem, 'size' | 'mtime'>): Promise<{ item: ArchiveItem; before: ArchiveVerify | null } | null> {
    return this.#serial(async () => {
      const row = this.#rows.get(rel);
      if (!row || !this.#file) return null;
      if (expect && (row.size !== expect.size || row.mtime !== expect.mtime)) return null;
      const current = await this.#read(this.#file.handle, row);
      if (!current) return null;
      const item = { ...current, verify };
      await this.#put([item]);
      this.#changed();
      return { item, before: current.verify };
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
      ...this.counts(),
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
    await this.#file?.handle.close();
    this.#file = null;
    for (const handle of this.#retired) await handle.close().catch(() => undefined);
    this.#retired.clear();
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** The item of a `put` line, or null when the bytes there are not one (the file was changed under us). */
  async #read(handle: FileHandle, at: { offset: number; length: number; path: string }): Promise<ArchiveItem | null> {
    const buffer = Buffer.allocUnsafe(at.length);
    const { bytesRead } = await handle.read(buffer, 0, at.length, at.offset);
    const entry = parseLogLine(buffer.toString('utf8', 0, bytesRead));
    if (entry?.op === 'put' && entry.item.path === at.path) return entry.item;
    this.logger.warn({ path: this.logPath, item: at.path, offset: at.offset }, 'the archive index log does not hold the item where it was written');
    return null;
  }

  /** Appends `put` lines for the items (one write) and points their rows at them. */
  async #put(items: readonly ArchiveItem[]): Promise<void> {
    if (items.length === 0) return;
    const file = this.#file;
    if (!file) throw new Error('ArchiveIndex used before start()');
    const lines = items.map(putLine);
    let offset = file.size;
    await this.#append(lines.join(''));
    items.forEach((item, k) => {
      const length = Buffer.byteLength(lines[k] ?? '');
      this.#setRow(new Row(item, offset, length));
      offset += length;
    });
    this.#stale();
  }

  async #append(text: string): Promise<void> {
    const file = this.#file;
    if (!file) throw new Error('ArchiveIndex used before start()');
    const bytes = Buffer.from(text);
    await file.handle.write(bytes);
    file.size += bytes.length;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.#lines++;
  }

  #changed(): void {
    this.#stale();
    this.#summaryLater();
  }

  /** Rows were added, replaced or deleted: counts and sorted orders are made again when asked. */
  #stale(): void {
    this.#counts = null;
    this.#sorted.clear();
  }

  async #maybeCompact(): Promise<void> {
    if (this.#lines > this.#rows.size + 1 + COMPACT_SLACK && this.#file) await this.#compact(this.#file.handle);
  }

  /**
   * Rewrites the log as a header and one line per item (each read from `from`, the file the rows
   * point into), in chunks, then renames it over the old one (readers see a new inode and read it
   * again from the start). With no `from` (no log yet) the new log holds the header only.
   */
  async #compact(from: FileHandle | null): Promise<void> {
    const generation = randomUUID();
    await mkdir(dirname(this.logPath), { recursive: true });
    const temp = join(dirname(this.logPath), `.${basename(this.logPath)}.${process.pid}.tmp`);
    const out = await open(temp, 'w', 0o644);
    const moved = new Map<string, { offset: number; length: number }>();
    let lines = 1;
    let size = 0;
    try {
      let chunk = headerLine(generation);
      let chunkBytes = Buffer.byteLength(chunk);
      const rows = [...this.#rows.values()];
      for (let i = 0; from && i < rows.length; i += 64) {
        const items = await Promise.all(rows.slice(i, i + 64).map((row) => this.#read(from, row)));
        for (const item of items) {
          if (!item) continue;
          const line = putLine(item);
          const length = Buffer.byteLength(line);
          moved.set(item.path, { offset: size + chunkBytes, length });
          chunk += line;
          chunkBytes += length;
          lines++;
        }
        if (chunkBytes >= 256 * 1024) {
          await out.write(chunk);
          size += chunkBytes;
          chunk = '';
          chunkBytes = 0;
        }
      }
      await out.write(chunk);
      size += chunkBytes;
      await out.sync();
    } catch (error) {
      await out.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await out.close();
    await rename(temp, this.logPath);
    const handle = await open(this.logPath, 'a+');
    // From here on the rows point into the new file; the old one stays open a while for page reads under way.
    for (const [path, row] of this.#rows) {
      const at = moved.get(path);
      if (at) {
        row.offset = at.offset;
        row.length = at.length;
      } else this.#deleteRow(path);
    }
    const old = this.#file?.handle;
    if (old) {
      this.#retired.add(old);
      setTimeout(() => {
        if (this.#retired.delete(old)) void old.close().catch(() => undefined);
      }, RETIRED_CLOSE_MS).unref();
    }
    this.#file = { handle, size };
    this.#lines = lines;
    this.#generation = generation;
    this.#stale();
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
