import type { DiscType } from '../contract/index.js';
import type { DiscKind, Toc } from '../drive/index.js';
import { errorMessage } from '../util/errors.js';
import { readBdTitle } from './bdmt.js';
import { classify, dataStart, hasAudioTracks, isAudioOnly } from './classify.js';
import { videoMayBeEncrypted } from './css.js';
import { fingerprint } from './fingerprint.js';
import { bestLabel, type DiscLabels } from './label.js';
import { readVolumeRecognition, type IsoVolume } from './iso9660.js';
import { BoundedSource, DEFAULT_LIMITS, SECTOR, type SectorSource } from './source.js';
import { findPath, type FsTree } from './tree.js';
import { readUdf, type UdfVolume } from './udf.js';
import { Warnings } from './warnings.js';

/** What a disc says about itself. */
export interface DiscIdentification {
  type: DiscType;
  /** Best human label: the Blu-ray title, else the longest faithful one of `labels` (see `bestLabel`). */
  label: string | null;
  /** Every label the descriptors carry, as read (cleaned of control and bidi characters). */
  labels: DiscLabels;
  /** ISO 9660 primary volume id (the Joliet one when the primary descriptor is unreadable), else the UDF logical volume id. */
  volumeId: string | null;
  /** `iso9660`, `iso9660+joliet`, `udf`, `iso9660+udf`, `iso9660+joliet+udf`, or null. */
  filesystem: string | null;
  /** Exact filesystem size in bytes, null when unknown. */
  sizeBytes: number | null;
  /** ISO 8601 (UTC) creation date of the volume. */
  creationDate: string | null;
  /** Stable hex id: same disc (or its exact image) → same fingerprint. */
  fingerprint: string;
  hasVideoTs: boolean;
  hasBdmv: boolean;
  /**
   * DVD-Video: true when the first title VOB is CSS-scrambled or could not be sampled (possibly
   * encrypted), false when its sampled sectors are clear; null for every other disc.
   */
  cssEncrypted: boolean | null;
  warnings: string[];
}

export interface IdentifyHints {
  discKind: DiscKind;
  toc: Toc | null;
  /** Size of the medium as the drive reports it (0 when unknown). */
  mediumBytes: number;
  /**
   * A read pending longer than this ends identification with what was found so far (a hung
   * drive). Default: no limit, as the Drive implementation is expected to time out itself.
   */
  readTimeoutMs?: number;
}

interface Found {
  iso: IsoVolume | null;
  udf: UdfVolume | null;
  hasVideoTs: boolean;
  hasBdmv: boolean;
  bdTitle: string | null;
  cssEncrypted: boolean | null;
}

const FINGERPRINT_SECTORS = { first: 16, count: 16 };

async function hasDir(trees: readonly FsTree[], name: string): Promise<boolean> {
  for (const tree of trees) {
    const node = await findPath(tree, [name]);
    if (node?.isDir === true) return true;
  }
  return false;
}

async function explore(src: BoundedSource, hints: IdentifyHints, warnings: Warnings): Promise<Found> {
  const recognition = await readVolumeRecognition(src, dataStart(hints.toc), warnings);
  const { iso } = recognition;
  const udf = await readUdf(
    src,
    { mediumBytes: hints.mediumBytes > 0 ? hints.mediumBytes : null, expectUdf: iso === null || recognition.udfClaimed },
    warnings,
  );
  const trees = [udf?.tree, iso?.joliet, iso?.primary].filter((tree): tree is FsTree => tree !== null && tree !== undefined);
  const hasBdmv = await hasDir(trees, 'BDMV');
  const hasVideoTs = await hasDir(trees, 'VIDEO_TS');
  const bdTitle = hasBdmv ? await readBdTitle(trees) : null;
  const cssEncrypted = hasVideoTs && !hasBdmv ? await videoMayBeEncrypted(trees) : null;
  return { iso, udf, hasVideoTs, hasBdmv, bdTitle, cssEncrypted };
}

