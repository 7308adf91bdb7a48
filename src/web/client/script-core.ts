/**
 * Client helpers: strings, number/date formatting like the server's, requests with the control
 * header, toasts, the confirm dialog and the language switch. Data only ever goes into the page
 * through textContent / setAttribute, never innerHTML.
 */
export const SCRIPT_CORE = String.raw`
var doc = document;
doc.documentElement.classList.add('js');
function $(sel, root) { return (root || doc).querySelector(sel); }
function $$(sel, root) { return Array.prototype.slice.call((root || doc).querySelectorAll(sel)); }
var I18N = {};
try { I18N = JSON.parse(($('#i18n') || {}).textContent || '{}'); } catch (e) { I18N = {}; }
var LANG = doc.documentElement.lang || 'en';
var PAGE = doc.body.getAttribute('data-page') || '';
function t(key, params) {
  var s = Object.prototype.hasOwnProperty.call(I18N, key) ? I18N[key] : key;
  if (params) s = s.replace(/\{(\w+)\}/g, function (m, k) { return Object.prototype.hasOwnProperty.call(params, k) ? String(params[k]) : m; });
  return s;
}
var UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
function num(v, d) { return new Intl.NumberFormat(LANG, { minimumFractionDigits: d, maximumFractionDigits: d, useGrouping: false }).format(v); }
function fmtBytes(n) {
  if (n === null || n === undefined || !isFinite(n)) return '\u2014';
  var u = 0; while (n >= 1024 && u < UNITS.length - 1) { n /= 1024; u++; }
  return num(n, u === 0 || n >= 100 ? 0 : 1) + ' ' + UNITS[u];
}
function fmtSpeed(n) { return n === null || n === undefined ? '\u2014' : fmtBytes(n) + '/s'; }
function pad(n) { return (n < 10 ? '0' : '') + n; }
function fmtDuration(s) {
  if (s === null || s === undefined || !isFinite(s)) return '\u2014';
  s = Math.max(0, Math.round(s));
  var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), x = s % 60;
  return (h ? h + ':' + pad(m) : String(m)) + ':' + pad(x);
}
function fmtPercent(p) { return new Intl.NumberFormat(LANG, { maximumFractionDigits: p < 10 ? 1 : 0 }).format(p) + ' %'; }
var DATE_FMT = new Intl.DateTimeFormat(LANG, { dateStyle: 'medium', timeStyle: 'short' });
var TIME_FMT = new Intl.DateTimeFormat(LANG, { timeStyle: 'medium' });
var SHORT_FMT = new Intl.DateTimeFormat(LANG, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
function fmtDate(iso) { var d = new Date(iso); return isNaN(d.getTime()) ? '\u2014' : DATE_FMT.format(d); }
function fmtShort(iso) { var d = new Date(iso); return isNaN(d.getTime()) ? '\u2014' : SHORT_FMT.format(d); }
function fmtTime(iso) { var d = new Date(iso); return isNaN(d.getTime()) ? '\u2014' : TIME_FMT.format(d); }
function setText(el, text) { if (el && el.textContent !== text) el.textContent = text; }
function make(tag, cls, text) {
  var el = doc.createElement(tag);
  if (cls) el.className = cls;
  if (text !== undefined && text !== null) el.textContent = text;
  return el;
}
/* <time> elements show the browser's time zone and locale. */
function localizeTimes(root) {
  $$('time[datetime]', root).forEach(function (el) {
    var iso = el.getAttribute('datetime');
    if (!iso) return;
    var kind = el.getAttribute('data-fmt');
    if (kind === 'time') setText(el, fmtTime(iso));
    else if (kind === 'short') setText(el, fmtShort(iso));
    else if (el.getAttribute('data-field') === 'since') setText(el, t('since', { t: fmtDate(iso) }));
    else setText(el, fmtDate(iso));
  });
}
function getJson(path) {
  return fetch(path, { credentials: 'same-origin', cache: 'no-store' }).then(function (r) {
    if (!r.ok) throw new Error('HTTP ' + r.status);
    return r.json();
  });
}
function post(path, body) {
  return fetch(path, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-disk2iso-request': '1' },
    body: JSON.stringify(body)
  }).then(function (r) {
    return r.json().catch(function () { return {}; }).then(function (j) { return { ok: r.ok, status: r.status, body: j }; });
  });
}
function toast(message, kind) {
  var box = $('#toasts'); if (!box) return;
  var el = make('div', 'toast', message); el.setAttribute('data-kind', kind || 'info');
  box.appendChild(el);
  setTimeout(function () { el.remove(); }, 5000);
}
/* A core message (contract or control reply) in the page's language, like messageText() on the server. */
function msgText(code, params, fallback) {
  var key = 'msg_' + code;
  if (typeof code !== 'string' || !Object.prototype.hasOwnProperty.call(I18N, key)) return fallback || '';
  params = params || {};
  return I18N[key].replace(/\{(\w+)\}/g, function (m, k) {
    if (!Object.prototype.hasOwnProperty.call(params, k)) return m;
    var v = params[k];
    if ((k === 'bytes' || /_bytes$/.test(k)) && typeof v === 'number') return fmtBytes(v);
    var worded = k + '_' + v;
    if ((k === 'state' || k === 'action' || k === 'reason') && Object.prototype.hasOwnProperty.call(I18N, worded)) return I18N[worded];
    return String(v);
  });
}
function failureText(res) { var b = res.body || {}; return msgText(b.code, b.params, b.error) || ('HTTP ' + res.status); }
function confirmDialog(title, body, yes, no) {
  var dlg = $('#confirm');
  if (!dlg || typeof dlg.showModal !== 'function') return Promise.resolve(window.confirm(title + '\n\n' + body));
  setText($('#confirm-title'), title); setText($('#confirm-body'), body);
  setText($('#confirm-yes'), yes); setText($('#confirm-no'), no);
  dlg.returnValue = '';
  dlg.showModal();
  $('#confirm-no').focus();
  return new Promise(function (resolve) {
    dlg.addEventListener('close', function () { resolve(dlg.returnValue === 'yes'); }, { once: true });
  });
}
function basePath() { return new URL('.', doc.baseURI).pathname; }
function setLang(lang) {
  if (!/^[a-z]{2}$/.test(lang)) return;
  doc.cookie = 'disk2iso_lang=' + lang + '; path=' + basePath() + '; max-age=31536000; samesite=strict';
  try { localStorage.setItem('disk2iso.lang', lang); } catch (e) { /* private mode */ }
  location.reload();
}
var langSwitch = $('#lang-switch');
if (langSwitch) langSwitch.addEventListener('change', function () { setLang(langSwitch.value); });
try {
  var storedLang = localStorage.getItem('disk2iso.lang');
  if (storedLang && storedLang !== LANG && doc.cookie.indexOf('disk2iso_lang=') < 0 && !sessionStorage.getItem('disk2iso.langRestored')) {
    sessionStorage.setItem('disk2iso.langRestored', '1');
    setLang(storedLang);
  }
} catch (e) { /* storage unavailable */ }
/*
 * In Home Assistant's ingress panel this page is a same-origin frame of HA's frontend: follow the
 * language of the user's HA profile (the parent's <html lang>, else HA's stored selectedLanguage)
 * unless the switch here chose one. Noted in its own cookie; one reload, never a loop.
 */
function haLanguage() {
  try {
    if (window.parent === window) return '';
    var lang = window.parent.document.documentElement.lang || '';
    if (!lang) { var stored = window.parent.localStorage.getItem('selectedLanguage'); lang = stored ? JSON.parse(stored) || '' : ''; }
    return String(lang).toLowerCase().split(/[-_]/)[0];
  } catch (e) { return ''; /* not framed by HA (another origin) */ }
}
function cookieOf(name) {
  var m = doc.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
  return m ? m[1] : '';
}
var haLang = haLanguage();
var offered = $$('#lang-switch option').map(function (o) { return o.value; });
if (haLang && !cookieOf('disk2iso_lang')) {
  var haKnown = offered.indexOf(haLang) >= 0;
  if (haKnown && cookieOf('disk2iso_ha_lang') !== haLang) {
    doc.cookie = 'disk2iso_ha_lang=' + haLang + '; path=' + basePath() + '; max-age=31536000; samesite=strict';
    if (haLang !== LANG) location.reload();
  } else if (!haKnown && cookieOf('disk2iso_ha_lang')) {
    // HA now speaks a language this UI has not: the browser's language decides again.
    doc.cookie = 'disk2iso_ha_lang=; path=' + basePath() + '; max-age=0; samesite=strict';
    location.reload();
  }
}
$$('[data-autosubmit]').forEach(function (el) {
  el.addEventListener('change', function () { if (el.form) el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit(); });
});
doc.addEventListener('click', function (ev) {
  var el = ev.target.closest && ev.target.closest('[data-action="reload"]');
  if (el) location.reload();
});
localizeTimes(doc);
`;
