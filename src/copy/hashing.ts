import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { CopyGuard } from './guard.js';
import { outputOp } from './errors.js';
import type { ChecksumAlgorithm, ChecksumValues } from './types.js';

/** Several digests fed in the same pass. */
export class MultiHash {
  readonly #hashes: [ChecksumAlgorithm, Hash][];

  constructor(algorithms: readonly ChecksumAlgorithm[], hashes?: [ChecksumAlgorithm, Hash][]) {
    this.#hashes = hashes ?? [...new Set(algorithms)].map((a): [ChecksumAlgorithm, Hash] => [a, createHash(a)]);
  }

  /** An independent copy of the state (to continue from here more than once). */
  copy(): MultiHash {
    return new MultiHash([], this.#hashes.map(([a, h]): [ChecksumAlgorithm, Hash] => [a, h.copy()]));
  }

  has(algorithm: ChecksumAlgorithm): boolean {
    return this.#hashes.some(([a]) => a === algorithm);
  }

  get empty(): boolean {
    return this.#hashes.length === 0;
  }

  update(chunk: Uint8Array): void {
    for (const [, hash] of this.#hashes) hash.update(chunk);
  }

  digest(): ChecksumValues {
    const out: ChecksumValues = {};
    for (const [algorithm, hash] of this.#hashes) out[algorithm] = hash.digest('hex');
    return out;
  }
}

const HASH_CHUNK = 1024 * 1024;

/** A hash of a file's first `pos` bytes, to go on from. */
export interface HashPrefix {
  readonly hash: MultiHash;
  readonly pos: number;
}

/**
 * Hashes the first `size` bytes of a file with read-ahead (the next read runs while this chunk
 * is hashed), or the bytes after `prefix` on from its state. Read errors of our own output are
 * output errors (`io_error`).
 */
export async function hashFile(
  path: string,
  size: number,
  algorithms: readonly ChecksumAlgorithm[],
  guard: CopyGuard,
  onBytes: (done: number) => void,
  prefix: HashPrefix | null = null,
): Promise<ChecksumValues> {
  const hash = prefix?.hash.copy() ?? new MultiHash(algorithms);
  const handle = await outputOp('open', path, () => open(path, 'r'));
  const buffers = [Buffer.allocUnsafeSlow(HASH_CHUNK), Buffer.allocUnsafeSlow(HASH_CHUNK)];
  const readAt = (index: number, pos: number): Promise<number> =>
    outputOp('read', path, async () => {
      const buffer = buffers[index % 2] as Buffer;
      const { bytesRead } = await handle.read(buffer, 0, Math.min(HASH_CHUNK, size - pos), pos);
      if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${pos}`);
      return bytesRead;
    });
  let pending: Promise<number> | null = null;
  try {
    let pos = prefix?.pos ?? 0;
    let index = 0;
    pending = pos < size ? readAt(0, pos) : null;
    while (pending) {
      const n: number = await guard.race(pending);
      guard.activity();
      const chunk = (buffers[index % 2] as Buffer).subarray(0, n);
      pos += n;
      index++;
      // Read-ahead into the other buffer while this one is hashed.
      pending = pos < size ? readAt(index, pos) : null;
      hash.update(chunk);
      onBytes(pos);
    }
  } finally {
    pending?.catch(() => undefined);
    // A read still running (after a stop) finishes on its own; close waits for it, so don't block on it.
    void handle.close().catch(() => undefined);
  }
  return hash.digest();
}

/**
 * A hash of the written image started ahead of time (while the rescue's retry passes still
 * run): its result stands if nothing has been written to the image since it started, which the
 * caller checks (the map's rescued bytes unchanged). Never rejects: null when it failed or was
 * abandoned.
 */
export class EarlyHash {
  readonly #controller = new AbortController();
  readonly result: Promise<ChecksumValues | null>;

  constructor(
    path: string,
    size: number,
    algorithms: readonly ChecksumAlgorithm[],
    onBytes: (done: number) => void,
    prefix: HashPrefix | null,
  ) {
    const guard = new CopyGuard(this.#controller.signal, 0);
    this.result = hashFile(path, size, algorithms, guard, onBytes, prefix)
      .then(
        (digests): ChecksumValues | null => digests,
        () => null,
      )
      .finally(() => guard.dispose());
  }

  abandon(): void {
    this.#controller.abort();
  }
}
