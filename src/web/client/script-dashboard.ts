/**
 * Dashboard updates: drive cards (state, disc, progress, speed chart sampled from progress
 * updates, bad-sector strip), recent jobs and totals, and the drive controls.
 */
export const SCRIPT_DASHBOARD = String.raw`
var NO_JOB = ['initializing', 'waiting_for_drive', 'drive_detected', 'waiting_for_media'];
var SVG_NS = 'http://www.w3.org/2000/svg';
var views = {};
var charts = {};
var clockSkew = 0;
function cardOf(id) {
  var cards = $$('[data-drive]');
  for (var i = 0; i < cards.length; i++) if (cards[i].getAttribute('data-drive') === id) return cards[i];
  return null;
}
function field(card, name) { return card.querySelector('[data-field="' + name + '"]'); }
function typeLabel(type) { return type ? t('type_' + type) : '\u2014'; }
function showsProgress(s, p) {
  if (!s || !p || p.job_id === null) return false;
  if (NO_JOB.indexOf(s.state) >= 0) return false;
  return s.job_id === null || s.job_id === p.job_id;
}
function badRuns(ranges, total, width) {
  width = width || 1000;
  if (!(total > 0) || !ranges || ranges.length === 0) return [];
  var hit = new Uint8Array(width);
  ranges.forEach(function (r) {
    var from = Math.max(0, Math.min(width - 1, Math.floor((r[0] / total) * width)));
    var to = Math.max(from, Math.min(width - 1, Math.ceil((r[1] / total) * width) - 1));
    hit.fill(1, from, to + 1);
  });
  var runs = [];
  for (var x = 0; x < width; x++) {
    if (!hit[x]) continue;
    var begin = x;
    while (x + 1 < width && hit[x + 1]) x++;
    runs.push([begin, x - begin + 1]);
  }
  return runs;
}
function setDisabled(card, action, disabled) {
  var b = card.querySelector('[data-action="' + action + '"]');
  if (b && b.getAttribute('aria-busy') !== 'true') b.disabled = disabled;
}
function sample(id, p) {
  var ch = charts[id];
  if (!ch || ch.job !== p.job_id) ch = charts[id] = { job: p.job_id, samples: [], last: null };
  if (p.updated === ch.last) return;
  ch.last = p.updated;
  if (p.phase !== 'reading' && p.phase !== 'rescuing' && p.phase !== 'encoding') return;
  ch.samples.push([Date.now(), p.speed_bytes_per_s]);
  if (ch.samples.length > 600) ch.samples = ch.samples.filter(function (_, i) { return i % 2 === 0; });
}
function drawChart(card, id) {
  var ch = charts[id], line = field(card, 'chart-line'), area = field(card, 'chart-area'), peak = field(card, 'chart-peak');
  var box = field(card, 'chart-box');
  if (!line || !area) return;
  if (box) box.hidden = !ch || ch.samples.length < 2;
  if (!ch || ch.samples.length < 2) { line.setAttribute('points', ''); area.setAttribute('points', ''); setText(peak, ''); return; }
  var s = ch.samples, t0 = s[0][0], span = Math.max(1, s[s.length - 1][0] - t0);
  var max = Math.max.apply(null, s.map(function (x) { return x[1]; })) || 1;
  var pts = s.map(function (x) { return ((x[0] - t0) / span * 300).toFixed(1) + ',' + (68 - (x[1] / (max * 1.3)) * 64).toFixed(1); }).join(' ');
  line.setAttribute('points', pts);
  area.setAttribute('points', '0,70 ' + pts + ' 300,70');
  setText(peak, t('read_speed_peak', { v: fmtSpeed(max) }));
}
function drawBadMap(card, p) {
  var total = p.bytes_total, done = field(card, 'badmap-done'), g = field(card, 'badmap-runs');
  if (done) done.setAttribute('width', total > 0 ? Math.min(1000, (p.bytes_done / total) * 1000).toFixed(1) : '0');
  var runs = badRuns(p.bad_ranges, total), key = runs.join(';');
  if (g && g.getAttribute('data-key') !== key) {
    g.setAttribute('data-key', key);
    while (g.firstChild) g.removeChild(g.firstChild);
    runs.forEach(function (r) {
      var rect = doc.createElementNS(SVG_NS, 'rect');
      rect.setAttribute('class', 'badmap-bad'); rect.setAttribute('x', r[0]); rect.setAttribute('y', '0');
      rect.setAttribute('width', r[1]); rect.setAttribute('height', '12');
      g.appendChild(rect);
    });
  }
  setText(field(card, 'bad-summary'), p.bad_sectors > 0 ? t('bad_sectors_n', { n: p.bad_sectors }) : t('no_bad_sectors'));
}
function renderStale(card, s) {
  var el = field(card, 'stale'); if (!el) return;
  var age = s ? (Date.now() + clockSkew - Date.parse(s.heartbeat)) / 1000 : 0;
  var stale = !!s && isFinite(age) && age > 3 * s.heartbeat_interval_s;
  el.hidden = !stale;
  if (stale) setText(el, t('core_stale', { s: fmtDuration(age) }));
}
function renderDrive(id) {
  var card = cardOf(id), v = views[id];
  if (!card || !v) return;
  var s = v.status, p = v.progress, a = v.attributes, state = s ? s.state : 'unknown';
  card.setAttribute('data-state', state);
  setText(field(card, 'state'), t(s ? 'state_' + s.state : 'state_unknown'));
  if (s) {
    setText(field(card, 'title'), [s.drive.vendor, s.drive.model].filter(Boolean).join(' ') || id);
    setText(field(card, 'path'), s.drive.path + ' \u00b7 ' + id);
    setText(field(card, 'message'), msgText(s.message_code, s.message_params, s.message));
    var since = field(card, 'since');
    if (since) { since.setAttribute('datetime', s.since); setText(since, t('since', { t: fmtDate(s.since) })); }
    var sw = card.querySelector('[data-action="set_auto_copy"]');
    if (sw && sw.getAttribute('aria-busy') !== 'true') { sw.checked = s.auto_copy; sw.disabled = !allows(s, 'set_auto_copy'); }
  }
  ['start', 'cancel', 'eject', 'close_tray'].forEach(function (action) { setDisabled(card, action, !allows(s, action)); });
  var hasDisc = !!(a && (a.disc_label !== null || a.disc_type !== null));
  var disc = field(card, 'disc'); if (disc) disc.setAttribute('data-has-disc', hasDisc ? 'yes' : 'no');
  setText(field(card, 'disc_label'), a && a.disc_label !== null ? a.disc_label : t('no_disc'));
  setText(field(card, 'disc_type'), a ? typeLabel(a.disc_type) : '\u2014');
  setText(field(card, 'disc_size'), a && a.disc_size_bytes !== null ? fmtBytes(a.disc_size_bytes) : a && a.disc_size_mb !== null ? fmtBytes(a.disc_size_mb * 1048576) : '\u2014');
  setText(field(card, 'method'), (a && a.method) || '\u2014');
  var job = field(card, 'job');
  if (job) job.hidden = !showsProgress(s, p);
  if (p) {
    var phase = p.phase ? t('phase_' + p.phase) : '';
    if (p.phase && p.tracks) phase += ' \u00b7 ' + t('track', { n: p.track, total: p.tracks });
    setText(field(card, 'phase'), phase);
    setText(field(card, 'percent'), fmtPercent(p.percent));
    var bar = field(card, 'progress'); if (bar) bar.value = p.percent;
    setText(field(card, 'speed'), fmtSpeed(p.speed_bytes_per_s));
    setText(field(card, 'eta'), fmtDuration(p.eta_seconds));
    setText(field(card, 'copied'), fmtBytes(p.bytes_done) + ' / ' + fmtBytes(p.bytes_total));
    setText(field(card, 'bad_sectors'), String(p.bad_sectors));
    sample(id, p);
    drawChart(card, id);
    drawBadMap(card, p);
  }
  renderStale(card, s);
}
function jobRow(e) {
  var li = make('li', 'job-row');
  var main = make('span', 'job-row-main');
  main.appendChild(make('span', 'job-row-label', e.disc_label === null ? '\u2014' : e.disc_label));
  main.appendChild(make('span', 'muted small', typeLabel(e.disc_type) + ' \u00b7 ' + fmtBytes(e.bytes) + ' \u00b7 ' + e.drive_id));
  var side = make('span', 'job-row-side');
  var chip = make('span', 'chip result-chip', t('result_' + e.result)); chip.setAttribute('data-result', e.result);
  var time = make('time', 'muted small', fmtShort(e.finished)); time.setAttribute('datetime', e.finished); time.setAttribute('data-fmt', 'short');
  side.appendChild(chip); side.appendChild(time);
  li.appendChild(main); li.appendChild(side);
  return li;
}
function renderHistory(h) {
  var list = $('[data-field="recent"]');
  if (list) {
    var key = h.updated + '|' + h.count;
    if (list.getAttribute('data-key') !== key) {
      list.setAttribute('data-key', key);
      while (list.firstChild) list.removeChild(list.firstChild);
      h.recent.forEach(function (e) { list.appendChild(jobRow(e)); });
      var empty = $('[data-field="recent-empty"]'); if (empty) empty.hidden = h.recent.length > 0;
    }
  }
  var total = 0; Object.keys(h.archived_total || {}).forEach(function (k) { total += h.archived_total[k]; });
  setText($('[data-field="archived-total"]'), String(total));
  var count = $('[data-field="history-count"]');
  if (count && h.updated && count.getAttribute('data-updated') !== h.updated) {
    var banner = $('[data-field="history-changed"]'); if (banner) banner.hidden = false;
  }
}
function renderArchive(a) {
  if (!a) return;
  var row = $('[data-field="archive-total"]'); if (!row) return;
  row.hidden = false;
  setText($('[data-field="archive-images"]'), String(a.images));
  var corrupt = $('[data-field="archive-corrupt"]');
  if (corrupt) { corrupt.hidden = a.corrupt === 0; setText(corrupt, t('archive_corrupt', { n: a.corrupt })); }
}
function renderSystem(sys) {
  if (!sys) return;
  var free = sys.output_free_bytes, total = sys.output_total_bytes, bar = $('[data-field="space-bar"]');
  setText($('[data-field="free-space"]'), fmtBytes(free));
  if (bar && free !== null && total) {
    var row = $('[data-field="space-row"]'); if (row) row.hidden = false;
    bar.value = ((total - free) / total) * 100;
    setText($('[data-field="space-text"]'), t('used_of', { used: fmtBytes(total - free), total: fmtBytes(total) }));
  }
}
function noteServerTime(iso) { var ms = Date.parse(iso); if (isFinite(ms)) clockSkew = ms - Date.now(); }
function applySnapshot(snap) {
  noteServerTime(snap.time);
  snap.drives.forEach(function (d) { views[d.id] = { status: d.status, progress: d.progress, attributes: d.attributes }; renderDrive(d.id); });
  renderHistory(snap.history);
  renderSystem(snap.system);
  renderArchive(snap.archive);
}
function applyPart(kind, data) {
  var v = views[data.drive] || (views[data.drive] = { status: null, progress: null, attributes: null });
  v[kind] = data[kind];
  renderDrive(data.drive);
}
setInterval(function () { Object.keys(views).forEach(function (id) { var c = cardOf(id); if (c) renderStale(c, views[id].status); }); }, 5000);
function sendCommand(card, control, command) {
  var id = card.getAttribute('data-drive');
  control.setAttribute('aria-busy', 'true');
  return post('api/drives/' + encodeURIComponent(id) + '/command', command).then(function (res) {
    if (res.ok) toast(t('command_ok', { msg: msgText(res.body.code, res.body.params, res.body.message) || 'OK' }));
    else toast(t('command_failed', { msg: failureText(res) }), 'error');
    return res.ok;
  }, function (err) { toast(t('request_failed', { msg: err.message }), 'error'); return false; })
    .then(function (ok) {
      control.removeAttribute('aria-busy');
      // The status file may arrive after the reply; show the accepted value meanwhile.
      if (ok && command.action === 'set_auto_copy' && views[id] && views[id].status) views[id].status.auto_copy = command.enabled;
      if (views[id]) renderDrive(id);
      return ok;
    });
}
doc.addEventListener('click', function (ev) {
  var btn = ev.target.closest && ev.target.closest('button[data-action]');
  var card = btn && btn.closest('[data-drive]');
  if (!btn || !card || btn.disabled) return;
  var action = btn.getAttribute('data-action'), v = views[card.getAttribute('data-drive')];
  if (action !== 'start' && action !== 'cancel' && action !== 'eject' && action !== 'close_tray') return;
  // Commands that end a running copy (Cancel, Eject mid-copy) ask first, as the policy says.
  if (v ? asksFirst(v.status, action) : action === 'cancel' || action === 'eject') {
    confirmDialog(t('confirm_' + action + '_title'), t('confirm_' + action + '_body'), t('confirm_' + action + '_yes'), t('confirm_keep'))
      .then(function (yes) { if (yes) sendCommand(card, btn, { action: action }); });
  } else {
    sendCommand(card, btn, { action: action });
  }
});
doc.addEventListener('change', function (ev) {
  var sw = ev.target;
  if (!sw.matches || !sw.matches('input[data-action="set_auto_copy"]')) return;
  var card = sw.closest('[data-drive]'); if (!card) return;
  var wanted = sw.checked;
  sendCommand(card, sw, { action: 'set_auto_copy', enabled: wanted }).then(function (ok) { if (!ok) sw.checked = !wanted; });
});
`;
