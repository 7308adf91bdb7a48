/** The web UI (ingress), REST JSON, SSE and the control API, served by the core. A watcher of /data/api. */
export { createApp, buildWebApp, type WebApp } from './app.js';
export { startWebServer } from './server.js';
export { defaultPeerPolicy, isLoopback, INGRESS_PROXY_ADDRESS } from './middleware/peer-guard.js';
export { WebServerError } from './errors.js';
export type { WebServerDeps, RunningWebServer } from './types.js';
