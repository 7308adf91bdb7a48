import type { ControlAction } from '../../contract/index.js';
import type { DriveView } from '../contract-reader.js';
import { enables } from '../views/drive-state.js';
import { pendingKey, secondsLeft } from '../views/metadata-rules.js';
import { $$ } from './dom.js';
import { duration, t } from './text.js';

/**
 * The candidates panel of a drive card while the drive waits for the user: swapped for a fresh
 * server rendering when the pending choice changes (a new disc, a new search), its controls
 * enabled by the command policy, its countdown ticking.
 */

export const METADATA_ACTIONS = ['select_metadata', 'skip_metadata', 'set_title', 'search_metadata'] as const satisfies readonly ControlAction[];
export type MetadataAction = (typeof METADATA_ACTIONS)[number];

export function isMetadataAction(action: string | null): action is MetadataAction {
  return (METADATA_ACTIONS as readonly string[]).includes(action ?? '');
}

/** Drives whose panel is being fetched, and the key it is fetched for. */
const loading = new Map<string, string>();

function panelOf(card: HTMLElement): HTMLElement | null {
  return card.querySelector<HTMLElement>('[data-field="metadata"]');
}

/**
 * The panel as the server renders it (JSX escapes every value; DOMParser runs no script), put in
 * place of the card's. Cards are server-rendered the same way on every page load.
 */
async function swapPanel(card: HTMLElement, view: DriveView, key: string): Promise<void> {
  if (loading.get(view.id) === key) return;
  loading.set(view.id, key);
  try {
    const res = await fetch(`api/drives/${encodeURIComponent(view.id)}/metadata-panel`, { credentials: 'same-origin', cache: 'no-store' });
    if (!res.ok) return;
    const parsed = new DOMParser().parseFromString(await res.text(), 'text/html').body.firstElementChild;
    const current = panelOf(card);
    if (!current || !(parsed instanceof HTMLElement) || parsed.getAttribute('data-field') !== 'metadata') return;
    current.replaceWith(document.importNode(parsed, true));
  } catch {
    // The next update of the drive asks again.
  } finally {
    if (loading.get(view.id) === key) loading.delete(view.id);
  }
}

/** Brings the card's panel up to the drive's pending choice; called on every render of the drive. */
export function renderMetadata(card: HTMLElement, view: DriveView, skew: number): void {
  const panel = panelOf(card);
  if (!panel) return;
  const key = pendingKey(view.attributes?.pending);
  if (panel.getAttribute('data-key') !== key) {
    if (key === '') {
      // Nothing waits any more: hide at once, no request needed.
      panel.hidden = true;
      panel.setAttribute('data-key', '');
      panel.replaceChildren();
    } else {
      void swapPanel(card, view, key);
    }
    return;
  }
  for (const control of $$<HTMLButtonElement | HTMLInputElement>('button[data-action], input', panel)) {
    const action = control.getAttribute('data-action') ?? control.closest('form')?.getAttribute('data-form') ?? null;
    if (isMetadataAction(action) && control.getAttribute('aria-busy') !== 'true') control.disabled = !enables(view, action);
  }
  tickCountdown(panel, skew);
}

/** The time left before the default (or the label) is taken, counted from the server's clock. */
export function tickCountdown(panel: ParentNode, skew: number): void {
  const el = panel.querySelector<HTMLElement>('[data-field="meta-deadline"]');
  const deadline = el?.getAttribute('data-deadline');
  if (!el || !deadline) return;
  const left = secondsLeft(deadline, Date.now() + skew) ?? 0;
  const text = t(el.getAttribute('data-has-default') === 'yes' ? 'meta_default_in' : 'meta_label_in', { s: duration(left) });
  if (el.textContent !== text) el.textContent = text;
}

/** The command of a panel control: a candidate's Choose, Skip, or a form's typed text. */
export function metadataCommand(
  action: MetadataAction,
  control: Element,
): { action: 'select_metadata'; candidate_id: string } | { action: 'skip_metadata' } | { action: 'set_title'; title: string } | { action: 'search_metadata'; query: string } | null {
  switch (action) {
    case 'select_metadata': {
      const id = control.getAttribute('data-candidate');
      return id ? { action, candidate_id: id } : null;
    }
    case 'skip_metadata':
      return { action };
    case 'set_title':
    case 'search_metadata': {
      const input = control.closest('form')?.querySelector<HTMLInputElement>('input');
      const text = input?.value.trim() ?? '';
      if (text === '') return null;
      return action === 'set_title' ? { action, title: text.slice(0, 200) } : { action, query: text.slice(0, 200) };
    }
  }
}
