import type { ChosenMetadata } from '../contract/index.js';
import type { AlbumMetadata } from '../copy/index.js';
import { discReaderSource, identifyDisc, type DiscIdentification, type SectorSource } from '../disc/index.js';
import { closeWithin, type DiscKind, type Drive, type Toc } from '../drive/index.js';
import type { Logger } from '../log/index.js';
import type { DiscFacts } from './snapshots.js';

export interface AnalyzedDisc extends DiscFacts {
  readonly identification: DiscIdentification | null;
  readonly mediumBytes: number;
  readonly warnings: readonly string[];
  /** DVD-Video: CSS-scrambled or possibly so (see `DiscIdentification.cssEncrypted`); null otherwise. */
  readonly cssEncrypted: boolean | null;
  readonly toc: Toc | null;
  /** Audio CDs: names from MusicBrainz or CD-TEXT, filled in after the lookup. */
  readonly album: AlbumMetadata | null;
  /** The metadata chosen before the copy (issue 13); absent until decided, null: none. */
  readonly metadata?: ChosenMetadata | null;
  /** The chosen film's plot, for its NFO. */
  readonly plot?: string | null;
}

/** An audio CD has no data sectors to read: identification works from the TOC alone. */
const NO_DATA: SectorSource = () => Promise.reject(new Error('audio disc: no data sectors'));

function isAudio(kind: DiscKind, toc: Toc | null): boolean {
  return kind === 'audio' || (toc !== null && toc.tracks.length > 0 && toc.tracks.every((t) => t.type === 'audio'));
}

/**
 * The size to copy: the filesystem's own size, unless it is missing or claims more than the
 * medium holds (hostile or corrupt descriptors), then the medium size.
 */
export function sizeToCopy(filesystemBytes: number | null, mediumBytes: number): { bytes: number; warning: string | null } {
  if (filesystemBytes === null || filesystemBytes <= 0) return { bytes: mediumBytes, warning: null };
  if (filesystemBytes > mediumBytes) {
    return {
      bytes: mediumBytes,
      warning: `the filesystem claims ${filesystemBytes} bytes but the medium has ${mediumBytes}; copying the medium size`,
    };
  }
  return { bytes: filesystemBytes, warning: null };
}

/** How long the end of an analysis waits for the disc reader to close. */
const ANALYSIS_CLOSE_WAIT_MS = 500;

/** Identifies the disc in the drive from its own structures. Throws when the medium cannot be opened. */
export async function analyzeDisc(drive: Drive, logger: Logger, readTimeoutMs: number): Promise<AnalyzedDisc> {
  const discKind = await drive.discKind();
  const toc = await drive.toc();
  if (isAudio(discKind, toc)) {
    const identification = await identifyDisc(NO_DATA, { discKind, toc, mediumBytes: 0, readTimeoutMs });
    return { ...facts(identification, 0, []), mediumBytes: 0, toc, album: null };
  }
  const reader = await drive.open();
  try {
    const identification = await identifyDisc(discReaderSource(reader), {
      discKind,
      toc,
      mediumBytes: reader.sizeBytes,
      readTimeoutMs,
    });
    const size = sizeToCopy(identification.sizeBytes, reader.sizeBytes);
    const warnings = [...identification.warnings, ...(size.warning ? [size.warning] : [])];
    for (const warning of warnings) logger.warn({ drive: drive.id }, 'disc analysis: %s', warning);
    return { ...facts(identification, size.bytes, warnings), mediumBytes: reader.sizeBytes, toc, album: null };
  } finally {
    // A read stuck in a hung drive holds close() until the drive answers: analysis ends anyway
    // (its reads have their own time-out); the drive keeps the medium to itself until it has closed.
    if (!(await closeWithin(reader, ANALYSIS_CLOSE_WAIT_MS))) {
      logger.warn({ drive: drive.id }, 'disc analysis: a read is still stuck in the drive; it is closed when the drive answers');
    }
  }
}

function facts(identification: DiscIdentification, sizeBytes: number, warnings: readonly string[]) {
  return {
    identification,
    label: identification.label,
    type: identification.type,
    sizeBytes,
    filesystem: identification.filesystem,
    volumeId: identification.volumeId,
    creationDate: identification.creationDate,
    fingerprint: identification.fingerprint,
    cssEncrypted: identification.cssEncrypted,
    warnings,
  };
}
