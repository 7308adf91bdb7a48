/**
 * The data-disc copy pipeline: exact-size copy with inline checksums, ddrescue-style rescue,
 * verify, sidecars, output planning.
 */
export type { CopyProgressSample, CopyRequest, CopyResult } from './types.js';
/** Copies a disc to `<target>.part`, rescues bad areas, verifies, renames; never rejects for a failed copy. */
export { runCopy } from './run-copy.js';
/** `CopyError` (why a copy failed) and `OutputPathError` (unusable output name). */
export { OutputPathError } from './errors.js';
/** Work files of a copy and their removal (start-up reconciliation decides resume or discard). */
export { discardPartial, partPaths } from './partial.js';
/** `sha256sum -c` / `md5sum -c` sidecars. */
export { writeChecksumSidecars } from './sidecars.js';
/** Free and total bytes of the filesystem holding a folder. */
export { freeSpace } from './space.js';
/** Percent, smoothed speed and ETA. */
export { ProgressMeter } from './progress.js';
/** Output folder, duplicate policy, target path. */
export { planTarget, releaseTarget, imageFolderFor, archivedFinder, type FindArchived } from './output.js';
/** `<image>.disk2iso.json`: disc identity of an archived image. */
export {
  writeImageMetadata,
  readImageMetadata,
  findArchivedByFingerprint,
  recordFolders,
  recordedImages,
  IMAGE_FOLDERS,
  METADATA_SUFFIX,
  type ImageMetadata,
  type ImageMetadataFile,
} from './metadata.js';
/** A DiscReader over a file or block device. */
export { openFileReader } from './file-reader.js';
/** GNU ddrescue mapfile parse/format (for tools and tests). */
export { parseMapfile, formatMapfile, MapfileError, type Mapfile, type MapBlock } from './mapfile.js';

// --- DVD-Video decrypted backup and audio CD rip (external tools) ---
/** Decrypted DVD-Video backup (dvdbackup + genisoimage -dvd-video) and libdvdcss detection. */
export { runDvdVideoBackup, libdvdcssAvailable, dvdBackupMethod, type DvdVideoRequest } from './dvd-video/index.js';
/** Shared by the tool-based copies: ISO volume ids, work folders, progress samples. */
export { isoVolumeId, discardMediaWork, type MediaProgressSample } from './tools/index.js';
/** The external tools disk2iso uses, probed once at start-up; the method choice reads the result. */
export { probeTools, hasTool, notInstalled, packageOf, inventoryOf, versionLine, TOOL_NAMES, type ToolInventory, type ToolName } from './tools/index.js';
/** Audio CD rip (cdparanoia + flac/lame, cue sheet, manifests, optional ISO) and MusicBrainz metadata. */
export {
  runAudioRip,
  musicbrainzDiscId,
  audioDiscBytes,
  audioRipSpaceBytes,
  audioTracks,
  albumFolderNames,
  cleanText,
  readCdText,
  type AudioRipRequest,
  type AlbumMetadata,
  type AudioFormat,
  type Ripper,
} from './audio/index.js';
