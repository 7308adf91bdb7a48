import { ContractWatcher, type ContractChange, type ContractEvent, type DriveStatus, type Attributes, type Progress, type SystemInfo } from '../contract/index.js';
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

/** Pure: the SSE messages of one contract change (none for a missing file). */
function hubMessages(change: ContractChange): HubMessage[] {
  switch (change.kind) {
    case 'status':
      return change.value ? [{ event: 'status', data: { drive: change.drive, status: change.value } }] : [];
    case 'progress':
      return change.value ? [{ event: 'progress', data: { drive: change.drive, progress: change.value } }] : [];
    case 'attributes':
      return change.value ? [{ event: 'attributes', data: { drive: change.drive, attributes: change.value } }] : [];
    case 'history':
      return [{ event: 'history', data: summarizeHistory(change.value) }];
    case 'system':
      return change.value ? [{ event: 'system', data: change.value }] : [];
    case 'archive':
      return change.value ? [{ event: 'archive', data: change.value }] : [];
    case 'events':
      return change.events.map((data) => ({ event: 'event', data }));
    case 'appended':
    case 'stale':
      return [];
  }
}

/**
 * The SSE clients' subscription to the contract's one watcher (`ContractWatcher`): it starts
 * with the first subscriber and closes with the last, so an idle server watches nothing.
 */
export class ContractHub {
  readonly #subscribers = new Set<HubSubscriber>();
  #starting: Promise<void> | null = null;
  #watcher: ContractWatcher | null = null;

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
    const watcher = new ContractWatcher(this.reader.paths, { drives: this.reader.driveIds, log: this.logger, events: 'tail' });
    this.#watcher = watcher;
    watcher.subscribe((change) => {
      for (const message of hubMessages(change)) this.#broadcast(message);
    });
    await watcher.start();
  }

  async #closeWatcher(): Promise<void> {
    const starting = this.#starting;
    if (!starting) return;
    await starting.catch(() => undefined);
    if (this.#subscribers.size > 0 || this.#starting !== starting) return;
    this.#starting = null;
    const watcher = this.#watcher;
    this.#watcher = null;
    await watcher?.close();
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
