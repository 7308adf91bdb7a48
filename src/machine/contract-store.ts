import { readFile } from 'node:fs/promises';
import {
  addHistoryEntry,
  apiPaths,
  emptyHistory,
  EventLogWriter,
  HistorySchema,
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
import { errorMessage } from '../util/errors.js';
import { CoalescingWriter } from './coalescing-writer.js';

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

  async #loadHistory(): Promise<History> {
    let text: string;
    try {
      text = await readFile(this.paths.history, 'utf8');
    } catch {
      return emptyHistory();
    }
    try {
      const parsed = HistorySchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
      this.logger.warn({ path: this.paths.history }, 'history.json does not match the schema; starting a new one');
    } catch {
      this.logger.warn({ path: this.paths.history }, 'history.json is not valid JSON; starting a new one');
    }
    return emptyHistory();
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
    return this.#writer.write(this.paths.history, this.#history);
  }

  async stop(): Promise<void> {
    await this.#writer.flush();
    await this.#events.stop();
  }
}
