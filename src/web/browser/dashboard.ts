import type { ArchiveSummary } from '../../contract/archive-index.js';
import type { ControlAction, ControlCommand, DriveStatus, HistoryEntry, Progress, SystemInfo } from '../../contract/index.js';
import type { DriveView, HistorySummary, Snapshot } from '../contract-reader.js';
import { badRuns } from '../format.js';
import { asksFirst, driveTitle, enables, showsProgress } from '../views/drive-state.js';
import { $, byAttribute, clear, doc, make, setText, targetOf } from './dom.js';
import { isMetadataAction, metadataCommand, renderMetadata, tickCountdown } from './metadata.js';
import { confirmDialog, failureText, post, requestFailed, toast } from './net.js';
import { bytes, date, duration, msgText, percent, shortDate, speed, t } from './text.js';

/**
 * Dashboard updates: drive cards (state, disc, progress, speed chart sampled from progress
 * updates, bad-sector strip), recent jobs and totals, and the drive controls. The rules (which
 * control is enabled, when progress shows, the bad-sector runs) are the server card's own.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';
/** The buttons of a card; set_auto_copy is its switch. */
const CARD_BUTTONS = ['start', 'cancel', 'eject', 'close_tray'] as const satisfies readonly ControlAction[];
type CardButton = (typeof CARD_BUTTONS)[number];

interface Chart {
  job: string | null;
  samples: [number, number][];
  last: string | null;
}

const views = new Map<string, DriveView>();
const charts = new Map<string, Chart>();
let clockSkew = 0;

function cardOf(id: string): HTMLElement | null {
  return byAttribute('[data-drive]', 'data-drive', id);
}

function field<E extends Element = HTMLElement>(card: ParentNode, name: string): E | null {
  return card.querySelector<E>(`[data-field="${name}"]`);
}

function typeLabel(type: string | null): string {
  return type ? t(`type_${type}`) : '\u2014';
}

function isCardButton(action: string | null): action is CardButton {
  return (CARD_BUTTONS as readonly string[]).includes(action ?? '');
}

function setDisabled(card: HTMLElement, action: CardButton, disabled: boolean): void {
  const b = card.querySelector<HTMLButtonElement>(`[data-action="${action}"]`);
  if (b && b.getAttribute('aria-busy') !== 'true') b.disabled = disabled;
}

function sample(id: string, p: Progress): void {
  let ch = charts.get(id);
  if (!ch || ch.job !== p.job_id) charts.set(id, (ch = { job: p.job_id, samples: [], last: null }));
  if (p.updated === ch.last) return;
  ch.last = p.updated;
  if (p.phase !== 'reading' && p.phase !== 'rescuing' && p.phase !== 'encoding') return;
  ch.samples.push([Date.now(), p.speed_bytes_per_s ?? 0]);
  if (ch.samples.length > 600) ch.samples = ch.samples.filter((_, i) => i % 2 === 0);
}

function drawChart(card: HTMLElement, id: string): void {
  const ch = charts.get(id);
  const line = field(card, 'chart-line');
  const area = field(card, 'chart-area');
  const box = field(card, 'chart-box');
  if (!line || !area) return;
  const s = ch?.samples ?? [];
  if (box) box.hidden = s.length < 2;
  const first = s[0];
  const last = s[s.length - 1];
  if (!first || !last || s.length < 2) {
    line.setAttribute('points', '');
    area.setAttribute('points', '');
    setText(field(card, 'chart-peak'), '');
    return;
  }
  const span = Math.max(1, last[0] - first[0]);
  const max = Math.max(...s.map((x) => x[1])) || 1;
  const pts = s.map(([at, v]) => `${(((at - first[0]) / span) * 300).toFixed(1)},${(68 - (v / (max * 1.3)) * 64).toFixed(1)}`).join(' ');
  line.setAttribute('points', pts);
  area.setAttribute('points', `0,70 ${pts} 300,70`);
  setText(field(card, 'chart-peak'), t('read_speed_peak', { v: speed(max) }));
}

