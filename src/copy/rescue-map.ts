import { SECTOR_SIZE } from '../drive/index.js';
import type { BlockStatus, MapBlock } from './mapfile.js';
import type { ByteRange } from './types.js';

const STATUSES: readonly BlockStatus[] = ['?', '*', '/', '-', '+'];

/**
 * The rescue state of every byte of [0, size): a sorted, contiguous, merged block list (the
 * body of a ddrescue mapfile) with per-status byte counters.
 */
export class RescueMap {
  readonly #blocks: MapBlock[];
  readonly #bytes: Record<BlockStatus, number> = { '?': 0, '*': 0, '/': 0, '-': 0, '+': 0 };

  constructor(
    readonly size: number,
    blocks: readonly MapBlock[] = [{ pos: 0, size, status: '?' }],
  ) {
    this.#blocks = [];
    for (const b of size === 0 ? [] : blocks) {
      const prev = this.#blocks.at(-1);
      if (prev && prev.status === b.status) prev.size += b.size;
      else this.#blocks.push({ ...b });
      this.#bytes[b.status] += b.size;
    }
  }

  /** The blocks of a mapfile, if they are contiguous and cover exactly [0, size). */
  static fromBlocks(size: number, blocks: readonly MapBlock[]): RescueMap | null {
    let end = 0;
    for (const b of blocks) {
      if (b.pos !== end || b.size <= 0) return null;
      end += b.size;
    }
    return end === size ? new RescueMap(size, blocks) : null;
  }

  get blocks(): readonly MapBlock[] {
    return this.#blocks;
  }

  bytesWith(...statuses: BlockStatus[]): number {
    return statuses.reduce((sum, s) => sum + this.#bytes[s], 0);
  }

  /** Ranges whose status is one of `statuses`, merged, in order. */
  ranges(...statuses: BlockStatus[]): ByteRange[] {
    const out: ByteRange[] = [];
    for (const b of this.#blocks) {
      if (!statuses.includes(b.status)) continue;
      const prev = out.at(-1);
      if (prev && prev[1] === b.pos) prev[1] = b.pos + b.size;
      else out.push([b.pos, b.pos + b.size]);
    }
    return out;
  }

  /** Sectors touched by blocks with one of `statuses`. */
  sectorsWith(...statuses: BlockStatus[]): number {
    let count = 0;
    for (const [start, end] of this.ranges(...statuses)) {
      count += Math.ceil(end / SECTOR_SIZE) - Math.floor(start / SECTOR_SIZE);
    }
    return count;
  }

  /** Marks [start, end) with `status`, splitting and merging blocks. */
  set(start: number, end: number, status: BlockStatus): void {
    const s = Math.max(0, start);
    const e = Math.min(this.size, end);
    if (e <= s) return;
    const blocks = this.#blocks;
    let first = this.#indexAt(s);
    let last = first;
    while (last < blocks.length - 1 && (blocks[last + 1] as MapBlock).pos < e) last++;
    const head = blocks[first] as MapBlock;
    const tail = blocks[last] as MapBlock;
    const replacement: MapBlock[] = [];
    if (head.pos < s) replacement.push({ pos: head.pos, size: s - head.pos, status: head.status });
    replacement.push({ pos: s, size: e - s, status });
    const tailEnd = tail.pos + tail.size;
    if (tailEnd > e) replacement.push({ pos: e, size: tailEnd - e, status: tail.status });
    // Merge with neighbours of the same status.
    const before = blocks[first - 1];
    if (before && before.status === (replacement[0] as MapBlock).status) {
      first--;
      const head0 = replacement[0] as MapBlock;
      replacement[0] = { pos: before.pos, size: before.size + head0.size, status: before.status };
    }
    const after = blocks[last + 1];
    const lastNew = replacement.at(-1) as MapBlock;
    if (after && after.status === lastNew.status) {
      last++;
      lastNew.size += after.size;
    }
    for (let i = first; i <= last; i++) this.#bytes[(blocks[i] as MapBlock).status] -= (blocks[i] as MapBlock).size;
    const merged = replacement.reduce<MapBlock[]>((acc, b) => {
      const prev = acc.at(-1);
      if (prev && prev.status === b.status) prev.size += b.size;
      else acc.push(b);
      return acc;
    }, []);
    for (const b of merged) this.#bytes[b.status] += b.size;
    blocks.splice(first, last - first + 1, ...merged);
  }

  /** Index of the block containing `pos` (binary search). */
  #indexAt(pos: number): number {
    let lo = 0;
    let hi = this.#blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.#blocks[mid] as MapBlock).pos <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Every status present, for tests and logs. */
  summary(): Record<BlockStatus, number> {
    return Object.fromEntries(STATUSES.map((s) => [s, this.#bytes[s]])) as Record<BlockStatus, number>;
  }
}