async function descriptorBytes(src: BoundedSource, found: Found | null, base: number): Promise<Buffer> {
  const fsSectors = found?.iso?.sizeBytes ?? found?.udf?.sizeBytes ?? null;
  // Only sectors inside the filesystem, so the exact-size image of a disc fingerprints like the disc.
  const limit = fsSectors === null ? FINGERPRINT_SECTORS.first + FINGERPRINT_SECTORS.count : Math.ceil(fsSectors / SECTOR);
  const count = Math.max(0, Math.min(FINGERPRINT_SECTORS.count, limit - FINGERPRINT_SECTORS.first));
  const parts = [count > 0 ? await src.leadingSectors(base + FINGERPRINT_SECTORS.first, count) : Buffer.alloc(0)];
  const covered = (sector: number): boolean => sector >= base + FINGERPRINT_SECTORS.first && sector < base + FINGERPRINT_SECTORS.first + count;
  for (const sector of found?.udf?.descriptorSectors ?? []) {
    if (!covered(sector) && sector < limit) parts.push((await src.sectors(sector, 1)) ?? Buffer.alloc(0));
  }
  return Buffer.concat(parts);
}

/**
 * Identifies a disc from its own bytes. Never throws for disc content: unreadable or hostile
 * structures degrade the result (type `unknown`, fewer fields) and add warnings.
 */
export async function identifyDisc(read: SectorSource, hints: IdentifyHints): Promise<DiscIdentification> {
  const warnings = new Warnings();
  const audioOnly = isAudioOnly(hints.discKind, hints.toc);
  const mediumSectors = hints.mediumBytes > 0 ? Math.floor(hints.mediumBytes / SECTOR) : null;
  const src = new BoundedSource(read, warnings, mediumSectors, { ...DEFAULT_LIMITS, readTimeoutMs: hints.readTimeoutMs ?? null });
  const base = dataStart(hints.toc);
  let found: Found | null = null;
  if (!audioOnly) {
    try {
      found = await explore(src, hints, warnings);
    } catch (error) {
      warnings.add(`identification failed: ${errorMessage(error)}`);
    }
  }
  const { iso = null, udf = null } = found ?? {};
  const parts = [iso === null ? null : 'iso9660', (iso?.joliet ?? null) === null ? null : 'joliet', udf === null ? null : 'udf'].filter((p) => p !== null);
  const volumeId = iso?.volumeId ?? iso?.jolietVolumeId ?? udf?.logicalVolumeId ?? null;
  const labels: DiscLabels = {
    primary: iso?.volumeId ?? null,
    joliet: iso?.jolietVolumeId ?? null,
    udf: udf?.logicalVolumeId ?? null,
    udfFileSet: udf?.fileSetId ?? null,
  };
  const sizeBytes = iso?.sizeBytes ?? udf?.sizeBytes ?? null;
  const creationDate = iso?.creationDate ?? udf?.recordingDate ?? null;
  const hasVideoTs = found?.hasVideoTs ?? false;
  const hasBdmv = found?.hasBdmv ?? false;
  let sectors: Buffer = Buffer.alloc(0);
  if (!audioOnly) {
    try {
      sectors = await descriptorBytes(src, found, base);
    } catch (error) {
      warnings.add(`fingerprint sectors unreadable: ${errorMessage(error)}`);
    }
  }
  const audio = hasAudioTracks(hints.discKind, hints.toc);
  const type = classify({
    audio,
    hasVideoTs,
    hasBdmv,
    filesystem: parts.length > 0,
    bytes: hints.mediumBytes > 0 ? hints.mediumBytes : sizeBytes,
  });
  if (type === 'unknown') warnings.add('no ISO 9660 or UDF filesystem recognised');
  return {
    type,
    label: found?.bdTitle ?? bestLabel(labels),
    labels,
    volumeId,
    filesystem: parts.length > 0 ? parts.join('+') : null,
    sizeBytes,
    creationDate,
    fingerprint: fingerprint({ volumeId, creationDate, sizeBytes, descriptorBytes: sectors, toc: hints.toc, useToc: audio || parts.length === 0 }),
    hasVideoTs,
    hasBdmv,
    cssEncrypted: type === 'dvd-video' ? (found?.cssEncrypted ?? true) : null,
    warnings: warnings.list(),
  };
}
