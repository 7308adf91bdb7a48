import type { LogLineView } from '../queries.js';
import { $, clear, doc, make } from './dom.js';
import { getJson } from './net.js';
import { t, time } from './text.js';

/** The logs page: the newest lines every 5 s while the page is visible. */

function logLine(line: LogLineView): HTMLLIElement {
  const li = make('li', 'log-line');
  li.setAttribute('data-level', line.level);
  const when = make('time', null, time(line.time));
  when.setAttribute('datetime', line.time);
  when.setAttribute('data-fmt', 'time');
  li.append(when, make('span', 'log-level', t(`loglevel_${line.level}`)), make('span', 'log-ns', line.ns ?? ''), make('span', 'log-msg', line.msg));
  return li;
}

function refresh(): void {
  const level = $<HTMLSelectElement>('#log-level')?.value ?? '';
  getJson<{ lines: LogLineView[] }>(`api/logs${level ? `?level=${encodeURIComponent(level)}` : ''}`).then(
    (res) => {
      const list = $('[data-field="log-lines"]');
      if (!list) return;
      const first = res.lines[0];
      const key = `${res.lines.length}|${first ? first.time + first.msg : ''}`;
      if (list.getAttribute('data-key') === key) return;
      list.setAttribute('data-key', key);
      clear(list);
      for (const line of res.lines) list.appendChild(logLine(line));
      const empty = $('[data-field="logs-empty"]');
      if (empty) empty.hidden = res.lines.length > 0;
    },
    () => {
      /* keep the lines shown */
    },
  );
}

export function initLogs(): void {
  setInterval(() => {
    if (!doc.hidden) refresh();
  }, 5000);
}
