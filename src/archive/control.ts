import type { ArchiveControl, ArchiveItem, ArchiveVerify } from '../contract/archive-index.js';
import type { ArchiveIndex } from './index-store.js';

/** Appends an archive event to events.jsonl (the scrub's and the Verify button's). */
export type ArchiveEventSink = (type: 'image_verified' | 'image_corrupt', data: Record<string, unknown>) => Promise<unknown>;

/**
 * Pure: the event a check recorded on `item` is worth, by the scrub's rule: every mismatch is
 * one, a whole image only when it becomes verified (first check, or whole again).
 */
export function verifyEvent(item: ArchiveItem, verify: ArchiveVerify, before: ArchiveVerify['status'] | null, source: 'scrub' | 'verify'): { type: 'image_verified' | 'image_corrupt'; data: Record<string, unknown> } | null {
  const common = { path: item.path, algorithm: verify.algorithm, label: item.metadata?.disc_label ?? null, source };
  if (verify.status === 'mismatch') return { type: 'image_corrupt', data: { ...common, reason: 'mismatch', detail: verify.detail } };
  if (verify.status === 'ok' && before !== 'ok') return { type: 'image_verified', data: common };
  return null;
}

/** What the web server may ask of the index; `scrubNow` without a scrub says it did not start. */
export function archiveControl(index: ArchiveIndex, scrub?: { start(): boolean }, event?: ArchiveEventSink): ArchiveControl {
  return {
    query: (query) => index.query(query),
    get: (rel) => index.get(rel),
    removed: (rel) => index.remove(rel),
    rescan: () => index.reconcile(),
    verified: async (rel, verify) => {
      const recorded = await index.setVerify(rel, verify);
      const worth = recorded ? verifyEvent(recorded.item, verify, recorded.before?.status ?? null, 'verify') : null;
      if (worth && event) await event(worth.type, worth.data);
    },
    scrubNow: () => Promise.resolve({ started: scrub?.start() ?? false }),
  };
}
