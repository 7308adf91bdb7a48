import { readFile, rename } from 'node:fs/promises';
import {
  addHistoryEntry,
  apiPaths,
  countArchived,
  emptyHistory,
  EventLogWriter,
  salvageHistory,
  type ApiPaths,
  type Attributes,
  type ContractEvent,
  type DriveStatus,
  type EventType,
  type History,
  type HistoryEntry,
  type Progress,
  type SystemInfo,
} from '../contract/index.js';
import type { Logger } from '../log/index.js';
import { errnoCode, errorMessage } from '../util/errors.js';
import { CoalescingWriter } from './coalescing-writer.js';
import { historyFromRecords } from './history-rebuild.js';

export interface ContractStoreOptions {
  /** Where the images and their `.disk2iso.json` records are: the history is rebuilt from them when it is lost. */
  readonly outputDir?: string;
  /** Called with every entry added to the history (the archive index re-reads the image a job wrote). */
  readonly onHistory?: (entry: HistoryEntry) => void;
}

function maxTotals(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const totals = { ...a };
  for (const [drive, n] of Object.entries(b)) totals[drive] = Math.max(totals[drive] ?? 0, n);
  return totals;
}

/**
 * The core's single writer of /data/api. Machines call it; nothing else writes there.
 * History is held in memory (loaded once) and written whole on each change.
 */
export class ContractStore {
  readonly paths: ApiPaths;
  readonly #events: EventLogWriter;
  readonly #writer: CoalescingWriter;
  #history: History = emptyHistory();

  constructor(
    root: string,
    private readonly historyLimit: number,
    eventsMaxBytes: number,
    private readonly logger: Logger,
    private readonly options: ContractStoreOptions = {},
  ) {
    this.paths = apiPaths(root);
    this.#events = new EventLogWriter(this.paths, eventsMaxBytes);
    this.#writer = new CoalescingWriter((path, error) =>
      logger.error({ path, err: errorMessage(error) }, 'writing %s failed', path),
    );
  }

  async start(): Promise<void> {
    await this.#events.start();
    this.#history = await this.#loadHistory();
  }

  /**
   * Nothing is silently thrown away: a history.json that cannot be read whole is kept aside
   * (`history.json.invalid-<time>`) before anything is written over it; every entry that still
   * validates is kept; a lost history is rebuilt from the records next to the images.
   */
  async #loadHistory(): Promise<History> {
    const path = this.paths.history;
    let text: string | null = null;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') await this.#keepAside(`history.json cannot be read (${errorMessage(error)})`);
    }
    let json: unknown = undefined;
    if (text !== null) {
      try {
        json = JSON.parse(text);
      } catch (error) {
        await this.#keepAside(`history.json is not valid JSON (${errorMessage(error)}), e.g. cut short`);
      }
    }
    const salvaged = json === undefined ? null : salvageHistory(json);
    if (json !== undefined && salvaged === null) await this.#keepAside('history.json is not a history (no entries list)');
    if (salvaged) {
      if (!salvaged.changed) return salvaged.history;
      await this.#keepAside(
        `${salvaged.dropped} of its entries do not match the schema (kept the other ${salvaged.history.entries.length})` +
          (salvaged.totalsRead ? '' : '; the archive counts were recounted'),
      );
      const history = salvaged.totalsRead
        ? salvaged.history
        : { ...salvaged.history, archived_total: maxTotals(salvaged.history.archived_total, countArchived(await this.#records())) };
      await this.#writer.write(path, history);
      return history;
    }
    const records = await this.#records();
    if (records.length === 0) return emptyHistory();
    const history: History = {
      ...emptyHistory(),
      entries: records.slice(0, this.historyLimit),
      archived_total: countArchived(records),
    };
    this.logger.warn({ path, entries: records.length, output_dir: this.options.outputDir }, 'rebuilt the history from %d image record(s) in %s', records.length, this.options.outputDir);
    await this.#writer.write(path, history);
    return history;
  }

  async #records(): Promise<HistoryEntry[]> {
    if (this.options.outputDir === undefined) return [];
    return historyFromRecords(this.options.outputDir).catch(() => []);
  }

  /** Renames the history file aside, with a log line; a file that cannot be moved is logged as lost. */
  async #keepAside(why: string): Promise<void> {
    const path = this.paths.history;
    const aside = `${path}.invalid-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      await rename(path, aside);
      this.logger.warn({ path, aside }, '%s; kept aside as %s', why, aside);
    } catch (error) {
      this.logger.error({ path, err: errorMessage(error) }, '%s; could not keep it aside: %s', why, errorMessage(error));
    }
  }

  get history(): History {
    return this.#history;
  }

  /** Appends an event; a failing disk is logged, never thrown at the machine. */
  event(drive: string | null, type: EventType, data: Record<string, unknown> = {}): Promise<ContractEvent | null> {
    return this.#events.append(drive, type, data).catch((error: unknown) => {
      this.logger.error({ err: errorMessage(error) }, 'appending to events.jsonl failed');
      return null;
    });
  }

  writeStatus(status: DriveStatus): Promise<void> {
    return this.#writer.write(this.paths.status(status.drive_id), status);
  }

  writeProgress(progress: Progress): Promise<void> {
    return this.#writer.write(this.paths.progress(progress.drive_id), progress);
  }

  writeAttributes(attributes: Attributes): Promise<void> {
    return this.#writer.write(this.paths.attributes(attributes.drive_id), attributes);
  }

  writeSystem(system: SystemInfo): Promise<void> {
    return this.#writer.write(this.paths.system, system);
  }

  addHistory(entry: HistoryEntry): Promise<void> {
    this.#history = addHistoryEntry(this.#history, entry, this.historyLimit);
    this.options.onHistory?.(entry);
    return this.#writer.write(this.paths.history, this.#history);
  }

  async stop(): Promise<void> {
    await this.#writer.flush();
    await this.#events.stop();
  }
}
