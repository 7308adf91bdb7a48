import type { MessageParams } from '../../contract/messages.js';
import { $, make, setText } from './dom.js';
import { msgText, t } from './text.js';

/** A control or archive request's answer: the core's coded reply in `body`. */
export interface Reply {
  ok: boolean;
  status: number;
  body: ReplyBody;
}

interface ReplyBody {
  code?: string;
  params?: MessageParams;
  message?: string;
  error?: string;
  [key: string]: unknown;
}

export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** A POST with the header the server's CSRF guard asks for. */
export async function post(path: string, body: unknown): Promise<Reply> {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-disk2iso-request': '1' },
    body: JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as ReplyBody;
  return { ok: res.ok, status: res.status, body: json };
}

export function toast(message: string, kind: 'info' | 'error' = 'info'): void {
  const box = $('#toasts');
  if (!box) return;
  const el = make('div', 'toast', message);
  el.setAttribute('data-kind', kind);
  box.appendChild(el);
  setTimeout(() => el.remove(), 5000);
}

export function failureText(res: Reply): string {
  return msgText(res.body.code, res.body.params, res.body.error) || `HTTP ${res.status}`;
}

/** A toast for a request that did not get an answer. */
export function requestFailed(err: unknown): void {
  toast(t('request_failed', { msg: err instanceof Error ? err.message : String(err) }), 'error');
}

export function confirmDialog(title: string, body: string, yes: string, no: string): Promise<boolean> {
  const dlg = $<HTMLDialogElement>('#confirm');
  if (!dlg || typeof dlg.showModal !== 'function') return Promise.resolve(window.confirm(`${title}\n\n${body}`));
  setText($('#confirm-title'), title);
  setText($('#confirm-body'), body);
  setText($('#confirm-yes'), yes);
  setText($('#confirm-no'), no);
  dlg.returnValue = '';
  dlg.showModal();
  $('#confirm-no')?.focus();
  return new Promise((resolve) => {
    dlg.addEventListener('close', () => resolve(dlg.returnValue === 'yes'), { once: true });
  });
}
