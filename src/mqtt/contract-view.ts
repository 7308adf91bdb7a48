import { relative, sep } from 'node:path';
import type { z } from 'zod';
import { archiveSummaryPath, ArchiveSummarySchema, type ArchiveSummary } from '../contract/archive-index.js';
import {
  AttributesSchema,
  DriveStatusSchema,
  HistorySchema,
  ProgressSchema,
  readContractFile,
  SystemSchema,
  type ApiPaths,
  type Attributes,
  type DriveStatus,
  type History,
  type Progress,
  type SystemInfo,
} from '../contract/index.js';

export type DriveFileKind = 'status' | 'progress' | 'attributes';
export type DriveFile<K extends DriveFileKind = DriveFileKind> = K extends DriveFileKind ? { kind: K; drive: string } : never;
export type ContractFile = { kind: 'events' } | { kind: 'system' } | { kind: 'history' } | { kind: 'archive' } | DriveFile;

function driveFile(kind: DriveFileKind, drive: string): DriveFile {
  switch (kind) {
    case 'status':
      return { kind, drive };
    case 'progress':
      return { kind, drive };
    case 'attributes':
      return { kind, drive };
  }
}

/** Pure: which contract file a changed path is, or null for anything else. */
export function classifyPath(paths: ApiPaths, path: string): ContractFile | null {
  const rel = relative(paths.root, path).split(sep).join('/');
  if (rel === 'events.jsonl' || rel === 'events.1.jsonl') return { kind: 'events' };
  if (rel === 'system.json') return { kind: 'system' };
  if (rel === 'history.json') return { kind: 'history' };
  if (rel === 'archive.json') return { kind: 'archive' };
  const match = /^drives\/([a-zA-Z0-9_-]{1,64})\/(status|progress|attributes)\.json$/.exec(rel);
  if (!match) return null;
  return driveFile(match[2] as DriveFileKind, match[1]!);
}

/** The bridge's last read of each contract file; a missing or invalid file reads as null. */
export class ContractView {
  readonly status = new Map<string, DriveStatus | null>();
  readonly progress = new Map<string, Progress | null>();
  readonly attributes = new Map<string, Attributes | null>();
  history: History | null = null;
  system: SystemInfo | null = null;
  /** The archive index's summary: image count, corrupt images, last scrub. */
  archive: ArchiveSummary | null = null;

  constructor(
    readonly paths: ApiPaths,
    /** Called for a file that exists but is not valid JSON or not valid per its schema. */
    private readonly onInvalid: (path: string, detail: string) => void = () => undefined,
  ) {}

  async load(file: ContractFile): Promise<void> {
    switch (file.kind) {
      case 'events':
        return;
      case 'system':
        this.system = await this.#read(this.paths.system, SystemSchema, this.system);
        return;
      case 'history':
        this.history = await this.#read(this.paths.history, HistorySchema, this.history);
        return;
      case 'archive':
        this.archive = await this.#read(archiveSummaryPath(this.paths.root), ArchiveSummarySchema, this.archive);
        return;
      case 'status':
        this.status.set(file.drive, await this.#read(this.paths.status(file.drive), DriveStatusSchema, this.status.get(file.drive)));
        return;
      case 'progress':
        this.progress.set(file.drive, await this.#read(this.paths.progress(file.drive), ProgressSchema, this.progress.get(file.drive)));
        return;
      case 'attributes':
        this.attributes.set(file.drive, await this.#read(this.paths.attributes(file.drive), AttributesSchema, this.attributes.get(file.drive)));
        return;
    }
  }

  /** A missing file is null; an invalid one keeps the last good value (and is reported). */
  async #read<S extends z.ZodType>(path: string, schema: S, previous: z.infer<S> | null | undefined): Promise<z.infer<S> | null> {
    const result = await readContractFile(path, schema);
    if (result.ok) return result.value;
    if (result.reason === 'missing') return null;
    this.onInvalid(path, `${result.reason}: ${result.detail}`);
    return previous ?? null;
  }

  /** Every file the bridge reads for `drives`. */
  static allFiles(drives: readonly string[]): ContractFile[] {
    return [
      { kind: 'system' },
      { kind: 'history' },
      { kind: 'archive' },
      ...drives.flatMap((drive) => (['status', 'progress', 'attributes'] as const).map((kind) => driveFile(kind, drive))),
    ];
  }
}
