/**
 * The stylesheet, served as /app.css. Home Assistant-like: light by default, dark when the
 * system says so, cards with soft shadows, system fonts only (nothing fetched from a CDN).
 */
export const CLIENT_STYLES = String.raw`
:root {
  color-scheme: light dark;
  --bg: #f3f4f7; --card: #ffffff; --text: #1d1f23; --muted: #606770; --border: #e2e5ea;
  --primary: #039be5; --primary-strong: #0277bd; --on-primary: #ffffff; --primary-soft: #e1f3fd;
  --ok: #2e7d32; --ok-soft: #e5f4e6; --warn: #b75f00; --warn-soft: #fff1dc; --err: #c62828; --err-soft: #fde7e7;
  --neutral-soft: #eceef2; --track: #e4e8ee; --bad: #e53935; --done: #81d4fa;
  --shadow: 0 1px 2px rgba(16, 24, 40, .06), 0 2px 10px rgba(16, 24, 40, .06);
  --radius: 14px; --gap: 16px;
  --font: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif;
  --mono: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #111316; --card: #1c1f24; --text: #e7e9ec; --muted: #9aa1ab; --border: #2d3239;
    --primary: #29b6f6; --primary-strong: #4fc3f7; --on-primary: #06202e; --primary-soft: #0f2d3d;
    --ok: #66bb6a; --ok-soft: #16301a; --warn: #ffb74d; --warn-soft: #3a2a12; --err: #ef5350; --err-soft: #3b1719;
    --neutral-soft: #2a2f36; --track: #2b3038; --bad: #ff5252; --done: #1f5d7d;
    --shadow: 0 1px 2px rgba(0, 0, 0, .4), 0 2px 12px rgba(0, 0, 0, .25);
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--text); font: 15px/1.5 var(--font); }
a { color: var(--primary-strong); }
code { font-family: var(--mono); font-size: .88em; overflow-wrap: anywhere; }
h1 { font-size: 1.5rem; margin: 0; font-weight: 600; letter-spacing: -.01em; }
h2 { font-size: 1.08rem; margin: 0; font-weight: 600; }
[hidden] { display: none !important; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.muted { color: var(--muted); }
.small { font-size: .84rem; }
:focus-visible { outline: 2px solid var(--primary); outline-offset: 2px; border-radius: 6px; }
.skip-link { position: absolute; left: 8px; top: -60px; background: var(--primary); color: var(--on-primary); padding: 8px 14px; border-radius: 8px; z-index: 10; }
.skip-link:focus { top: 8px; }
.icon { width: 1.15em; height: 1.15em; flex: none; }

.topbar { position: sticky; top: 0; z-index: 5; background: var(--card); border-bottom: 1px solid var(--border); }
.topbar-inner { max-width: 1240px; margin: 0 auto; padding: 0 20px; display: flex; align-items: center; gap: 20px; min-height: 56px; }
.brand { display: flex; align-items: center; gap: 8px; font-weight: 650; font-size: 1.1rem; color: var(--text); text-decoration: none; }
.brand-icon { width: 26px; height: 26px; color: var(--primary); }
.tabs { display: flex; gap: 2px; flex: 1; overflow-x: auto; scrollbar-width: none; align-self: stretch; }
.tab { display: flex; align-items: center; padding: 0 14px; color: var(--muted); text-decoration: none; font-weight: 500; border-bottom: 2.5px solid transparent; white-space: nowrap; }
.tab:hover { color: var(--text); }
.tab[aria-current="page"] { color: var(--primary-strong); border-bottom-color: var(--primary); }
.topbar-tools { display: flex; align-items: center; gap: 12px; }
.conn { display: inline-flex; align-items: center; gap: 6px; font-size: .8rem; color: var(--muted); white-space: nowrap; }
.conn-dot { width: 8px; height: 8px; border-radius: 50%; background: var(--muted); }
.conn[data-conn="live"] .conn-dot { background: var(--ok); box-shadow: 0 0 0 3px var(--ok-soft); }
.conn[data-conn="polling"] .conn-dot { background: var(--warn); }
.conn[data-conn="offline"] .conn-dot { background: var(--err); }
select, input, button { font: inherit; color: inherit; }
select { background: var(--card); border: 1px solid var(--border); border-radius: 8px; padding: 6px 10px; min-height: 36px; }

main { max-width: 1240px; margin: 0 auto; padding: 24px 20px 48px; outline: none; }
.page-head { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: 8px 16px; margin-bottom: 18px; }
.page-head p { margin: 0; }
.card { background: var(--card); border-radius: var(--radius); box-shadow: var(--shadow); border: 1px solid var(--border); padding: 18px 20px; }
.card-head { display: flex; align-items: flex-start; justify-content: space-between; gap: 12px; margin-bottom: 10px; }
.card-title { min-width: 0; }
.card-title h2 { overflow-wrap: anywhere; }
.card-title p { margin: 2px 0 0; }
.empty { color: var(--muted); text-align: center; padding: 28px 16px; }
.link { font-weight: 500; text-decoration: none; }

.chip { display: inline-flex; align-items: center; gap: 6px; padding: 3px 11px; border-radius: 999px; font-size: .8rem; font-weight: 600; white-space: nowrap; background: var(--neutral-soft); color: var(--text); }
.drive[data-state="copying"] .state-chip, .drive[data-state="analyzing"] .state-chip, .drive[data-state="waiting_for_metadata"] .state-chip { background: var(--primary-soft); color: var(--primary-strong); }
.drive[data-state="completed"] .state-chip, .drive[data-state="media_detected"] .state-chip { background: var(--ok-soft); color: var(--ok); }
.drive[data-state="error"] .state-chip { background: var(--err-soft); color: var(--err); }
.drive[data-state="waiting_for_removal"] .state-chip, .drive[data-state="waiting_for_drive"] .state-chip { background: var(--warn-soft); color: var(--warn); }
.drive[data-state="copying"] .state-chip::before { content: ""; width: 7px; height: 7px; border-radius: 50%; background: currentColor; animation: pulse 1.4s ease-in-out infinite; }
@keyframes pulse { 50% { opacity: .25; } }
.result-chip[data-result="success"], .ck-chip[data-status="ok"], [data-present="yes"] { background: var(--ok-soft); color: var(--ok); }
.result-chip[data-result="degraded"], .ck-chip[data-status="verifying"], .ck-chip[data-status="queued"] { background: var(--warn-soft); color: var(--warn); }
.result-chip[data-result="failed"], .ck-chip[data-status="mismatch"], .ck-chip[data-status="error"], [data-present="no"] { background: var(--err-soft); color: var(--err); }
.ck-chip[data-status="verifying"] { background: var(--primary-soft); color: var(--primary-strong); }

.dash { display: grid; grid-template-columns: minmax(0, 1fr) 340px; gap: var(--gap); align-items: start; }
.drives { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 460px), 1fr)); gap: var(--gap); }
.side { display: flex; flex-direction: column; gap: var(--gap); }
.label-short { display: none; }
.drive { display: flex; flex-direction: column; gap: 14px; }
.drive .card-head { margin-bottom: 0; }
.status-line { margin: -6px 0 0; color: var(--text); overflow-wrap: anywhere; }
.stale { margin: 0; padding: 8px 12px; border-radius: 10px; background: var(--warn-soft); color: var(--warn); font-weight: 500; }
.disc { display: flex; gap: 14px; align-items: center; padding: 12px 14px; background: var(--bg); border-radius: 12px; }
.disc-art { width: 46px; height: 46px; color: var(--muted); }
.disc[data-has-disc="yes"] .disc-art { color: var(--primary); }
.drive[data-state="copying"] .disc-art { animation: spin 2.4s linear infinite; }
@keyframes spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .drive .disc-art, .state-chip::before { animation: none !important; } }
.disc-body { min-width: 0; flex: 1; }
.disc-label { margin: 0 0 4px; font-weight: 600; font-size: 1.05rem; overflow-wrap: anywhere; }
.disc[data-has-disc="no"] .disc-label { color: var(--muted); font-weight: 500; }
.facts { display: flex; flex-wrap: wrap; gap: 4px 22px; margin: 0; }
.fact dt { font-size: .74rem; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.fact dd { margin: 0; font-weight: 500; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.fact.wide { flex-basis: 100%; }

.job { display: flex; flex-direction: column; gap: 10px; }
.job-head { display: flex; justify-content: space-between; align-items: baseline; font-weight: 500; }
.job-percent { font-size: 1.6rem; font-weight: 650; font-variant-numeric: tabular-nums; letter-spacing: -.02em; }
progress { -webkit-appearance: none; appearance: none; width: 100%; height: 12px; border: 0; border-radius: 999px; background: var(--track); overflow: hidden; display: block; }
progress::-webkit-progress-bar { background: var(--track); border-radius: 999px; }
progress::-webkit-progress-value { background: linear-gradient(90deg, var(--primary), var(--primary-strong)); border-radius: 999px; transition: width .5s ease; }
progress::-moz-progress-bar { background: var(--primary); border-radius: 999px; }
.drive[data-state="completed"] progress::-webkit-progress-value, .drive[data-state="waiting_for_removal"] progress::-webkit-progress-value { background: var(--ok); }
.stats { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 8px 14px; margin: 2px 0 0; }
figure { margin: 0; }
figcaption { display: flex; justify-content: space-between; font-size: .8rem; color: var(--muted); margin-bottom: 4px; }
figcaption > span:first-child { font-weight: 600; text-transform: uppercase; letter-spacing: .04em; font-size: .74rem; }
.chart svg { display: block; width: 100%; height: 84px; background: var(--bg); border-radius: 10px; }
.chart-grid { stroke: var(--border); stroke-width: 1; vector-effect: non-scaling-stroke; }
.chart-line { fill: none; stroke: var(--primary); stroke-width: 2; vector-effect: non-scaling-stroke; stroke-linejoin: round; }
.chart-area { fill: var(--primary); opacity: .14; }
.badmap svg { display: block; width: 100%; height: 14px; border-radius: 5px; overflow: hidden; }
.badmap-track { fill: var(--track); }
.badmap-done { fill: var(--done); }
.badmap-bad { fill: var(--bad); }

.actions { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 12px; border-top: 1px solid var(--border); padding-top: 14px; margin-top: auto; }
.buttons { display: flex; flex-wrap: wrap; gap: 8px; }
.btn { display: inline-flex; align-items: center; justify-content: center; gap: 6px; min-height: 40px; padding: 0 16px; border-radius: 10px; border: 1px solid transparent; font-weight: 600; font-size: .92rem; cursor: pointer; text-decoration: none; background: none; white-space: nowrap; transition: background-color .15s, border-color .15s, opacity .15s; }
.btn:disabled { opacity: .42; cursor: not-allowed; }
.btn-small { min-height: 34px; padding: 0 12px; font-size: .86rem; }
.btn-primary { background: var(--primary); color: var(--on-primary); }
.btn-primary:not(:disabled):hover { background: var(--primary-strong); }
.btn-danger { background: var(--err); color: #fff; }
.btn-danger:not(:disabled):hover { filter: brightness(.92); }
.btn-outline { border-color: var(--border); color: var(--text); background: var(--card); }
.btn-outline:not(:disabled):hover { border-color: var(--primary); color: var(--primary-strong); }
.btn-text-danger { color: var(--err); }
.btn-text-danger:not(:disabled):hover { background: var(--err-soft); }
.btn[aria-busy="true"] { opacity: .6; cursor: progress; }
.switch { display: inline-flex; align-items: center; gap: 10px; cursor: pointer; font-weight: 500; }
.switch input { -webkit-appearance: none; appearance: none; position: relative; width: 40px; height: 22px; margin: 0; border-radius: 999px; background: var(--track); border: 1px solid var(--border); cursor: pointer; transition: background-color .2s; }
.switch input::before { content: ""; position: absolute; top: 2px; left: 2px; width: 16px; height: 16px; border-radius: 50%; background: #fff; box-shadow: 0 1px 3px rgba(0,0,0,.3); transition: transform .2s; }
.switch input:checked { background: var(--primary); border-color: var(--primary); }
.switch input:checked::before { transform: translateX(18px); }
.switch input:disabled { opacity: .5; cursor: not-allowed; }

.job-list, .history-list, .archive-list, .plain-list, .log-lines { list-style: none; margin: 0; padding: 0; }
.job-row, .history-item summary { display: flex; justify-content: space-between; align-items: center; gap: 12px; padding: 10px 0; }
.job-row + .job-row { border-top: 1px solid var(--border); }
.job-row-main { display: flex; flex-direction: column; min-width: 0; }
.job-row-label { font-weight: 600; overflow-wrap: anywhere; }
.job-row-side { display: flex; flex-direction: column; align-items: flex-end; gap: 3px; text-align: right; flex: none; }
.job-row-side time { white-space: nowrap; }
.totals { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 14px 18px; }
.total { display: flex; flex-direction: column; min-width: 0; }
.space-row { grid-column: 1 / -1; display: flex; flex-direction: column; gap: 4px; }
.space-row progress.space { height: 6px; margin: 0; }
.total-value { font-size: 1.9rem; font-weight: 650; letter-spacing: -.02em; font-variant-numeric: tabular-nums; }

.filters { display: flex; flex-wrap: wrap; gap: 12px 16px; align-items: flex-end; margin-bottom: var(--gap); }
.field { display: flex; flex-direction: column; gap: 4px; font-size: .8rem; color: var(--muted); font-weight: 500; }
.field select { color: var(--text); min-width: 150px; }
.filter-actions { display: flex; gap: 8px; }
.field-search { flex: 1 1 220px; }
.field-search input { color: var(--text); background: var(--card); border: 1px solid var(--border); border-radius: 8px; padding: 6px 10px; min-height: 36px; min-width: 0; width: 100%; box-sizing: border-box; }
.pager { display: flex; align-items: center; justify-content: space-between; gap: 12px; margin: 0 0 var(--gap); }
.sprite { position: absolute; width: 0; height: 0; overflow: hidden; }
.archive-scrub { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin: 8px 0 0; }
a.total-value { color: inherit; text-decoration: none; }
.inline-form { display: flex; align-items: flex-end; gap: 8px; }
.banner { display: flex; align-items: center; justify-content: space-between; gap: 12px; background: var(--primary-soft); color: var(--primary-strong); border-radius: 12px; padding: 10px 14px; margin: 0 0 var(--gap); font-weight: 500; }
.history-list { padding: 4px 20px; }
.history-item + .history-item { border-top: 1px solid var(--border); }
.history-item summary { cursor: pointer; list-style: none; padding: 12px 0; }
.history-item summary::-webkit-details-marker { display: none; }
.history-item summary::before { content: ""; width: 8px; height: 8px; border-right: 2px solid var(--muted); border-bottom: 2px solid var(--muted); transform: rotate(-45deg); transition: transform .15s; flex: none; margin-right: 4px; }
.history-item details[open] summary::before { transform: rotate(45deg); }
.history-item summary .job-row-main { flex: 1; }
.details-grid { padding: 4px 0 16px 20px; gap: 10px 28px; }
.hash { font-size: .8rem; }
.error-text { color: var(--err); }

.archive-group { margin-bottom: var(--gap); }
.archive-item { display: grid; grid-template-columns: auto minmax(0, 1fr) auto minmax(300px, auto); align-items: center; gap: 12px 14px; padding: 12px 0; }
.archive-item + .archive-item { border-top: 1px solid var(--border); }
.archive-art { width: 32px; height: 32px; color: var(--primary); }
.archive-main { display: flex; flex-direction: column; min-width: 0; }
.archive-name { font-weight: 600; overflow-wrap: anywhere; }
.archive-degraded { margin-left: 4px; padding: 1px 8px; font-size: .72rem; vertical-align: middle; }
.archive-actions { display: flex; gap: 6px; flex-wrap: wrap; justify-content: flex-end; }
.ck-chip { justify-self: end; }

.logs { padding: 6px 0; overflow: hidden; }
.log-line { display: grid; grid-template-columns: 96px 52px 90px minmax(0, 1fr); gap: 10px; padding: 5px 20px; font-family: var(--mono); font-size: .8rem; border-bottom: 1px solid var(--border); }
.log-line:last-child { border-bottom: 0; }
.log-level { font-weight: 700; text-transform: uppercase; font-size: .72rem; padding-top: 1px; }
.log-line[data-level="warn"] { background: var(--warn-soft); } .log-line[data-level="warn"] .log-level { color: var(--warn); }
.log-line[data-level="error"], .log-line[data-level="fatal"] { background: var(--err-soft); }
.log-line[data-level="error"] .log-level, .log-line[data-level="fatal"] .log-level { color: var(--err); }
.log-line[data-level="debug"] .log-level, .log-line[data-level="trace"] .log-level { color: var(--muted); }
.log-ns { color: var(--primary-strong); overflow: hidden; text-overflow: ellipsis; }
.log-msg { overflow-wrap: anywhere; white-space: pre-wrap; }
.js .noscript-only { display: none; }

.system-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 340px), 1fr)); gap: var(--gap); align-items: start; }
.system-grid h2 { margin-bottom: 12px; }
.sys-drive { display: flex; justify-content: space-between; align-items: center; gap: 12px; padding: 8px 0; }
.sys-drive + .sys-drive { border-top: 1px solid var(--border); }
.kv { width: 100%; border-collapse: collapse; }
.kv th, .kv td { text-align: left; padding: 6px 0; border-bottom: 1px solid var(--border); font-weight: 500; }
.kv th { font-family: var(--mono); font-size: .86rem; }
.kv td { text-align: right; font-variant-numeric: tabular-nums; }
.kv tr:last-child th, .kv tr:last-child td { border-bottom: 0; }
progress.space { margin: 6px 0 8px; }

.toasts { position: fixed; bottom: 20px; left: 50%; transform: translateX(-50%); display: flex; flex-direction: column; gap: 8px; z-index: 20; width: min(92vw, 460px); pointer-events: none; }
.toast { background: #323232; color: #fff; padding: 12px 16px; border-radius: 10px; box-shadow: 0 4px 16px rgba(0,0,0,.25); font-weight: 500; animation: toast-in .2s ease-out; }
.toast[data-kind="error"] { background: var(--err); }
@keyframes toast-in { from { opacity: 0; transform: translateY(8px); } }
.dialog { border: 0; border-radius: 16px; padding: 22px 24px 18px; max-width: min(92vw, 440px); background: var(--card); color: var(--text); box-shadow: 0 12px 40px rgba(0,0,0,.35); }
.dialog::backdrop { background: rgba(10, 12, 16, .5); }
.dialog h2 { font-size: 1.15rem; margin-bottom: 8px; }
.dialog p { margin: 0 0 20px; color: var(--muted); overflow-wrap: anywhere; }
.dialog-actions { display: flex; justify-content: flex-end; gap: 8px; }

@media (max-width: 1020px) {
  .dash { grid-template-columns: minmax(0, 1fr); }
  .side { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); align-items: start; }
}
@media (max-width: 760px) {
  .side { grid-template-columns: minmax(0, 1fr); }
  .topbar-inner { flex-wrap: wrap; gap: 0 12px; padding: 0 12px; }
  .brand { min-height: 48px; }
  .topbar-tools { margin-left: auto; }
  .tabs { order: 3; flex-basis: 100%; margin: 0 -12px; padding: 0 4px; border-top: 1px solid var(--border); min-height: 44px; }
  .tab { padding: 0 8px; font-size: .93rem; }
  .tabs { justify-content: space-between; }
  main { padding: 16px 12px 40px; }
  .card { padding: 16px; }
  .stats { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .actions { flex-direction: column; align-items: stretch; }
  .buttons { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); }
  .buttons .btn { padding: 0 6px; min-width: 0; }
  .buttons .btn .icon { display: none; }
  .buttons .btn span { overflow: hidden; text-overflow: ellipsis; }
  .label-long { display: none; }
  .label-short { display: inline; }
  .archive-item { grid-template-columns: auto minmax(0, 1fr); }
  .archive-item .ck-chip { grid-column: 2; justify-self: start; }
  .archive-actions { grid-column: 1 / -1; justify-content: flex-start; }
  .log-line { grid-template-columns: 84px 46px minmax(0, 1fr); padding: 6px 12px; }
  .log-ns { display: none; }
  .history-list { padding: 2px 16px; }
  .details-grid { padding-left: 0; }
  .field select { min-width: 0; width: 100%; }
  .filters .field { flex: 1 1 140px; }
}
`;
