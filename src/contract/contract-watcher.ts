import { watch as watchFs, type FSWatcher as NodeFsWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { z } from 'zod';
import { archiveSummaryPath, ArchiveSummarySchema, type ArchiveSummary } from './archive-index.js';
import { readEventsAfter } from './event-log.js';
import { EventLogTail } from './event-tail.js';
import type { ApiPaths } from './paths.js';
import { LastGoodReader, type ContractLog } from './read.js';
import {
  AttributesSchema,
  DriveStatusSchema,
  HistorySchema,
  ProgressSchema,
  SystemSchema,
  type Attributes,
  type ContractEvent,
  type DriveStatus,
  type History,
  type Progress,
  type SystemInfo,
} from './schema.js';

export type DriveFileKind = 'status' | 'progress' | 'attributes';
export type DriveFile<K extends DriveFileKind = DriveFileKind> = K extends DriveFileKind ? { kind: K; drive: string } : never;
/** A contract file the watcher reads and validates. */
export type DataFile = { kind: 'system' } | { kind: 'history' } | { kind: 'archive' } | DriveFile;
export type ContractFile = { kind: 'events' } | DataFile;
type DataKind = DataFile['kind'];

/** What a subscriber is told. Values are the last good ones: an invalid file changes nothing. */
export type ContractChange =
  | { kind: 'status'; drive: string; value: DriveStatus | null }
  | { kind: 'progress'; drive: string; value: Progress | null }
  | { kind: 'attributes'; drive: string; value: Attributes | null }
  | { kind: 'history'; value: History | null }
  | { kind: 'system'; value: SystemInfo | null }
  | { kind: 'archive'; value: ArchiveSummary | null }
  /** New events in seq order (events: 'tail'). */
  | { kind: 'events'; events: ContractEvent[] }
  /** events.jsonl grew; read it with your own tail (events: 'notify'). */
  | { kind: 'appended' }
  /** A lazy file changed on disk; `load(file)` reads it when the subscriber wants it. */
  | { kind: 'stale'; file: DataFile };

export interface ContractWatcherOptions {
  /** The drives whose files count; files of other drives are ignored. */
  drives: () => readonly string[];
  log: ContractLog;
  /** 'tail': the watcher reads new events and emits them; 'notify': it only says the log grew. */
  events: 'tail' | 'notify';
  /** Kinds read only on `load()` (a rate-limited reader); their changes arrive as `stale`. */
  lazy?: readonly DataKind[];
}

/**
 * chokidar reports at most one `change` per file per 50 ms and drops the rest of a burst
 * (leading edge only, chokidar 5 `_throttle(EV.CHANGE, path, 50)`), so the final state of
 * `media_detected → analyzing → copying` written within milliseconds may never be reported.
 * Once a file has been quiet this long it is checked once more (a stat, a read only if it changed).
 */
export const TRAILING_CHECK_MS = 75;
/** Safety net for appends to events.jsonl, which inotify can miss while a new file is set up. */
const EVENT_LOG_POLL_MS = 500;

const DRIVE_ID = /^[a-zA-Z0-9_-]{1,64}$/;

/** Pure: which contract file a changed path is, or null for anything else. */
export function classifyContractPath(paths: ApiPaths, path: string): ContractFile | null {
  const rel = relative(paths.root, path).split(sep).join('/');
  if (rel === 'events.jsonl' || rel === 'events.1.jsonl') return { kind: 'events' };
  if (rel === 'system.json') return { kind: 'system' };
  if (rel === 'history.json') return { kind: 'history' };
  if (rel === 'archive.json') return { kind: 'archive' };
  const [dir, drive, name, ...rest] = rel.split('/');
  if (dir !== 'drives' || drive === undefined || !DRIVE_ID.test(drive) || rest.length > 0) return null;
  if (name === 'status.json') return { kind: 'status', drive };
  if (name === 'progress.json') return { kind: 'progress', drive };
  if (name === 'attributes.json') return { kind: 'attributes', drive };
  return null;
}

/** Every data file of `drives`, in the order a first read should take them. */
export function allDataFiles(drives: readonly string[]): DataFile[] {
  const perDrive = drives.flatMap((drive): DataFile[] => [
    { kind: 'status', drive },
    { kind: 'progress', drive },
    { kind: 'attributes', drive },
  ]);
  return [{ kind: 'system' }, { kind: 'history' }, { kind: 'archive' }, ...perDrive];
}

const fileKey = (file: DataFile): string => ('drive' in file ? `${file.kind}:${file.drive}` : file.kind);

/** ino, size, mtime and ctime in ns: an atomic rename always changes one of them. */
async function signatureOf(path: string): Promise<string> {
  try {
    const s = await stat(path, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return 'missing';
  }
}

/**
 * The one watcher of the /data/api contract for every reader (the web hub, the MQTT bridge,
 * a new watcher): chokidar on the folder, a direct inotify watch plus a stat poll for
 * events.jsonl, one trailing check per quiet file, path classification and schema-validated
 * reads. Rules for every reader alike:
 * - a file is read only when its stat signature changed since the last read, so one change is
 *   read once, whoever and however often it is reported;
 * - a missing file is null; an invalid one keeps the last good value and is logged once until
 *   it is valid again (`LastGoodReader`, the web's snapshots use it too).
 * The last good values are kept here (`status`, `progress`, …) for readers that need the state.
 */
export class ContractWatcher {
  readonly status = new Map<string, DriveStatus | null>();
  readonly progress = new Map<string, Progress | null>();
  readonly attributes = new Map<string, Attributes | null>();
  history: History | null = null;
  system: SystemInfo | null = null;
  archive: ArchiveSummary | null = null;

  readonly #listeners = new Set<(change: ContractChange) => void>();
  readonly #lazy: ReadonlySet<DataKind>;
  /** Signature of what was last read per file, reads in flight (one per file at a time) and the one waiting behind each. */
  readonly #read = new Map<string, string>();
  readonly #reading = new Map<string, Promise<boolean>>();
  readonly #waiting = new Map<string, Promise<boolean>>();
  readonly #files: LastGoodReader;
  readonly #trailing = new Map<string, NodeJS.Timeout>();
  #chokidar: FSWatcher | null = null;
  #eventWatch: NodeFsWatcher | null = null;
  #poll: NodeJS.Timeout | null = null;
  #eventSignature = 'missing';
  #tail: EventLogTail | null = null;
  #tailing: Promise<void> | null = null;
  #tailAgain = false;
  #closed = false;

  constructor(
    readonly paths: ApiPaths,
    private readonly options: ContractWatcherOptions,
  ) {
    this.#lazy = new Set(options.lazy ?? []);
    this.#files = new LastGoodReader(options.log);
  }

  /** Calls `listener` with every change until the returned function is called. */
  subscribe(listener: (change: ContractChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves once the watches run: a read afterwards misses no change. */
  async start(): Promise<void> {
    const { paths } = this;
    if (this.options.events === 'tail') this.#tail = new EventLogTail(paths, (await readEventsAfter(paths, 0)).at(-1)?.seq ?? 0);
    this.#eventSignature = await signatureOf(paths.events);
    const watcher = watch(paths.root, { ignoreInitial: true, ignored: (path) => path.split(sep).at(-1)!.startsWith('.'), depth: 3 });
    this.#chokidar = watcher;
    watcher.on('add', (path) => this.#reported(path)).on('change', (path) => this.#reported(path));
    watcher.on('error', (error) => this.options.log.warn({ err: String(error) }, 'contract watcher error'));
    this.#watchEventLog();
    this.#poll = setInterval(() => void this.#pollEventLog(), EVENT_LOG_POLL_MS);
    this.#poll.unref();
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    if (this.#poll) clearInterval(this.#poll);
    for (const timer of this.#trailing.values()) clearTimeout(timer);
    this.#trailing.clear();
    this.#eventWatch?.close();
    await this.#chokidar?.close();
  }

  /**
   * Brings `file` up to date (a stat; a read only if it changed) and returns whether its value
   * changed. For readers that read on their own schedule (lazy kinds, a safety poll).
   */
  load(file: DataFile): Promise<boolean> {
    // One load per file at a time, and at most one waiting behind it (every later caller joins
    // the waiting one, which stats after they asked): two overlapping reads could finish out of
    // order and leave an older value as the last good one.
    const key = fileKey(file);
    const waiting = this.#waiting.get(key);
    if (waiting) return waiting;
    const running = this.#reading.get(key);
    if (!running) return this.#startLoad(key, file);
    const next = running
      .catch(() => false)
      .then(() => {
        this.#waiting.delete(key);
        return this.#startLoad(key, file);
      });
    this.#waiting.set(key, next);
    return next;
  }

  #startLoad(key: string, file: DataFile): Promise<boolean> {
    const next: Promise<boolean> = this.#loadOnce(file).finally(() => {
      if (this.#reading.get(key) === next) this.#reading.delete(key);
    });
    this.#reading.set(key, next);
    return next;
  }

  /** The value of `file` as last read (null before the first read). */
  valueOf(file: DataFile): ContractChange {
    switch (file.kind) {
      case 'status':
        return { kind: 'status', drive: file.drive, value: this.status.get(file.drive) ?? null };
      case 'progress':
        return { kind: 'progress', drive: file.drive, value: this.progress.get(file.drive) ?? null };
      case 'attributes':
        return { kind: 'attributes', drive: file.drive, value: this.attributes.get(file.drive) ?? null };
      case 'history':
        return { kind: 'history', value: this.history };
      case 'system':
        return { kind: 'system', value: this.system };
      case 'archive':
        return { kind: 'archive', value: this.archive };
    }
  }

  #emit(change: ContractChange): void {
    for (const listener of this.#listeners) listener(change);
  }

  #reported(path: string): void {
    if (this.#closed) return;
    const file = classifyContractPath(this.paths, path);
    if (!file) return;
    if (file.kind === 'events') {
      this.#eventsChanged();
      return;
    }
    if ('drive' in file && !this.options.drives().includes(file.drive)) return;
    void this.#check(file);
    const key = fileKey(file);
    clearTimeout(this.#trailing.get(key));
    const timer = setTimeout(() => {
      this.#trailing.delete(key);
      void this.#check(file);
    }, TRAILING_CHECK_MS);
    timer.unref();
    this.#trailing.set(key, timer);
  }

  /** A reported file: read (eager kinds) or announced (lazy ones) when it changed on disk. */
  async #check(file: DataFile): Promise<void> {
    if (this.#closed) return;
    if (this.#lazy.has(file.kind)) {
      if ((await signatureOf(this.#pathOf(file))) !== this.#read.get(fileKey(file)) && !this.#closed) this.#emit({ kind: 'stale', file });
      return;
    }
    if (await this.load(file).catch(() => false)) {
      if (!this.#closed) this.#emit(this.valueOf(file));
    }
  }

  async #loadOnce(file: DataFile): Promise<boolean> {
    const key = fileKey(file);
    const path = this.#pathOf(file);
    // Stat before reading: a write in between makes the signature older than the content,
    // which costs one more read later, never a missed write.
    const signature = await signatureOf(path);
    if (this.#read.get(key) === signature) return false;
    this.#read.set(key, signature);
    switch (file.kind) {
      case 'system':
        return this.#set(path, SystemSchema, this.system, (v) => (this.system = v));
      case 'history':
        return this.#set(path, HistorySchema, this.history, (v) => (this.history = v));
      case 'archive':
        return this.#set(path, ArchiveSummarySchema, this.archive, (v) => (this.archive = v));
      case 'status':
        return this.#set(path, DriveStatusSchema, this.status.get(file.drive), (v) => this.status.set(file.drive, v));
      case 'progress':
        return this.#set(path, ProgressSchema, this.progress.get(file.drive), (v) => this.progress.set(file.drive, v));
      case 'attributes':
        return this.#set(path, AttributesSchema, this.attributes.get(file.drive), (v) => this.attributes.set(file.drive, v));
    }
  }

  /** Reads by the one rule for bad files (`LastGoodReader`); true when the value changed. */
  async #set<S extends z.ZodType>(path: string, schema: S, previous: z.infer<S> | null | undefined, store: (value: z.infer<S> | null) => void): Promise<boolean> {
    const value = await this.#files.read(path, schema);
    store(value);
    return previous === undefined || JSON.stringify(previous) !== JSON.stringify(value);
  }

  #pathOf(file: DataFile): string {
    const { paths } = this;
    switch (file.kind) {
      case 'system':
        return paths.system;
      case 'history':
        return paths.history;
      case 'archive':
        return archiveSummaryPath(paths.root);
      case 'status':
        return paths.status(file.drive);
      case 'progress':
        return paths.progress(file.drive);
      case 'attributes':
        return paths.attributes(file.drive);
    }
  }

  /** inotify on the folder for the event log: chokidar's throttle would delay a burst by 50 ms. */
  #watchEventLog(): void {
    if (this.#eventWatch || this.#closed) return;
    try {
      const watcher = watchFs(this.paths.root, { persistent: false }, (_event, name) => {
        if (name === null || name.startsWith('events')) this.#eventsChanged();
      });
      watcher.on('error', () => watcher.close());
      watcher.on('close', () => {
        if (this.#eventWatch === watcher) this.#eventWatch = null;
      });
      this.#eventWatch = watcher;
    } catch {
      // The folder does not exist yet; the poll tries again.
    }
  }

  async #pollEventLog(): Promise<void> {
    this.#watchEventLog();
    const now = await signatureOf(this.paths.events);
    if (now === this.#eventSignature) return;
    this.#eventSignature = now;
    this.#eventsChanged();
  }

  #eventsChanged(): void {
    if (this.#closed) return;
    if (!this.#tail) {
      this.#emit({ kind: 'appended' });
      return;
    }
    if (this.#tailing) {
      this.#tailAgain = true;
      return;
    }
    this.#tailing = this.#drainTail().finally(() => (this.#tailing = null));
  }

  async #drainTail(): Promise<void> {
    do {
      this.#tailAgain = false;
      try {
        const events = (await this.#tail?.readNew()) ?? [];
        if (events.length > 0 && !this.#closed) this.#emit({ kind: 'events', events });
      } catch (error) {
        this.options.log.warn({ err: String(error) }, 'reading events.jsonl failed');
      }
    } while (this.#tailAgain && !this.#closed);
  }
}
