import { alignedBuffer, SECTOR_SIZE } from '../drive/index.js';
import { settleWithin } from './guard.js';
import type { MultiHash } from './hashing.js';
import { readExactly, readFailure, writeAt, type CopyIo } from './io.js';
import { Pacer } from './pacer.js';
import type { ByteRange } from './types.js';

/**
 * Large aligned reads, a multiple of the sector size. 1 MiB measured faster than 2–4 MiB here
 * (cache locality of read, hash and write of one chunk).
 */
export const DEFAULT_CHUNK_BYTES = 1024 * 1024;
/** Buffers in flight: one being read, one being hashed, one being written. */
const DEPTH = 3;

/** A failed read may still have read `got` bytes from its start (a short read, then the error). */
type ReadOutcome = { ok: true } | { ok: false; error: unknown; got: number };

/** Cuts ranges into chunks whose boundaries are multiples of `chunkBytes` (the last ones shortened). */
function planChunks(ranges: readonly ByteRange[], chunkBytes: number): ByteRange[] {
  const out: ByteRange[] = [];
  for (const [start, end] of ranges) {
    for (let pos = start; pos < end; ) {
      const next = Math.min(end, (Math.floor(pos / chunkBytes) + 1) * chunkBytes);
      out.push([pos, next]);
      pos = next;
    }
  }
  return out;
}

/**
 * ddrescue's first pass: reads the untried (`?`) areas in large chunks; a chunk that fails is
 * marked non-trimmed (`*`) and skipped. A short read ends its chunk there (see SHORT_READ).
 * Reading chunk N+1 overlaps hashing and writing chunk N.
 * `hasher` sees every chunk in order while no read has failed; returns whether it still may be
 * used (false as soon as a chunk was skipped) and up to where it has hashed. `onFailure` is called at each failed chunk (to
 * prepare the rescue meanwhile). After a failure, `handOff` is asked before each further read:
 * true ends the pass there and leaves the untried chunks (`?`) to the rescue's worker thread
 * (the hash is no longer valid, so the rest is only read and written, which the worker does
 * without a thread-pool round trip per read).
 */
export async function fastPass(
  io: CopyIo,
  hasher: MultiHash | null,
  chunkBytes = DEFAULT_CHUNK_BYTES,
  onFailure: () => void = () => undefined,
  handOff: () => boolean = () => false,
): Promise<{ inlineValid: boolean; hashedTo: number }> {
  if (chunkBytes <= 0 || chunkBytes % SECTOR_SIZE !== 0) {
    throw new RangeError(`chunk size ${chunkBytes} is not a multiple of ${SECTOR_SIZE}`);
  }
  const chunks = planChunks(io.map.ranges('?'), chunkBytes);
  const slots = Array.from({ length: DEPTH }, () => ({
    // Page-aligned: a direct_io source (FUSE) or O_DIRECT then gets whole requests, not one split off per chunk.
    buffer: alignedBuffer(chunkBytes),
    busy: Promise.resolve(),
    writing: false,
  }));
  let hashValid = hasher !== null;
  let anyFailed = false;
  let hashedTo = 0;
  let writeTail: Promise<void> = Promise.resolve();
  let writesInFlight = 0;
  io.cursor.status = '?';

  // Reads and writes are issued synchronously when their buffer (or the write queue) is free, so
  // the thread pool works on them while this thread hashes: no await between issue and hash.
  const start = (index: number): Promise<ReadOutcome> => {
    const [pos, end] = chunks[index] as ByteRange;
    const slot = slots[index % DEPTH] as (typeof slots)[number];
    const read = async (): Promise<ReadOutcome> => {
      const progress = { got: 0 };
      try {
        await readExactly(io, slot.buffer, pos, end - pos, progress, true);
        return { ok: true };
      } catch (error) {
        return { ok: false, error, got: progress.got };
      }
    };
    // A failed write rejects `busy`: the outcome rejects with it and the pass ends.
    const outcome = slot.writing ? io.guard.race(slot.busy).then(read) : read();
    outcome.catch(() => undefined);
    return outcome;
  };

  const write = (slot: (typeof slots)[number], pos: number, end: number): void => {
    const run = async (): Promise<void> => {
      await writeAt(io, slot.buffer, end - pos, pos);
      io.guard.activity();
      io.map.set(pos, end, '+');
      io.changed();
    };
    writesInFlight++;
    slot.writing = true;
    writeTail = (writesInFlight === 1 ? run() : writeTail.then(run)).finally(() => {
      writesInFlight--;
      slot.writing = false;
    });
    slot.busy = writeTail;
    writeTail.catch(() => undefined);
  };

  const pacer = new Pacer();
  let next: Promise<ReadOutcome> | null = chunks.length > 0 ? start(0) : null;
  try {
    for (let index = 0; next; index++) {
      const outcome = await next;
      anyFailed ||= !outcome.ok;
      const more = index + 1 < chunks.length && !(anyFailed && handOff());
      next = more ? start(index + 1) : null;
      const [pos, end] = chunks[index] as ByteRange;
      const slot = slots[index % DEPTH] as (typeof slots)[number];
      io.cursor.pos = end;
      if (!outcome.ok) {
        readFailure(io, outcome.error, pos);
        onFailure();
        // The sectors before the failure were read (a short read): keep them, as ddrescue does,
        // so the rescue does not read them again.
        const good = Math.floor(outcome.got / SECTOR_SIZE) * SECTOR_SIZE;
        if (good > 0) write(slot, pos, pos + good);
        io.map.set(pos + good, end, '*');
        hashValid = false;
        io.changed();
        await pacer.tick();
        continue;
      }
      write(slot, pos, end);
      // Hashing only reads the buffer, so it may overlap the write of the same buffer.
      if (hashValid && hasher !== null) {
        hasher.update(slot.buffer.subarray(0, end - pos));
        hashedTo = end;
      }
    }
    await io.guard.race(writeTail);
  } finally {
    // Let in-flight writes land (bounded) before the caller closes or removes the file.
    await settleWithin(writeTail, 1000);
  }
  return { inlineValid: hashValid, hashedTo };
}
