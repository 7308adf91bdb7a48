import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { compareNaturalKeys, naturalKey } from '../util/natural-order.js';
import { DiscTypeSchema, SCHEMA_VERSION } from './schema.js';

/**
 * The archive index: one small record per image (or audio folder) of the output folder, built
 * by the core from the folder and the `.disk2iso.json` records next to the images.
 *
 * On disk it is an append-only JSON-lines log (`archive/index.jsonl` in the api dir): a header,
 * then `put` / `del` lines; the core rewrites it compacted at start. A reader keeps the records
 * in memory and reads only the bytes appended since its last read, so answering a page never
 * parses the whole file. `archive.json` next to the other contract files is the summary
 * (counts, corrupt images, last scrub) for the dashboard and Home Assistant.
 */

export const ARCHIVE_ITEM_GROUPS = ['data', 'dvd', 'bluray', 'audio', 'other'] as const;
const ArchiveGroupSchema = z.enum(ARCHIVE_ITEM_GROUPS);
export type ArchiveGroup = z.infer<typeof ArchiveGroupSchema>;

/** Outcome of re-reading an image against its checksum record. */
const VERIFY_STATUSES = ['ok', 'mismatch', 'missing', 'error'] as const;
const VerifyStatusSchema = z.enum(VERIFY_STATUSES);

const ArchiveVerifySchema = z.object({
  status: VerifyStatusSchema,
  /** When the image was last re-read (or found missing). */
  at: z.string(),
  algorithm: z.enum(['sha256', 'md5']).nullable(),
  detail: z.string().nullable(),
});
export type ArchiveVerify = z.infer<typeof ArchiveVerifySchema>;

const ArchiveMetadataSchema = z.object({
  disc_label: z.string().nullable(),
  disc_type: DiscTypeSchema.nullable(),
  method: z.string().nullable(),
  result: z.string().nullable(),
  finished: z.string().nullable(),
  drive_id: z.string().nullable(),
  /**
   * The disc's fingerprint from the record: the core answers the duplicate check from it. Absent
   * in lines written before it was kept; the core reads such an item's record again at start.
   */
  fingerprint: z.string().nullable().optional(),
});
export type ArchiveMetadata = z.infer<typeof ArchiveMetadataSchema>;

const ArchiveItemSchema = z.object({
  /** Relative to the output folder, '/'-separated: the handle used by the API. */
  path: z.string().min(1),
  group: ArchiveGroupSchema,
  name: z.string(),
  kind: z.enum(['image', 'folder']),
  size: z.number().int().nonnegative(),
  mtime: z.string(),
  /** Number of files, for folders (audio rips). */
  files: z.number().int().nonnegative().nullable(),
  sidecars: z.object({ sha256: z.boolean(), md5: z.boolean(), metadata: z.boolean() }),
  /** False: the record is there but the image is gone (deleted by hand, lost). */
  present: z.boolean(),
  metadata: ArchiveMetadataSchema.nullable(),
  /** The last scrub (or on-demand verification) of the image; null until it is re-read once. */
  verify: ArchiveVerifySchema.nullable(),
});
export type ArchiveItem = z.infer<typeof ArchiveItemSchema>;

const ArchiveLogLineSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('header'), schema_version: z.number().int().positive(), generation: z.string(), created: z.string() }),
  z.object({ op: z.literal('put'), item: ArchiveItemSchema }),
  z.object({ op: z.literal('del'), path: z.string() }),
]);
export type ArchiveLogLine = z.infer<typeof ArchiveLogLineSchema>;

const ScrubRunSchema = z.object({
  started: z.string(),
  finished: z.string().nullable(),
  checked: z.number().int().nonnegative(),
  corrupt: z.number().int().nonnegative(),
  missing: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
});
export type ScrubRun = z.infer<typeof ScrubRunSchema>;

/** `archive.json`: what the dashboard and Home Assistant show of the archive. */
export const ArchiveSummarySchema = z.object({
  schema_version: z.literal(SCHEMA_VERSION),
  items: z.number().int().nonnegative(),
  images: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  by_group: z.record(z.string(), z.number().int().nonnegative()),
  /** Images whose last re-read did not match their checksum record, or that are gone. */
  corrupt: z.number().int().nonnegative(),
  missing: z.number().int().nonnegative(),
  verified: z.number().int().nonnegative(),
  /** The last complete scrub; null before the first one. */
  last_scrub: ScrubRunSchema.nullable(),
  /** The scrub running now (paused while a disc is copied), or null. */
  scrub: z.object({ started: z.string(), checked: z.number().int().nonnegative(), total: z.number().int().nonnegative(), paused: z.boolean() }).nullable(),
  next_scrub: z.string().nullable(),
  /** The index log's generation; changes when the core rewrites it. */
  generation: z.string(),
  updated: z.string(),
});
export type ArchiveSummary = z.infer<typeof ArchiveSummarySchema>;

