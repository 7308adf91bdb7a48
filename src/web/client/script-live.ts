/**
 * Live updates: Server-Sent Events from api/events; when the stream fails or stays silent
 * (older ingress proxies buffer event streams), poll api/status instead until it speaks again.
 */
export const SCRIPT_LIVE = String.raw`
var live = { es: null, started: 0, lastMessage: 0, gotSnapshot: false, poller: null };
var FIRST_MESSAGE_MS = 6000, SILENCE_MS = 25000, POLL_MS = 3000, RECONNECT_MS = 15000;
function setConn(mode) {
  var el = $('#conn'); if (!el || el.getAttribute('data-conn') === mode) return;
  el.setAttribute('data-conn', mode);
  setText($('.conn-text', el), t('conn_' + mode));
}
function heard() { live.lastMessage = Date.now(); stopPolling(); setConn('live'); }
function on(type, handler) {
  live.es.addEventListener(type, function (ev) {
    heard();
    var data; try { data = JSON.parse(ev.data); } catch (e) { return; }
    handler(data);
  });
}
function connect() {
  if (!window.EventSource) { startPolling(); return; }
  live.started = Date.now(); live.gotSnapshot = false;
  live.es = new EventSource('api/events');
  on('snapshot', function (snap) { live.gotSnapshot = true; applySnapshot(snap); });
  on('status', function (d) { applyPart('status', d); });
  on('progress', function (d) { applyPart('progress', d); });
  on('attributes', function (d) { applyPart('attributes', d); });
  on('history', function (h) { renderHistory(h); });
  on('system', function (s) { renderSystem(s); });
  on('archive', function (a) { renderArchive(a); });
  on('heartbeat', function (hb) { noteServerTime(hb.time); });
  on('event', function (ev) { doc.dispatchEvent(new CustomEvent('disk2iso:event', { detail: ev })); });
  live.es.onerror = function () {
    if (live.es && live.es.readyState === 2) {
      live.es = null; startPolling();
      setTimeout(connect, RECONNECT_MS);
    }
  };
}
function poll() {
  getJson('api/status').then(function (snap) { applySnapshot(snap); if (live.poller) setConn('polling'); },
    function () { if (live.poller) setConn('offline'); });
}
function startPolling() {
  if (live.poller) return;
  setConn('polling');
  poll();
  live.poller = setInterval(poll, POLL_MS);
}
function stopPolling() { if (live.poller) { clearInterval(live.poller); live.poller = null; } }
setInterval(function () {
  if (!live.es) return;
  var quiet = Date.now() - (live.lastMessage || live.started);
  if (quiet > (live.gotSnapshot ? SILENCE_MS : FIRST_MESSAGE_MS)) startPolling();
}, 2000);
connect();
`;
