import type { PendingChoice } from '../../contract/index.js';

/**
 * The candidates panel's rules, shared by the server's panel (metadata-panel.tsx) and the page
 * script (src/web/browser/metadata.ts): no JSX, no zod, so the browser bundle can import them.
 */

/** What identifies a pending choice for the live update: a new disc, search, default or cover changes it. */
export function pendingKey(pending: PendingChoice | null | undefined): string {
  if (!pending) return '';
  return [
    pending.awaiting,
    pending.query ?? '',
    pending.default_id ?? '',
    pending.deadline ?? '',
    ...pending.candidates.map((c) => `${c.id}:${c.cover_file ?? ''}`),
    ...pending.notes.map((n) => n.code),
  ].join('|');
}

/** Seconds until `deadline` (never negative), or null without one. */
export function secondsLeft(deadline: string | null, now: number): number | null {
  if (deadline === null) return null;
  const at = Date.parse(deadline);
  return Number.isFinite(at) ? Math.max(0, Math.round((at - now) / 1000)) : null;
}
