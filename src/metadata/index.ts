/** Metadata before the copy (issue 13): MusicBrainz, Cover Art Archive and TMDB lookups, covers, NFOs, titles from labels. */
export { MetadataLookup, metadataCacheDir, serviceUrlsFromEnv, USER_AGENT, type DiscQuery, type LookupOutcome } from './lookup.js';
export { clearCovers } from './covers.js';
export { nfoXml } from './nfo.js';
