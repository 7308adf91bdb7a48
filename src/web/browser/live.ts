import type { ContractEvent } from '../../contract/index.js';
import type { HubMessage } from '../contract-hub.js';
import type { Snapshot } from '../contract-reader.js';
import { applyPart, applySnapshot, noteServerTime, renderArchive, renderHistory, renderSystem } from './dashboard.js';
import { $, doc, setText } from './dom.js';
import { getJson } from './net.js';
import { t } from './text.js';

/**
 * Live updates: Server-Sent Events from api/events; when the stream fails or stays silent
 * (older ingress proxies buffer event streams), poll api/status instead until it speaks again.
 */

const FIRST_MESSAGE_MS = 6000;
const SILENCE_MS = 25000;
const POLL_MS = 3000;
const RECONNECT_MS = 15000;

type Mode = 'live' | 'polling' | 'offline';
/** The data of each SSE message type: the hub's messages, the first snapshot and the heartbeat. */
type Messages = { [M in HubMessage as M['event']]: M['data'] } & { snapshot: Snapshot; heartbeat: { time: string } };

const live = { es: null as EventSource | null, started: 0, lastMessage: 0, gotSnapshot: false, poller: null as ReturnType<typeof setInterval> | null };

function setConn(mode: Mode): void {
  const el = $('#conn');
  if (!el || el.getAttribute('data-conn') === mode) return;
  el.setAttribute('data-conn', mode);
  setText($('.conn-text', el), t(`conn_${mode}`));
}

function heard(): void {
  live.lastMessage = Date.now();
  stopPolling();
  setConn('live');
}

function on<K extends keyof Messages>(es: EventSource, type: K, handler: (data: Messages[K]) => void): void {
  es.addEventListener(type, (ev: MessageEvent<string>) => {
    heard();
    let data: Messages[K];
    try {
      data = JSON.parse(ev.data) as Messages[K];
    } catch {
      return;
    }
    handler(data);
  });
}

function connect(): void {
  if (!('EventSource' in window)) {
    startPolling();
    return;
  }
  live.started = Date.now();
  live.gotSnapshot = false;
  const es = new EventSource('api/events');
  live.es = es;
  on(es, 'snapshot', (snap) => {
    live.gotSnapshot = true;
    applySnapshot(snap);
  });
  on(es, 'status', applyPart);
  on(es, 'progress', applyPart);
  on(es, 'attributes', applyPart);
  on(es, 'history', renderHistory);
  on(es, 'system', renderSystem);
  on(es, 'archive', renderArchive);
  on(es, 'heartbeat', (hb) => noteServerTime(hb.time));
  on(es, 'event', (ev: ContractEvent) => doc.dispatchEvent(new CustomEvent('disk2iso:event', { detail: ev })));
  es.onerror = () => {
    if (live.es && live.es.readyState === EventSource.CLOSED) {
      live.es = null;
      startPolling();
      setTimeout(connect, RECONNECT_MS);
    }
  };
}

function poll(): void {
  getJson<Snapshot>('api/status').then(
    (snap) => {
      applySnapshot(snap);
      if (live.poller) setConn('polling');
    },
    () => {
      if (live.poller) setConn('offline');
    },
  );
}

function startPolling(): void {
  if (live.poller) return;
  setConn('polling');
  poll();
  live.poller = setInterval(poll, POLL_MS);
}

function stopPolling(): void {
  if (live.poller) {
    clearInterval(live.poller);
    live.poller = null;
  }
}

export function initLive(): void {
  setInterval(() => {
    if (!live.es) return;
    const quiet = Date.now() - (live.lastMessage || live.started);
    if (quiet > (live.gotSnapshot ? SILENCE_MS : FIRST_MESSAGE_MS)) startPolling();
  }, 2000);
  connect();
}
