/** The archive page (verify, delete with confirmation, checksum progress, rescan, check all) and the logs page. */
export const SCRIPT_PAGES = String.raw`
function checksumText(c) {
  if (c.status === 'verifying') return t('ck_verifying', { p: Math.floor(c.percent) });
  return t('ck_' + c.status);
}
function archiveItem(path) {
  var items = $$('[data-path]');
  for (var i = 0; i < items.length; i++) if (items[i].getAttribute('data-path') === path) return items[i];
  return null;
}
function renderChecksum(path, c) {
  var li = archiveItem(path); if (!li) return;
  var chip = li.querySelector('[data-field="checksum"]');
  chip.setAttribute('data-status', c.status);
  chip.setAttribute('title', c.detail || '');
  setText(chip, checksumText(c));
  var at = li.querySelector('[data-field="verified-at"]');
  if (at && c.checked_at) {
    var time = at.querySelector('time');
    time.setAttribute('datetime', c.checked_at); setText(time, fmtTime(c.checked_at)); at.hidden = false;
  }
}
var archivePoll = null;
function pollArchive() {
  if (archivePoll) return;
  archivePoll = setInterval(function () {
    // The same page the user sees (search, sort, offset), so its items are in the answer.
    getJson('api/archive' + location.search).then(function (view) {
      var busy = false;
      view.items.forEach(function (item) {
        renderChecksum(item.path, item.checksum);
        if (item.checksum.status === 'queued' || item.checksum.status === 'verifying') busy = true;
      });
      if (!busy) { clearInterval(archivePoll); archivePoll = null; }
    }, function () { /* next tick retries */ });
  }, 1500);
}
if (PAGE === 'archive') {
  doc.addEventListener('click', function (ev) {
    var btn = ev.target.closest && ev.target.closest('button[data-action="rescan"], button[data-action="scrub"]');
    if (!btn || btn.disabled) return;
    var rescan = btn.getAttribute('data-action') === 'rescan';
    btn.setAttribute('aria-busy', 'true');
    post(rescan ? 'api/archive/rescan' : 'api/archive/scrub', {}).then(function (res) {
      btn.removeAttribute('aria-busy');
      if (!res.ok) { toast(t('command_failed', { msg: failureText(res) }), 'error'); return; }
      if (rescan) { toast(t('rescan_done', res.body)); if (res.body.added + res.body.removed + res.body.changed > 0) setTimeout(function () { location.reload(); }, 800); }
      else { toast(t('scrub_started')); btn.disabled = true; }
    }, function (err) { btn.removeAttribute('aria-busy'); toast(t('request_failed', { msg: err.message }), 'error'); });
  });
  doc.addEventListener('click', function (ev) {
    var btn = ev.target.closest && ev.target.closest('button[data-action]');
    var li = btn && btn.closest('[data-path]');
    if (!btn || !li || btn.disabled) return;
    var path = li.getAttribute('data-path');
    if (btn.getAttribute('data-action') === 'verify') {
      btn.setAttribute('aria-busy', 'true');
      post('api/archive/verify', { path: path }).then(function (res) {
        btn.removeAttribute('aria-busy');
        if (res.ok) { renderChecksum(path, res.body.checksum); pollArchive(); }
        else toast(t('command_failed', { msg: failureText(res) }), 'error');
      }, function (err) { btn.removeAttribute('aria-busy'); toast(t('request_failed', { msg: err.message }), 'error'); });
    } else if (btn.getAttribute('data-action') === 'delete') {
      var name = btn.getAttribute('data-name') || path;
      confirmDialog(t('confirm_delete_title'), t('confirm_delete_body', { name: name }), t('confirm_delete_yes'), t('confirm_delete_no'))
        .then(function (yes) {
          if (!yes) return;
          post('api/archive/delete', { path: path }).then(function (res) {
            if (!res.ok) { toast(t('command_failed', { msg: failureText(res) }), 'error'); return; }
            var group = li.closest('.archive-group');
            li.remove();
            if (group && !group.querySelector('[data-path]')) group.remove();
            toast(t('deleted', { name: name }));
          }, function (err) { toast(t('request_failed', { msg: err.message }), 'error'); });
        });
    }
  });
  if ($$('[data-field="checksum"][data-status="verifying"], [data-field="checksum"][data-status="queued"]').length > 0) pollArchive();
}
function logLine(line) {
  var li = make('li', 'log-line'); li.setAttribute('data-level', line.level);
  var time = make('time', null, fmtTime(line.time)); time.setAttribute('datetime', line.time); time.setAttribute('data-fmt', 'time');
  li.appendChild(time);
  li.appendChild(make('span', 'log-level', t('loglevel_' + line.level)));
  li.appendChild(make('span', 'log-ns', line.ns || ''));
  li.appendChild(make('span', 'log-msg', line.msg));
  return li;
}
if (PAGE === 'logs') {
  setInterval(function () {
    if (doc.hidden) return;
    var level = ($('#log-level') || {}).value || '';
    getJson('api/logs' + (level ? '?level=' + encodeURIComponent(level) : '')).then(function (res) {
      var list = $('[data-field="log-lines"]'); if (!list) return;
      var key = res.lines.length + '|' + (res.lines[0] ? res.lines[0].time + res.lines[0].msg : '');
      if (list.getAttribute('data-key') === key) return;
      list.setAttribute('data-key', key);
      while (list.firstChild) list.removeChild(list.firstChild);
      res.lines.forEach(function (line) { list.appendChild(logLine(line)); });
      var empty = $('[data-field="logs-empty"]'); if (empty) empty.hidden = res.lines.length > 0;
    }, function () { /* keep the lines shown */ });
  }, 5000);
}
`;
