/** The web UI (ingress), REST JSON, SSE and the control API, served by the core. A watcher of /data/api. */
export { createApp, buildWebApp } from './app.js';
export { startWebServer } from './server.js';
export { defaultPeerPolicy, isLoopback } from './middleware/peer-guard.js';
export type { WebServerDeps, RunningWebServer } from './types.js';
