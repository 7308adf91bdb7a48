import { discReaderSource, identifyDisc, type DiscIdentification } from '../disc/index.js';
import type { Drive } from '../drive/index.js';
import type { Logger } from '../log/index.js';
import type { DiscFacts } from './snapshots.js';

export interface AnalyzedDisc extends DiscFacts {
  readonly identification: DiscIdentification | null;
  readonly mediumBytes: number;
  readonly warnings: readonly string[];
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

/** Identifies the disc in the drive from its own structures. Throws when the medium cannot be opened. */
export async function analyzeDisc(drive: Drive, logger: Logger, readTimeoutMs: number): Promise<AnalyzedDisc> {
  const discKind = await drive.discKind();
  const toc = await drive.toc();
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
    return {
      identification,
      label: identification.label,
      type: identification.type,
      sizeBytes: size.bytes,
      mediumBytes: reader.sizeBytes,
      filesystem: identification.filesystem,
      volumeId: identification.volumeId,
      creationDate: identification.creationDate,
      fingerprint: identification.fingerprint,
      warnings,
    };
  } finally {
    await reader.close().catch(() => undefined);
  }
}
