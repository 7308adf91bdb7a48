import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { CopyGuard } from './guard.js';
import { outputOp } from './errors.js';
import type { ChecksumAlgorithm, ChecksumValues } from './types.js';

/** Several digests fed in the same pass. */
export class MultiHash {
  readonly #hashes: [ChecksumAlgorithm, Hash][];

  constructor(algorithms: readonly ChecksumAlgorithm[]) {
    this.#hashes = [...new Set(algorithms)].map((a) => [a, createHash(a)]);
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

/**
 * Hashes the first `size` bytes of a file with read-ahead (the next read runs while this chunk
 * is hashed). Read errors of our own output are output errors (`io_error`).
 */
export async function hashFile(
  path: string,
  size: number,
  algorithms: readonly ChecksumAlgorithm[],
  guard: CopyGuard,
  onBytes: (done: number) => void,
): Promise<ChecksumValues> {
  const hash = new MultiHash(algorithms);
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
    let pos = 0;
    let index = 0;
    pending = size > 0 ? readAt(0, 0) : null;
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

  constructor(path: string, size: number, algorithms: readonly ChecksumAlgorithm[], onBytes: (done: number) => void) {
    const guard = new CopyGuard(this.#controller.signal, 0);
    this.result = hashFile(path, size, algorithms, guard, onBytes)
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
