import type { ArchiveControl } from '../contract/archive-index.js';
import type { ArchiveIndex } from './index-store.js';

/** What the web server may ask of the index; `scrubNow` without a scrub says it did not start. */
export function archiveControl(index: ArchiveIndex, scrub?: { start(): boolean }): ArchiveControl {
  return {
    query: (query) => index.query(query),
    get: (rel) => index.get(rel),
    removed: (rel) => index.remove(rel),
    rescan: () => index.reconcile(),
    verified: async (rel, verify) => {
      await index.setVerify(rel, verify);
    },
    scrubNow: () => Promise.resolve({ started: scrub?.start() ?? false }),
  };
}