function drawBadMap(card: HTMLElement, p: Progress): void {
  const total = p.bytes_total ?? 0;
  const done = field(card, 'badmap-done');
  const g = field(card, 'badmap-runs');
  if (done) done.setAttribute('width', total > 0 ? Math.min(1000, (p.bytes_done / total) * 1000).toFixed(1) : '0');
  const runs = badRuns(p.bad_ranges, total);
  const key = runs.join(';');
  if (g && g.getAttribute('data-key') !== key) {
    g.setAttribute('data-key', key);
    clear(g);
    for (const [x, w] of runs) {
      const rect = doc.createElementNS(SVG_NS, 'rect');
      rect.setAttribute('class', 'badmap-bad');
      rect.setAttribute('x', String(x));
      rect.setAttribute('y', '0');
      rect.setAttribute('width', String(w));
      rect.setAttribute('height', '12');
      g.appendChild(rect);
    }
  }
  setText(field(card, 'bad-summary'), p.bad_sectors > 0 ? t('bad_sectors_n', { n: p.bad_sectors }) : t('no_bad_sectors'));
}

function renderStale(card: HTMLElement, s: DriveStatus | null): void {
  const el = field(card, 'stale');
  if (!el) return;
  const age = s ? (Date.now() + clockSkew - Date.parse(s.heartbeat)) / 1000 : 0;
  const stale = s !== null && Number.isFinite(age) && age > 3 * s.heartbeat_interval_s;
  el.hidden = !stale;
  if (stale) setText(el, t('core_stale', { s: duration(age) }));
}

function renderStatus(card: HTMLElement, view: DriveView, s: DriveStatus): void {
  setText(field(card, 'title'), driveTitle(view));
  setText(field(card, 'path'), `${s.drive.path} \u00b7 ${view.id}`);
  setText(field(card, 'message'), msgText(s.message_code, s.message_params, s.message));
  const since = field(card, 'since');
  if (since) {
    since.setAttribute('datetime', s.since);
    setText(since, t('since', { t: date(s.since) }));
  }
  const sw = card.querySelector<HTMLInputElement>('[data-action="set_auto_copy"]');
  if (sw && sw.getAttribute('aria-busy') !== 'true') {
    sw.checked = s.auto_copy;
    sw.disabled = !enables(view, 'set_auto_copy');
  }
}

function renderProgress(card: HTMLElement, id: string, p: Progress): void {
  let phase = p.phase ? t(`phase_${p.phase}`) : '';
  if (p.phase && p.tracks) phase += ` \u00b7 ${t('track', { n: p.track, total: p.tracks })}`;
  setText(field(card, 'phase'), phase);
  setText(field(card, 'percent'), percent(p.percent));
  const bar = field<HTMLProgressElement>(card, 'progress');
  if (bar) bar.value = p.percent;
  setText(field(card, 'speed'), speed(p.speed_bytes_per_s));
  setText(field(card, 'eta'), duration(p.eta_seconds));
  setText(field(card, 'copied'), `${bytes(p.bytes_done)} / ${bytes(p.bytes_total)}`);
  setText(field(card, 'bad_sectors'), String(p.bad_sectors));
  sample(id, p);
  drawChart(card, id);
  drawBadMap(card, p);
}

