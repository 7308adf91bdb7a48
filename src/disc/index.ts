/** Disc identification from the disc's own bytes: ISO 9660/Joliet/UDF, VIDEO_TS/BDMV, type, fingerprint, safe file name. */
export { identifyDisc, type DiscIdentification } from './identify.js';
export { fileSectorSource, discReaderSource, type SectorSource } from './source.js';
export { safeFileName, SAFE_NAME_PATTERN, MAX_NAME_LENGTH } from './filename.js';
export { classify, CD_MAX_BYTES, DVD_MAX_BYTES } from './classify.js';
export { extractBdTitle } from './bdmt.js';
