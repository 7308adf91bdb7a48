import { join } from 'node:path';
import type { Logger } from '../log/index.js';
import { listArchive, resolveArchivePath, type ArchiveItem, type ResolvedArchivePath } from './archive-fs.js';
import { deleteArchiveItem, readImageMetadata, type ImageMetadata } from './archive-ops.js';
import { ChecksumVerifier, type ChecksumState } from './archive-verify.js';
import { diskSpace } from './queries.js';

export interface ArchiveEntry extends ArchiveItem {
  checksum: ChecksumState;
  metadata: ImageMetadata | null;
}

export interface ArchiveView {
  output_dir: string;
  items: ArchiveEntry[];
  total_bytes_used: number;
  free_bytes: number | null;
  total_bytes: number | null;
}

/** The output folder as the archive page sees it: listing, verification, deletion. */
export class ArchiveService {
  readonly verifier: ChecksumVerifier;

  constructor(
    readonly root: string,
    private readonly logger: Logger,
  ) {
    this.verifier = new ChecksumVerifier(logger);
  }

  async list(): Promise<ArchiveView> {
    const [items, space] = await Promise.all([listArchive(this.root), diskSpace(this.root)]);
    const entries = await Promise.all(
      items.map(async (item) => ({
        ...item,
        checksum: this.verifier.stateOf(item),
        metadata: item.sidecars.metadata ? await readImageMetadata(join(this.root, item.path)) : null,
      })),
    );
    return {
      output_dir: this.root,
      items: entries,
      total_bytes_used: items.reduce((sum, item) => sum + item.size, 0),
      free_bytes: space.free,
      total_bytes: space.total,
    };
  }

  resolve(requested: unknown): Promise<ResolvedArchivePath> {
    return resolveArchivePath(this.root, requested);
  }

  /** Starts verifying one image against its sidecars. */
  async verify(requested: unknown): Promise<{ path: string; checksum: ChecksumState }> {
    const item = await this.resolve(requested);
    const listed = (await listArchive(this.root)).find((i) => i.path === item.rel);
    if (item.kind !== 'image' || !listed) return { path: item.rel, checksum: { status: 'none' } };
    return { path: item.rel, checksum: await this.verifier.request(item.rel, item.abs, listed) };
  }

  async delete(requested: unknown): Promise<string[]> {
    const item = await this.resolve(requested);
    this.verifier.forget(item.rel);
    const removed = await deleteArchiveItem(item);
    this.logger.info({ removed }, 'archive item deleted from the web UI');
    return removed;
  }

  stop(): void {
    this.verifier.stop();
  }
}