function renderDrive(id: string): void {
  const card = cardOf(id);
  const view = views.get(id);
  if (!card || !view) return;
  const { status: s, progress: p, attributes: a } = view;
  card.setAttribute('data-state', s ? s.state : 'unknown');
  setText(field(card, 'state'), t(s ? `state_${s.state}` : 'state_unknown'));
  if (s) renderStatus(card, view, s);
  for (const action of CARD_BUTTONS) setDisabled(card, action, !enables(view, action));
  const hasDisc = a !== null && (a.disc_label !== null || a.disc_type !== null);
  field(card, 'disc')?.setAttribute('data-has-disc', hasDisc ? 'yes' : 'no');
  setText(field(card, 'disc_label'), a?.disc_label ?? t('no_disc'));
  setText(field(card, 'disc_type'), a ? typeLabel(a.disc_type) : '\u2014');
  const size = a?.disc_size_bytes ?? (a?.disc_size_mb != null ? a.disc_size_mb * 1048576 : null);
  setText(field(card, 'disc_size'), size !== null ? bytes(size) : '\u2014');
  setText(field(card, 'method'), a?.method || '\u2014');
  const job = field(card, 'job');
  if (job) job.hidden = !showsProgress(view);
  if (p) renderProgress(card, id, p);
  renderStale(card, s);
  renderMetadata(card, view, clockSkew);
}

function jobRow(e: HistoryEntry): HTMLLIElement {
  const li = make('li', 'job-row');
  const main = make('span', 'job-row-main');
  main.appendChild(make('span', 'job-row-label', e.metadata?.title ?? e.disc_label ?? '\u2014'));
  main.appendChild(make('span', 'muted small', `${typeLabel(e.disc_type)} \u00b7 ${bytes(e.bytes)} \u00b7 ${e.drive_id}`));
  const side = make('span', 'job-row-side');
  const chip = make('span', 'chip result-chip', t(`result_${e.result}`));
  chip.setAttribute('data-result', e.result);
  const time = make('time', 'muted small', shortDate(e.finished));
  time.setAttribute('datetime', e.finished);
  time.setAttribute('data-fmt', 'short');
  side.append(chip, time);
  li.append(main, side);
  return li;
}

export function renderHistory(h: HistorySummary): void {
  const list = $('[data-field="recent"]');
  if (list) {
    const key = `${h.updated}|${h.count}`;
    if (list.getAttribute('data-key') !== key) {
      list.setAttribute('data-key', key);
      clear(list);
      for (const e of h.recent) list.appendChild(jobRow(e));
      const empty = $('[data-field="recent-empty"]');
      if (empty) empty.hidden = h.recent.length > 0;
    }
  }
  const total = Object.values(h.archived_total).reduce((sum, n) => sum + n, 0);
  setText($('[data-field="archived-total"]'), String(total));
  const count = $('[data-field="history-count"]');
  if (count && h.updated && count.getAttribute('data-updated') !== h.updated) {
    const banner = $('[data-field="history-changed"]');
    if (banner) banner.hidden = false;
  }
}

export function renderArchive(a: ArchiveSummary | null): void {
  const row = $('[data-field="archive-total"]');
  if (!a || !row) return;
  row.hidden = false;
  setText($('[data-field="archive-images"]'), String(a.images));
  const corrupt = $('[data-field="archive-corrupt"]');
  if (corrupt) {
    corrupt.hidden = a.corrupt === 0;
    setText(corrupt, t('archive_corrupt', { n: a.corrupt }));
  }
}

export function renderSystem(sys: SystemInfo | null): void {
  if (!sys) return;
  const free = sys.output_free_bytes;
  const total = sys.output_total_bytes;
  const bar = $<HTMLProgressElement>('[data-field="space-bar"]');
  setText($('[data-field="free-space"]'), bytes(free));
  if (bar && free !== null && total) {
    const row = $('[data-field="space-row"]');
    if (row) row.hidden = false;
    bar.value = ((total - free) / total) * 100;
    setText($('[data-field="space-text"]'), t('used_of', { used: bytes(total - free), total: bytes(total) }));
  }
}

export function noteServerTime(iso: string): void {
  const ms = Date.parse(iso);
  if (Number.isFinite(ms)) clockSkew = ms - Date.now();
}

export function applySnapshot(snap: Snapshot): void {
  noteServerTime(snap.time);
  for (const d of snap.drives) {
    views.set(d.id, { ...d });
    renderDrive(d.id);
  }
  renderHistory(snap.history);
  renderSystem(snap.system);
  renderArchive(snap.archive);
}

