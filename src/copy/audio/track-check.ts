import { open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import type { CopyGuard } from '../guard.js';
import { AccurateRipSum } from './accuraterip.js';

/** Read size: whole samples, large enough that a 60-minute disc is a few hundred reads per track. */
const CHUNK_BYTES = 1024 * 1024;

export interface TrackChecksums {
  /** CRC32 of the track's PCM as EAC and CUETools log it ("Copy CRC"), 8 hex digits. */
  readonly crc32: string;
  /** AccurateRip v1 and v2 (8 hex digits). */
  readonly v1: string;
  readonly v2: string;
  readonly pcmBytes: number;
}

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

/**
 * Reads the PCM of a ripped track (`dataOffset` skips the WAV header) once for its CRC32 and
 * AccurateRip checksums; `position` is the track's place among the disc's audio tracks (the
 * first skips its first 5 sectors, the last its last 5). Yields between reads, so reading the
 * next track and the encoders keep going.
 */
export async function trackChecksums(
  path: string,
  dataOffset: number,
  position: { readonly first: boolean; readonly last: boolean },
  guard: CopyGuard,
): Promise<TrackChecksums> {
  const file = await open(path, 'r');
  try {
    const pcmBytes = Math.max(0, (await file.stat()).size - dataOffset);
    const sum = new AccurateRipSum(Math.floor(pcmBytes / 4), position.first, position.last);
    let crc = 0;
    const buffer = Buffer.alloc(CHUNK_BYTES);
    for (let done = 0; done < pcmBytes; ) {
      guard.throwIfStopped();
      const { bytesRead } = await file.read(buffer, 0, Math.min(CHUNK_BYTES, pcmBytes - done), dataOffset + done);
      if (bytesRead <= 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      crc = crc32(chunk, crc);
      sum.update(chunk.subarray(0, bytesRead - (bytesRead % 4)));
      done += bytesRead;
    }
    return { crc32: hex8(crc), v1: hex8(sum.v1), v2: hex8(sum.v2), pcmBytes };
  } finally {
    await file.close();
  }
}