export function archiveIndexPath(apiRoot: string): string {
  return join(apiRoot, 'archive', 'index.jsonl');
}

export function archiveSummaryPath(apiRoot: string): string {
  return join(apiRoot, 'archive.json');
}

/**
 * What a query and the counts look at of an item: the fields the core keeps in memory for each
 * one (the rest of the item stays in the log until a page shows it).
 */
export interface ArchiveKeys {
  readonly path: string;
  readonly name: string;
  readonly group: ArchiveGroup;
  readonly kind: ArchiveItem['kind'];
  readonly size: number;
  /** When its disc was archived (the record's time), else the file's mtime. */
  readonly date: string;
  readonly label: string | null;
  readonly type: string | null;
  readonly result: string | null;
  readonly check: ArchiveVerify['status'] | null;
}

/** The keys of a whole item. */
export function keysOf(item: ArchiveItem): ArchiveKeys {
  return {
    path: item.path,
    name: item.name,
    group: item.group,
    kind: item.kind,
    size: item.size,
    date: item.metadata?.finished ?? item.mtime,
    label: item.metadata?.disc_label ?? null,
    type: item.metadata?.disc_type ?? null,
    result: item.metadata?.result ?? null,
    check: item.verify?.status ?? null,
  };
}

/** A problem for the scrub: the image is gone, or does not match. */
const isCorrupt = (check: ArchiveKeys['check']): boolean => check === 'mismatch' || check === 'missing';

export type ArchiveCounts = Pick<ArchiveSummary, 'items' | 'images' | 'bytes' | 'by_group' | 'corrupt' | 'missing' | 'verified'>;

/** Pure: the summary counts of a set of items (or of their keys). */
export function summarizeItems(items: Iterable<ArchiveItem>): ArchiveCounts {
  const keys = function* () {
    for (const item of items) yield keysOf(item);
  };
  return countKeys(keys());
}

/** Pure: the summary counts of the keys of a set of items. */
export function countKeys(items: Iterable<ArchiveKeys>): ArchiveCounts {
  let count = 0;
  let images = 0;
  let bytes = 0;
  let corrupt = 0;
  let missing = 0;
  let verified = 0;
  const by_group: Record<string, number> = {};
  for (const item of items) {
    count++;
    if (item.kind === 'image') images++;
    bytes += item.size;
    by_group[item.group] = (by_group[item.group] ?? 0) + 1;
    if (isCorrupt(item.check)) corrupt++;
    if (item.check === 'missing') missing++;
    if (item.check !== null) verified++;
  }
  return { items: count, images, bytes, by_group, corrupt, missing, verified };
}

// ---------------------------------------------------------------- query

const ARCHIVE_SORTS = ['date', 'name', 'size'] as const;
type ArchiveSort = (typeof ARCHIVE_SORTS)[number];
const CHECK_FILTERS = ['ok', 'mismatch', 'missing', 'error', 'unverified', 'corrupt'] as const;
type CheckFilter = (typeof CHECK_FILTERS)[number];

export interface ArchiveQuery {
  /** Words that must all appear in the name, label or path (case-insensitive). */
  q: string;
  sort: ArchiveSort;
  order: 'asc' | 'desc';
  group: ArchiveGroup | null;
  type: z.infer<typeof DiscTypeSchema> | null;
  result: 'success' | 'degraded' | null;
  check: CheckFilter | null;
  offset: number;
  limit: number;
}

const ARCHIVE_PAGE_DEFAULT = 50;
const ARCHIVE_PAGE_MAX = 500;

const pickOf = <T extends string>(allowed: readonly T[], value: string | undefined): T | null =>
  value !== undefined && (allowed as readonly string[]).includes(value) ? (value as T) : null;

