import { statfs } from 'node:fs/promises';
import {
  DISC_TYPES,
  JOB_RESULTS,
  type DiscType,
  type DriveInfo,
  type DriveState,
  type History,
  type HistoryEntry,
  type JobResult,
  type SystemInfo,
} from '../contract/index.js';
import type { LogBuffer } from '../log/index.js';
import { naturalCompare } from '../util/natural-order.js';
import type { ContractReader } from './contract-reader.js';

export const HISTORY_SORTS = ['date', 'name', 'size'] as const;
export type HistorySort = (typeof HISTORY_SORTS)[number];

export interface HistoryFilter {
  drive: string | null;
  type: DiscType | null;
  result: JobResult | null;
  /** Words that must all appear in the label, image path, drive or fingerprint (case-insensitive). */
  q: string;
  sort: HistorySort;
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
}

/** Entries per History page. */
export const HISTORY_PAGE = 50;

const pick = <T extends string>(allowed: readonly T[], value: string | undefined): T | null =>
  value !== undefined && (allowed as readonly string[]).includes(value) ? (value as T) : null;

/** Query parameters → filter; unknown values mean "all" rather than an error. */
export function parseHistoryFilter(query: Record<string, string | undefined>, driveIds: readonly string[], defaultLimit = 500): HistoryFilter {
  const limit = Number(query.limit);
  const offset = Number(query.offset);
  const sort = pick(HISTORY_SORTS, query.sort) ?? 'date';
  return {
    drive: pick(driveIds, query.drive),
    type: pick(DISC_TYPES, query.type),
    result: pick(JOB_RESULTS, query.result),
    q: (query.q ?? '').trim().slice(0, 200),
    sort,
    order: pick(['asc', 'desc'] as const, query.order) ?? (sort === 'name' ? 'asc' : 'desc'),
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
    limit: Number.isInteger(limit) && limit > 0 ? Math.min(limit, 100_000) : defaultLimit,
  };
}

export interface HistoryView {
  entries: HistoryEntry[];
  /** Entries matching the filter before `offset` and `limit`. */
  matched: number;
  offset: number;
  limit: number;
  /** Offset of the next page, or null on the last one. */
  next_offset: number | null;
  total: number;
  archived_total: Record<string, number>;
  updated: string | null;
}

function historyText(e: HistoryEntry): string {
  return `${e.disc_label ?? ''}\n${e.image_path ?? ''}\n${e.drive_id}\n${e.fingerprint ?? ''}\n${e.method ?? ''}`.toLowerCase();
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareHistory(sort: HistorySort): (a: HistoryEntry, b: HistoryEntry) => number {
  switch (sort) {
    case 'name':
      return (a, b) => naturalCompare(a.disc_label ?? '', b.disc_label ?? '') || byCodeUnit(a.finished, b.finished);
    case 'size':
      return (a, b) => a.bytes - b.bytes || byCodeUnit(a.finished, b.finished);
    case 'date':
      return (a, b) => byCodeUnit(a.finished, b.finished) || byCodeUnit(a.id, b.id);
  }
}

/** Pure: the page of history entries that match the filter and search, sorted. */
export function filterHistory(history: History | null, filter: HistoryFilter): HistoryView {
  const all = history?.entries ?? [];
  const words = filter.q.toLowerCase().split(/\s+/).filter((w) => w.length > 0);
  const matching = all.filter(
    (e) =>
      (filter.drive === null || e.drive_id === filter.drive) &&
      (filter.type === null || e.disc_type === filter.type) &&
      (filter.result === null || e.result === filter.result) &&
      (words.length === 0 || words.every((w) => historyText(e).includes(w))),
  );
  // history.json is newest first: the default order needs no sort.
  if (!(filter.sort === 'date' && filter.order === 'desc')) {
    const compare = compareHistory(filter.sort);
    matching.sort(filter.order === 'asc' ? compare : (a, b) => compare(b, a));
  }
  const entries = matching.slice(filter.offset, filter.offset + filter.limit);
  const end = filter.offset + entries.length;
  return {
    entries,
    matched: matching.length,
    offset: filter.offset,
    limit: filter.limit,
    next_offset: end < matching.length ? end : null,
    total: all.length,
    archived_total: history?.archived_total ?? {},
    updated: history?.updated ?? null,
  };
}

/** pino's level numbers by name. */
export const LOG_LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
export type LogLevelName = keyof typeof LOG_LEVELS;

function levelName(level: number): LogLevelName {
  const names = Object.keys(LOG_LEVELS) as LogLevelName[];
  return [...names].reverse().find((name) => level >= LOG_LEVELS[name]) ?? 'trace';
}

export interface LogLineView {
  time: string;
  level: LogLevelName;
  ns: string | null;
  msg: string;
}

export function parseLogLevel(value: string | undefined): LogLevelName | null {
  return value !== undefined && value in LOG_LEVELS ? (value as LogLevelName) : null;
}

/** Recent log lines, newest first. */
export function recentLogs(logs: LogBuffer, level: LogLevelName | null, limit = 300): LogLineView[] {
  return logs
    .recent(limit, level === null ? 0 : LOG_LEVELS[level])
    .map((line) => ({ time: new Date(line.time).toISOString(), level: levelName(line.level), ns: line.ns, msg: line.msg }))
    .reverse();
}

export interface SystemDriveView extends DriveInfo {
  id: string;
  state: DriveState | null;
}

export interface SystemView {
  version: string;
  core: SystemInfo | null;
  drives: SystemDriveView[];
  output_dir: string;
  free_bytes: number | null;
  total_bytes: number | null;
}

/** Free/total bytes of the file system holding `dir`, or nulls when it cannot be asked. */
export async function diskSpace(dir: string): Promise<{ free: number | null; total: number | null }> {
  try {
    const fs = await statfs(dir);
    return { free: fs.bavail * fs.bsize, total: fs.blocks * fs.bsize };
  } catch {
    return { free: null, total: null };
  }
}

export async function systemView(reader: ContractReader, version: string, outputDir: string): Promise<SystemView> {
  const [core, drives, space] = await Promise.all([reader.system(), reader.drives(), diskSpace(outputDir)]);
  return {
    version,
    core,
    drives: drives.map((d) => ({
      id: d.id,
      state: d.status?.state ?? null,
      path: d.status?.drive.path ?? '',
      vendor: d.status?.drive.vendor ?? null,
      model: d.status?.drive.model ?? null,
      present: d.status?.drive.present ?? false,
      simulated: d.status?.drive.simulated ?? false,
    })),
    output_dir: outputDir,
    free_bytes: space.free ?? core?.output_free_bytes ?? null,
    total_bytes: space.total ?? core?.output_total_bytes ?? null,
  };
}
