import { stat } from 'node:fs/promises';
import {
  AttributesSchema,
  DriveStatusSchema,
  HistorySchema,
  ProgressSchema,
  SystemSchema,
  LastGoodReader,
  type ApiPaths,
  type ContractLog,
  type Attributes,
  type DriveStatus,
  type History,
  type HistoryEntry,
  type Progress,
  type SystemInfo,
} from '../contract/index.js';
import { archiveSummaryPath, ArchiveSummarySchema, type ArchiveSummary } from '../contract/archive-index.js';

/** One drive as the UI shows it: the three per-drive contract files (null while missing or invalid). */
export interface DriveView {
  id: string;
  status: DriveStatus | null;
  progress: Progress | null;
  attributes: Attributes | null;
}

/** The head of history.json, small enough to push to every dashboard. */
export interface HistorySummary {
  updated: string | null;
  count: number;
  recent: HistoryEntry[];
  archived_total: Record<string, number>;
}

/** What a dashboard needs at once: sent as the first SSE message and by `GET api/status`. */
export interface Snapshot {
  time: string;
  drives: DriveView[];
  history: HistorySummary;
  system: SystemInfo | null;
  /** The core's archive index summary (archive.json): counts, corrupt images, last scrub. */
  archive: ArchiveSummary | null;
}

const RECENT_JOBS = 5;

export function summarizeHistory(history: History | null): HistorySummary {
  return {
    updated: history?.updated ?? null,
    count: history?.entries.length ?? 0,
    recent: history?.entries.slice(0, RECENT_JOBS) ?? [],
    archived_total: history?.archived_total ?? {},
  };
}

/**
 * Reads the /data/api files with the contract's schemas; never throws for missing or bad files.
 * A missing file is null; an invalid one keeps its last good value, as in the SSE updates and MQTT.
 */
export class ContractReader {
  readonly #files: LastGoodReader;

  constructor(
    readonly paths: ApiPaths,
    readonly driveIds: () => readonly string[],
    log: ContractLog,
  ) {
    this.#files = new LastGoodReader(log);
  }

  knownDrive(id: string): boolean {
    return this.driveIds().includes(id);
  }

  async status(id: string): Promise<DriveStatus | null> {
    return this.#files.read(this.paths.status(id), DriveStatusSchema);
  }

  async progress(id: string): Promise<Progress | null> {
    return this.#files.read(this.paths.progress(id), ProgressSchema);
  }

  async attributes(id: string): Promise<Attributes | null> {
    return this.#files.read(this.paths.attributes(id), AttributesSchema);
  }

  async drive(id: string): Promise<DriveView> {
    const [status, progress, attributes] = await Promise.all([this.status(id), this.progress(id), this.attributes(id)]);
    return { id, status, progress, attributes };
  }

  async drives(): Promise<DriveView[]> {
    return Promise.all(this.driveIds().map((id) => this.drive(id)));
  }

  /** history.json parsed once per version of the file: a page load reads it, a long history is 1 MB of JSON. */
  #history: { signature: string; value: History | null } | null = null;

  async history(): Promise<History | null> {
    const info = await stat(this.paths.history).catch(() => null);
    const signature = info ? `${info.ino}:${info.size}:${info.mtimeMs}` : 'missing';
    if (this.#history?.signature === signature) return this.#history.value;
    const value = info ? await this.#files.read(this.paths.history, HistorySchema) : null;
    this.#history = { signature, value };
    return value;
  }

  async system(): Promise<SystemInfo | null> {
    return this.#files.read(this.paths.system, SystemSchema);
  }

  async archive(): Promise<ArchiveSummary | null> {
    return this.#files.read(archiveSummaryPath(this.paths.root), ArchiveSummarySchema);
  }

  async snapshot(): Promise<Snapshot> {
    const [drives, history, system, archive] = await Promise.all([this.drives(), this.history(), this.system(), this.archive()]);
    return { time: new Date().toISOString(), drives, history: summarizeHistory(history), system, archive };
  }
}
