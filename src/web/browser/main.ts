import { initArchive } from './archive.js';
import { initDashboard } from './dashboard.js';
import { doc } from './dom.js';
import { initLive } from './live.js';
import { initLogs } from './logs.js';
import { initPage } from './page.js';

/**
 * The page script, bundled by esbuild into dist/web/assets/app.js (scripts/build-browser.mjs) and
 * served as /app.js. It runs on every page; page-specific parts check the page's `data-page`.
 */
const page = doc.body.getAttribute('data-page') ?? '';
initPage();
initDashboard();
if (page === 'archive') initArchive();
if (page === 'logs') initLogs();
initLive();
