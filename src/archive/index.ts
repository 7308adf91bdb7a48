/** The core's archive index (and the scrub that re-reads every image): see src/contract/archive-index.ts for the format. */
export { ArchiveIndex } from './index-store.js';
export { archiveControl, type ArchiveEventSink } from './control.js';
export { Scrubber } from './scrub.js';
