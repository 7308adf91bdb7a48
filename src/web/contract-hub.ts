import type { FSWatcher } from 'chokidar';
import { relative, sep } from 'node:path';
import {
  EventLogTail,
  readEventsAfter,
  watchContract,
  type Attributes,
  type ContractEvent,
  type DriveStatus,
  type Progress,
  type SystemInfo,
} from '../contract/index.js';
import type { ArchiveSummary } from '../contract/archive-index.js';
import type { Logger } from '../log/index.js';
import { errorMessage } from '../util/errors.js';
import { summarizeHistory, type ContractReader, type HistorySummary } from './contract-reader.js';

/** A change of the contract, as pushed to SSE clients. */
export type HubMessage =
  | { event: 'status'; data: { drive: string; status: DriveStatus } }
  | { event: 'progress'; data: { drive: string; progress: Progress } }
  | { event: 'attributes'; data: { drive: string; attributes: Attributes } }
  | { event: 'history'; data: HistorySummary }
  | { event: 'system'; data: SystemInfo }
  | { event: 'archive'; data: ArchiveSummary }
  | { event: 'event'; data: ContractEvent };

export interface HubSubscriber {
  message(message: HubMessage): void;
  /** The hub stopped (server shutdown). */
  close(): void;
}

export interface HubSubscription {
  /** Resolves once the watcher runs, so a snapshot read afterwards misses no change. */
  readonly ready: Promise<void>;
  unsubscribe(): void;
}

/**
 * chokidar reports at most one `change` per file per 50 ms and drops the rest of a burst
 * (leading edge only, chokidar 5 `_throttle(EV.CHANGE, path, 50)`), so the final state of
 * `media_detected → analyzing → copying` written within milliseconds would never be read.
 * Every change is therefore read again once the throttle window has passed.
 */
export const TRAILING_READ_MS = 75;

/**
 * One chokidar watcher on the contract folder shared by every SSE client. It starts with the
 * first subscriber and closes with the last, so an idle server watches nothing.
 */
export class ContractHub {
  readonly #subscribers = new Set<HubSubscriber>();
  #starting: Promise<void> | null = null;
  #watcher: FSWatcher | null = null;
  #tail: EventLogTail | null = null;
  readonly #dirty = new Set<string>();
  readonly #trailing = new Map<string, NodeJS.Timeout>();
  /** Last payload sent per file, so a trailing read of an unchanged file sends nothing. */
  readonly #lastSent = new Map<string, string>();
  #flushing = false;

  constructor(
    private readonly reader: ContractReader,
    private readonly logger: Logger,
  ) {}

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  get watching(): boolean {
    return this.#watcher !== null;
  }

  subscribe(subscriber: HubSubscriber): HubSubscription {
    this.#subscribers.add(subscriber);
    this.#starting ??= this.#start();
    const ready = this.#starting;
    return {
      ready,
      unsubscribe: () => {
        if (this.#subscribers.delete(subscriber) && this.#subscribers.size === 0) void this.#closeWatcher();
      },
    };
  }

  /** Ends every subscription and closes the watcher. */
  async stop(): Promise<void> {
    const subscribers = [...this.#subscribers];
    this.#subscribers.clear();
    for (const subscriber of subscribers) subscriber.close();
    await this.#closeWatcher();
  }

  async #start(): Promise<void> {
    const files = this.reader.paths;
    const lastSeq = (await readEventsAfter(files, 0)).at(-1)?.seq ?? 0;
    this.#tail = new EventLogTail(files, lastSeq);
    const watcher = watchContract(files.root, (path) => this.#changed(path));
    this.#watcher = watcher;
    watcher.on('error', (error) => this.logger.warn({ err: errorMessage(error) }, 'contract watcher error'));
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  }

  async #closeWatcher(): Promise<void> {
    const starting = this.#starting;
    if (!starting) return;
    await starting.catch(() => undefined);
    if (this.#subscribers.size > 0 || this.#starting !== starting) return;
    this.#starting = null;
    const watcher = this.#watcher;
    this.#watcher = null;
    this.#tail = null;
    for (const timer of this.#trailing.values()) clearTimeout(timer);
    this.#trailing.clear();
    this.#lastSent.clear();
    await watcher?.close();
  }

  #changed(path: string): void {
    this.#queue(path);
    clearTimeout(this.#trailing.get(path));
    this.#trailing.set(
      path,
      setTimeout(() => {
        this.#trailing.delete(path);
        if (this.#watcher) this.#queue(path);
      }, TRAILING_READ_MS),
    );
  }

  #queue(path: string): void {
    this.#dirty.add(path);
    if (!this.#flushing) void this.#flush();
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#dirty.size > 0) {
        const paths = [...this.#dirty];
        this.#dirty.clear();
        for (const path of paths) await this.#process(path);
      }
    } finally {
      this.#flushing = false;
    }
  }

  async #process(path: string): Promise<void> {
    try {
      for (const message of await this.#messagesFor(path)) {
        if (message.event !== 'event') {
          const payload = JSON.stringify(message.data);
          if (this.#lastSent.get(path) === payload) continue;
          this.#lastSent.set(path, payload);
        }
        this.#broadcast(message);
      }
    } catch (error) {
      this.logger.warn({ err: errorMessage(error), path }, 'could not read a changed contract file');
    }
  }

  async #messagesFor(path: string): Promise<HubMessage[]> {
    const parts = relative(this.reader.paths.root, path).split(sep);
    const [first, drive, file] = parts;
    if (parts.length === 1) {
      if (first === 'events.jsonl' || first === 'events.1.jsonl') {
        const events = (await this.#tail?.readNew()) ?? [];
        return events.map((data) => ({ event: 'event', data }));
      }
      if (first === 'history.json') return [{ event: 'history', data: summarizeHistory(await this.reader.history()) }];
      if (first === 'archive.json') {
        const archive = await this.reader.archive();
        return archive ? [{ event: 'archive', data: archive }] : [];
      }
      if (first === 'system.json') {
        const system = await this.reader.system();
        return system ? [{ event: 'system', data: system }] : [];
      }
      return [];
    }
    if (parts.length !== 3 || first !== 'drives' || drive === undefined || !this.reader.knownDrive(drive)) return [];
    switch (file) {
      case 'status.json': {
        const status = await this.reader.status(drive);
        return status ? [{ event: 'status', data: { drive, status } }] : [];
      }
      case 'progress.json': {
        const progress = await this.reader.progress(drive);
        return progress ? [{ event: 'progress', data: { drive, progress } }] : [];
      }
      case 'attributes.json': {
        const attributes = await this.reader.attributes(drive);
        return attributes ? [{ event: 'attributes', data: { drive, attributes } }] : [];
      }
      default:
        return [];
    }
  }

  #broadcast(message: HubMessage): void {
    for (const subscriber of this.#subscribers) {
      try {
        subscriber.message(message);
      } catch (error) {
        this.logger.warn({ err: errorMessage(error) }, 'SSE subscriber failed');
      }
    }
  }
}