/** One per-drive file changed (an SSE `status`, `progress` or `attributes` message). */
export function applyPart(part: Partial<Pick<DriveView, 'status' | 'progress' | 'attributes'>> & { drive: string }): void {
  const { drive, ...changed } = part;
  views.set(drive, { ...(views.get(drive) ?? { id: drive, status: null, progress: null, attributes: null }), ...changed });
  renderDrive(drive);
}

async function sendCommand(card: HTMLElement, control: HTMLElement, command: ControlCommand): Promise<boolean> {
  const id = card.getAttribute('data-drive') ?? '';
  control.setAttribute('aria-busy', 'true');
  let ok = false;
  try {
    const res = await post(`api/drives/${encodeURIComponent(id)}/command`, command);
    ok = res.ok;
    if (res.ok) toast(t('command_ok', { msg: msgText(res.body.code, res.body.params, res.body.message) || 'OK' }));
    else toast(t('command_failed', { msg: failureText(res) }), 'error');
  } catch (err) {
    requestFailed(err);
  }
  control.removeAttribute('aria-busy');
  // The status file may arrive after the reply; show the accepted value meanwhile.
  const view = views.get(id);
  if (ok && command.action === 'set_auto_copy' && view?.status) view.status = { ...view.status, auto_copy: command.enabled };
  if (view) renderDrive(id);
  return ok;
}

export function initDashboard(): void {
  setInterval(() => {
    for (const [id, view] of views) {
      const card = cardOf(id);
      if (card) renderStale(card, view.status);
    }
  }, 5000);
  // The candidates panel's countdown, every second.
  setInterval(() => {
    for (const panel of document.querySelectorAll('[data-field="metadata"]:not([hidden])')) tickCountdown(panel, clockSkew);
  }, 1000);
  doc.addEventListener('click', (ev) => {
    const btn = targetOf<HTMLButtonElement>(ev, 'button[data-action]');
    const card = btn?.closest<HTMLElement>('[data-drive]');
    if (!btn || !card || btn.disabled) return;
    const action = btn.getAttribute('data-action');
    // Choose and Skip in the candidates panel; its two forms are sent on submit (below).
    if (action === 'select_metadata' || action === 'skip_metadata') {
      const command = metadataCommand(action, btn);
      if (command) void sendCommand(card, btn, command);
      return;
    }
    if (!isCardButton(action)) return;
    const view = views.get(card.getAttribute('data-drive') ?? '');
    // Commands that end a running copy (Cancel, Eject mid-copy) ask first, as the policy says.
    if (view ? asksFirst(view, action) : action === 'cancel' || action === 'eject') {
      void confirmDialog(t(`confirm_${action}_title`), t(`confirm_${action}_body`), t(`confirm_${action}_yes`), t('confirm_keep')).then((yes) => {
        if (yes) void sendCommand(card, btn, { action });
      });
    } else {
      void sendCommand(card, btn, { action });
    }
  });
  doc.addEventListener('submit', (ev) => {
    const form = targetOf<HTMLFormElement>(ev, 'form[data-form]');
    const card = form?.closest<HTMLElement>('[data-drive]');
    if (!form || !card) return;
    ev.preventDefault();
    const action = form.getAttribute('data-form');
    const btn = form.querySelector<HTMLButtonElement>('button[data-action]');
    if (!btn || btn.disabled || !isMetadataAction(action)) return;
    const command = metadataCommand(action, btn);
    if (command) void sendCommand(card, btn, command);
  });
  doc.addEventListener('change', (ev) => {
    const sw = targetOf<HTMLInputElement>(ev, 'input[data-action="set_auto_copy"]');
    const card = sw?.closest<HTMLElement>('[data-drive]');
    if (!sw || !card) return;
    const wanted = sw.checked;
    void sendCommand(card, sw, { action: 'set_auto_copy', enabled: wanted }).then((ok) => {
      if (!ok) sw.checked = !wanted;
    });
  });
}

