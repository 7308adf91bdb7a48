import { createHash } from 'node:crypto';
import type { Toc } from '../drive/index.js';

export interface FingerprintInput {
  readonly volumeId: string | null;
  readonly creationDate: string | null;
  readonly sizeBytes: number | null;
  /** The disc's own descriptor sectors (ISO 16–31 within the filesystem, UDF anchor and VDS). */
  readonly descriptorBytes: Buffer;
  readonly toc: Toc | null;
  /** Whether the TOC is part of the identity (audio discs, where there is nothing else). */
  readonly useToc: boolean;
}

/**
 * A stable hex id of a disc: SHA-256 over the volume id, creation date, size, the hash of the
 * descriptor sectors and, for audio discs, the TOC. Independent of the drive and of bytes past
 * the filesystem, so an archived image fingerprints like its disc.
 */
export function fingerprint(input: FingerprintInput): string {
  const toc = input.useToc && input.toc !== null ? [input.toc.firstTrack, input.toc.lastTrack, input.toc.leadOut, ...input.toc.tracks.map((t) => `${t.number}:${t.start}:${t.type}`)] : null;
  const material = JSON.stringify({
    v: 1,
    volumeId: input.volumeId,
    creationDate: input.creationDate,
    sizeBytes: input.sizeBytes,
    sectors: createHash('sha256').update(input.descriptorBytes).digest('hex'),
    toc,
  });
  return createHash('sha256').update(material).digest('hex');
}
