import {
  ArchiveIndexReader,
  archiveIndexPath,
  archiveSummaryPath,
  ArchiveSummarySchema,
  queryArchive,
  summarizeItems,
  type ArchiveControl,
  type ArchiveCounts,
  type ArchiveItem,
  type ArchiveQuery,
  type ArchiveQueryPage,
  type ArchiveSummary,
} from '../contract/archive-index.js';
import { readContractValue } from '../contract/index.js';
import type { Logger } from '../log/index.js';
import { errorMessage } from '../util/errors.js';
import { resolveArchivePath, type ResolvedArchivePath } from './archive-fs.js';
import { deleteArchiveItem } from './archive-ops.js';
import { ChecksumVerifier, type ChecksumState } from './archive-verify.js';
import { diskSpace } from './queries.js';

export interface ArchiveEntry extends ArchiveItem {
  checksum: ChecksumState;
}

/** One page of the archive as the page and `GET api/archive` show it. */
export interface ArchiveView extends Omit<ArchiveQueryPage, 'items'> {
  output_dir: string;
  items: ArchiveEntry[];
  /** Items in the whole archive (not only the page). */
  total: number;
  total_bytes_used: number;
  corrupt: number;
  /** The scrub's part of archive.json (last and running scrub), null before the core wrote it. */
  scrub: Pick<ArchiveSummary, 'last_scrub' | 'scrub' | 'next_scrub'> | null;
  /** False when no core has written an index (yet): the list is empty, not the folder. */
  indexed: boolean;
  free_bytes: number | null;
  total_bytes: number | null;
}

/**
 * The archive as the web pages see it: pages of the core's index (asked through `ArchiveControl`
 * in the core's process, else read incrementally from its log; never the folder itself),
 * verification on demand, deletion. Changes go back to the core through `ArchiveControl`.
 */
export class ArchiveService {
  readonly verifier: ChecksumVerifier;
  readonly #reader: ArchiveIndexReader;
  readonly #summaryPath: string;

  constructor(
    readonly root: string,
    apiRoot: string,
    private readonly logger: Logger,
    readonly control: ArchiveControl | null = null,
  ) {
    this.#reader = new ArchiveIndexReader(archiveIndexPath(apiRoot));
    this.#summaryPath = archiveSummaryPath(apiRoot);
    this.verifier = new ChecksumVerifier(logger, (rel, verify) => {
      control?.verified(rel, verify).catch((error: unknown) => logger.warn({ err: errorMessage(error), image: rel }, 'could not record a verification'));
    });
  }

  /** A page and the counts: from the core's index in memory, or (no core in this process) its log on disk. */
  async #query(query: ArchiveQuery): Promise<{ indexed: boolean; page: ArchiveQueryPage; counts: ArchiveCounts }> {
    if (this.control) return { indexed: true, ...(await this.control.query(query)) };
    const indexed = await this.#reader.refresh();
    return { indexed, page: queryArchive(this.#reader.items.values(), query), counts: summarizeItems(this.#reader.items.values()) };
  }

  async #item(rel: string): Promise<ArchiveItem | undefined> {
    if (this.control) return this.control.get(rel);
    await this.#reader.refresh();
    return this.#reader.items.get(rel);
  }

  async list(query: ArchiveQuery): Promise<ArchiveView> {
    const [{ indexed, page, counts }, space, summary] = await Promise.all([
      this.#query(query),
      diskSpace(this.root),
      readContractValue(this.#summaryPath, ArchiveSummarySchema),
    ]);
    return {
      ...page,
      output_dir: this.root,
      items: page.items.map((item) => ({ ...item, checksum: this.verifier.stateOf(item) })),
      total: counts.items,
      total_bytes_used: counts.bytes,
      corrupt: counts.corrupt,
      scrub: summary ? { last_scrub: summary.last_scrub, scrub: summary.scrub, next_scrub: summary.next_scrub } : null,
      indexed,
      free_bytes: space.free,
      total_bytes: space.total,
    };
  }

  resolve(requested: unknown): Promise<ResolvedArchivePath> {
    return resolveArchivePath(this.root, requested);
  }

  /** Starts verifying one image against its sidecars, or an audio folder against its manifest. */
  async verify(requested: unknown): Promise<{ path: string; checksum: ChecksumState }> {
    const item = await this.resolve(requested);
    const indexed = await this.#item(item.rel);
    if (!indexed) return { path: item.rel, checksum: { status: 'none' } };
    return { path: item.rel, checksum: await this.verifier.request(item.rel, item.abs, indexed) };
  }

  async delete(requested: unknown): Promise<string[]> {
    const item = await this.resolve(requested);
    this.verifier.forget(item.rel);
    const removed = await deleteArchiveItem(item);
    await this.control?.removed(item.rel);
    this.logger.info({ removed }, 'archive item deleted from the web UI');
    return removed;
  }

  /** Reconcile the core's index with the folder now. */
  async rescan(): Promise<{ added: number; removed: number; changed: number } | null> {
    return (await this.control?.rescan()) ?? null;
  }

  async scrubNow(): Promise<{ started: boolean } | null> {
    return (await this.control?.scrubNow()) ?? null;
  }

  stop(): void {
    this.verifier.stop();
  }
}
