import type { ArchiveView } from '../archive-service.js';
import type { ChecksumState } from '../archive-verify.js';
import { checksumWords } from '../views/checksum-words.js';
import { $$, byAttribute, doc, setText, targetOf } from './dom.js';
import { confirmDialog, failureText, getJson, post, requestFailed, toast } from './net.js';
import { t, time } from './text.js';

/** The archive page: verify, delete with confirmation, checksum progress, rescan, check all. */

function renderChecksum(path: string, c: ChecksumState): void {
  const li = byAttribute('[data-path]', 'data-path', path);
  const chip = li?.querySelector('[data-field="checksum"]');
  if (!li || !chip) return;
  chip.setAttribute('data-status', c.status);
  chip.setAttribute('title', ('detail' in c ? c.detail : null) ?? '');
  setText(chip, t(...checksumWords(c)));
  const at = li.querySelector<HTMLElement>('[data-field="verified-at"]');
  const when = at?.querySelector('time');
  if (at && when && 'checked_at' in c) {
    when.setAttribute('datetime', c.checked_at);
    setText(when, time(c.checked_at));
    at.hidden = false;
  }
}

let archivePoll: ReturnType<typeof setInterval> | null = null;

function pollArchive(): void {
  if (archivePoll) return;
  archivePoll = setInterval(() => {
    // The same page the user sees (search, sort, offset), so its items are in the answer.
    getJson<ArchiveView>(`api/archive${location.search}`).then(
      (view) => {
        let busy = false;
        for (const item of view.items) {
          renderChecksum(item.path, item.checksum);
          if (item.checksum.status === 'queued' || item.checksum.status === 'verifying') busy = true;
        }
        if (!busy && archivePoll) {
          clearInterval(archivePoll);
          archivePoll = null;
        }
      },
      () => {
        /* next tick retries */
      },
    );
  }, 1500);
}

async function rescanOrScrub(btn: HTMLButtonElement): Promise<void> {
  const rescan = btn.getAttribute('data-action') === 'rescan';
  btn.setAttribute('aria-busy', 'true');
  try {
    const res = await post(rescan ? 'api/archive/rescan' : 'api/archive/scrub', {});
    btn.removeAttribute('aria-busy');
    if (!res.ok) {
      toast(t('command_failed', { msg: failureText(res) }), 'error');
    } else if (rescan) {
      const { added = 0, removed = 0, changed = 0 } = res.body as { added?: number; removed?: number; changed?: number };
      toast(t('rescan_done', { added, removed, changed }));
      if (added + removed + changed > 0) setTimeout(() => location.reload(), 800);
    } else {
      toast(t('scrub_started'));
      btn.disabled = true;
    }
  } catch (err) {
    btn.removeAttribute('aria-busy');
    requestFailed(err);
  }
}

async function verify(btn: HTMLButtonElement, path: string): Promise<void> {
  btn.setAttribute('aria-busy', 'true');
  try {
    const res = await post('api/archive/verify', { path });
    btn.removeAttribute('aria-busy');
    if (res.ok) {
      renderChecksum(path, res.body.checksum as ChecksumState);
      pollArchive();
    } else {
      toast(t('command_failed', { msg: failureText(res) }), 'error');
    }
  } catch (err) {
    btn.removeAttribute('aria-busy');
    requestFailed(err);
  }
}

async function remove(btn: HTMLButtonElement, li: HTMLElement, path: string): Promise<void> {
  const name = btn.getAttribute('data-name') || path;
  const yes = await confirmDialog(t('confirm_delete_title'), t('confirm_delete_body', { name }), t('confirm_delete_yes'), t('confirm_delete_no'));
  if (!yes) return;
  try {
    const res = await post('api/archive/delete', { path });
    if (!res.ok) {
      toast(t('command_failed', { msg: failureText(res) }), 'error');
      return;
    }
    const group = li.closest('.archive-group');
    li.remove();
    if (group && !group.querySelector('[data-path]')) group.remove();
    toast(t('deleted', { name }));
  } catch (err) {
    requestFailed(err);
  }
}

export function initArchive(): void {
  doc.addEventListener('click', (ev) => {
    const btn = targetOf<HTMLButtonElement>(ev, 'button[data-action="rescan"], button[data-action="scrub"]');
    if (btn && !btn.disabled) void rescanOrScrub(btn);
  });
  doc.addEventListener('click', (ev) => {
    const btn = targetOf<HTMLButtonElement>(ev, 'button[data-action]');
    const li = btn?.closest<HTMLElement>('[data-path]');
    if (!btn || !li || btn.disabled) return;
    const path = li.getAttribute('data-path') ?? '';
    const action = btn.getAttribute('data-action');
    if (action === 'verify') void verify(btn, path);
    else if (action === 'delete') void remove(btn, li, path);
  });
  if ($$('[data-field="checksum"][data-status="verifying"], [data-field="checksum"][data-status="queued"]').length > 0) pollArchive();
}