function intParam(value: string | undefined, fallback: number, min: number, max: number): number {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isInteger(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

/** Query parameters → query; unknown values mean the default rather than an error. */
export function parseArchiveQuery(params: Record<string, string | undefined>): ArchiveQuery {
  const sort = pickOf(ARCHIVE_SORTS, params.sort) ?? 'date';
  const order = pickOf(['asc', 'desc'] as const, params.order) ?? (sort === 'name' ? 'asc' : 'desc');
  return {
    q: (params.q ?? '').trim().slice(0, 200),
    sort,
    order,
    group: pickOf(ARCHIVE_ITEM_GROUPS, params.group),
    type: pickOf(DiscTypeSchema.options, params.type),
    result: pickOf(['success', 'degraded'] as const, params.result),
    check: pickOf(CHECK_FILTERS, params.check),
    offset: intParam(params.offset, 0, 0, Number.MAX_SAFE_INTEGER),
    limit: intParam(params.limit, ARCHIVE_PAGE_DEFAULT, 1, ARCHIVE_PAGE_MAX),
  };
}

/** Lower-cased words of a search text. */
function searchWords(q: string): string[] {
  return q.toLowerCase().split(/\s+/).filter((w) => w.length > 0);
}

function matchesCheck(item: ArchiveKeys, check: CheckFilter): boolean {
  if (check === 'corrupt') return isCorrupt(item.check);
  if (check === 'unverified') return item.check === null;
  return item.check === check;
}

function archiveMatches(item: ArchiveKeys, query: ArchiveQuery, words: readonly string[]): boolean {
  if (query.group !== null && item.group !== query.group) return false;
  if (query.type !== null && item.type !== query.type) return false;
  if (query.result !== null && item.result !== query.result) return false;
  if (query.check !== null && !matchesCheck(item, query.check)) return false;
  if (words.length === 0) return true;
  const text = `${item.path}\n${item.label ?? ''}`.toLowerCase();
  return words.every((w) => text.includes(w));
}

/** Plain code-unit order: paths and ISO timestamps sort correctly without a collator. */
const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareItems<T extends ArchiveKeys>(sort: ArchiveSort, items: readonly T[]): (a: T, b: T) => number {
  switch (sort) {
    case 'name': {
      // Each name folded once, not on each of the sort's comparisons.
      const keys = new Map<T, string>();
      for (const item of items) keys.set(item, naturalKey(item.name));
      return (a, b) => compareNaturalKeys(keys.get(a) ?? '', keys.get(b) ?? '') || byCodeUnit(a.path, b.path);
    }
    case 'size':
      return (a, b) => a.size - b.size || byCodeUnit(a.path, b.path);
    case 'date':
      return (a, b) => byCodeUnit(a.date, b.date) || byCodeUnit(a.path, b.path);
  }
}

export interface ArchiveQueryPage {
  items: ArchiveItem[];
  /** Items matching the filter and search, before paging. */
  matched: number;
  offset: number;
  limit: number;
  /** Offset of the next page, or null on the last one. */
  next_offset: number | null;
}

/**
 * Pure: one page of the items (or their keys) that match `query`, sorted. Only the matching ones
 * are sorted (references, not copies), so the cost is one pass plus a sort of the matches.
 */
export function queryKeys<T extends ArchiveKeys>(items: Iterable<T>, query: ArchiveQuery): Omit<ArchiveQueryPage, 'items'> & { items: T[] } {
  const words = searchWords(query.q);
  const matching: T[] = [];
  for (const item of items) if (archiveMatches(item, query, words)) matching.push(item);
  const compare = compareItems(query.sort, matching);
  matching.sort(query.order === 'asc' ? compare : (a, b) => compare(b, a));
  const page = matching.slice(query.offset, query.offset + query.limit);
  const end = query.offset + page.length;
  return { items: page, matched: matching.length, offset: query.offset, limit: query.limit, next_offset: end < matching.length ? end : null };
}

/** Pure: one page of whole items that match `query`, sorted. */
export function queryArchive(items: Iterable<ArchiveItem>, query: ArchiveQuery): ArchiveQueryPage {
  const keyed: (ArchiveKeys & { item: ArchiveItem })[] = [];
  for (const item of items) keyed.push({ ...keysOf(item), item });
  const page = queryKeys(keyed, query);
  return { ...page, items: page.items.map((k) => k.item) };
}

// ---------------------------------------------------------------- log lines

export function headerLine(generation: string): string {
  return `${JSON.stringify({ op: 'header', schema_version: SCHEMA_VERSION, generation, created: new Date().toISOString() } satisfies ArchiveLogLine)}\n`;
}

export function putLine(item: ArchiveItem): string {
  return `${JSON.stringify({ op: 'put', item } satisfies ArchiveLogLine)}\n`;
}

export function delLine(path: string): string {
  return `${JSON.stringify({ op: 'del', path } satisfies ArchiveLogLine)}\n`;
}

type Checked = Record<string, unknown>;
const isObject = (v: unknown): v is Checked => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isText = (v: unknown): boolean => typeof v === 'string';
const isTextOrNull = (v: unknown): boolean => v === null || typeof v === 'string';
const isOneOf = (allowed: readonly unknown[], v: unknown): boolean => allowed.includes(v);

/**
 * The same check as ArchiveItemSchema, by hand: the core reads 10,000 of these at start, and
 * zod's parse (a deep copy of each) took a third of the index's start-up time and most of its garbage.
 */
function isArchiveItem(v: unknown): v is ArchiveItem {
  if (!isObject(v)) return false;
  const { sidecars: s, metadata: m, verify: c } = v;
  return (
    typeof v.path === 'string' &&
    v.path.length > 0 &&
    isOneOf(ARCHIVE_ITEM_GROUPS, v.group) &&
    isText(v.name) &&
    isOneOf(['image', 'folder'], v.kind) &&
    isCount(v.size) &&
    isText(v.mtime) &&
    (v.files === null || isCount(v.files)) &&
    isObject(s) &&
    typeof s.sha256 === 'boolean' &&
    typeof s.md5 === 'boolean' &&
    typeof s.metadata === 'boolean' &&
    typeof v.present === 'boolean' &&
    (m === null ||
      (isObject(m) &&
        isTextOrNull(m.disc_label) &&
        (m.disc_type === null || isOneOf(DiscTypeSchema.options, m.disc_type)) &&
        isTextOrNull(m.method) &&
        isTextOrNull(m.result) &&
        isTextOrNull(m.finished) &&
        isTextOrNull(m.drive_id) &&
        (m.fingerprint === undefined || isTextOrNull(m.fingerprint)))) &&
    (c === null || (isObject(c) && isOneOf(VERIFY_STATUSES, c.status) && isText(c.at) && (c.algorithm === null || isOneOf(['sha256', 'md5'], c.algorithm)) && isTextOrNull(c.detail)))
  );
}

/** One line of the log, checked; null for a line that is not one (torn, hand-edited). */
export function parseLogLine(line: string): ArchiveLogLine | null {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  // `put` lines, nearly all of the log, are checked by hand; the others by the schema.
  if (isObject(raw) && raw.op === 'put' && Object.keys(raw).length === 2) return isArchiveItem(raw.item) ? { op: 'put', item: raw.item } : null;
  const parsed = ArchiveLogLineSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** Applies one line of the log to `items`: false for a line that is not one (torn, hand-edited). */
function applyLogLine(items: Map<string, ArchiveItem>, line: string): boolean {
  const entry = parseLogLine(line);
  if (entry === null) return false;
  if (entry.op === 'put') items.set(entry.item.path, entry.item);
  else if (entry.op === 'del') items.delete(entry.path);
  return true;
}

/** Applies the complete lines of `text` to `items`; a bad line is skipped and counted. */
function applyLogLines(items: Map<string, ArchiveItem>, text: string): { bad: number } {
  let bad = 0;
  for (const line of text.split('\n')) if (line.length > 0 && !applyLogLine(items, line)) bad++;
  return { bad };
}

// ---------------------------------------------------------------- reader

interface ReadPosition {
  ino: number;
  offset: number;
}

/**
 * Keeps the index in memory for a reader in another part (the web server): each `refresh()`
 * stats the log and reads only what was appended since; a rewritten log (new inode, or
 * shorter than what was read) is read again from the start.
 */
export class ArchiveIndexReader {
  readonly #items = new Map<string, ArchiveItem>();
  #position: ReadPosition | null = null;
  #refreshing: Promise<boolean> | null = null;

  constructor(readonly path: string) {}

  /** False when there is no index file (no core has written one). */
  refresh(): Promise<boolean> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  get items(): ReadonlyMap<string, ArchiveItem> {
    return this.#items;
  }

  async #refresh(): Promise<boolean> {
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch {
      this.#items.clear();
      this.#position = null;
      return false;
    }
    try {
      const { ino, size } = await handle.stat();
      let position = this.#position;
      if (!position || position.ino !== ino || size < position.offset) {
        this.#items.clear();
        position = { ino, offset: 0 };
      }
      if (size > position.offset) {
        const buffer = Buffer.alloc(size - position.offset);
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, position.offset);
        const end = buffer.subarray(0, bytesRead).lastIndexOf(0x0a);
        if (end >= 0) {
          applyLogLines(this.#items, buffer.subarray(0, end + 1).toString('utf8'));
          position = { ino, offset: position.offset + end + 1 };
        }
      }
      this.#position = position;
      return true;
    } finally {
      await handle.close();
    }
  }
}

/**
 * What the web server may ask of the core's archive index (an in-process interface, like
 * ControlApi): it deletes files itself and reports it, and asks for a rescan or a check.
 */
export interface ArchiveControl {
  /** One page of the index from the core's memory (the web server in the core keeps no second copy). */
  query(query: ArchiveQuery): Promise<{ page: ArchiveQueryPage; counts: ArchiveCounts }>;
  /** One item of the index. */
  get(rel: string): Promise<ArchiveItem | undefined>;
  /** An item was deleted through the UI. */
  removed(rel: string): Promise<void>;
  /** Reconcile the index with the folder now (images added or removed by hand). */
  rescan(): Promise<{ added: number; removed: number; changed: number }>;
  /** Record the result of an on-demand verification of one image. */
  verified(rel: string, verify: ArchiveVerify): Promise<void>;
  /** Start a scrub now (no-op while one runs). */
  scrubNow(): Promise<{ started: boolean }>;
}
