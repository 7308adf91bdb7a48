import type { Config } from '../config/index.js';
import type { ArchiveControl } from '../contract/archive-index.js';
import type { ControlApi } from '../contract/index.js';
import type { LogBuffer, Logger } from '../log/index.js';
import type { Lang, Translate } from './i18n/index.js';

/** What the core's composition root hands the web server. */
export interface WebServerDeps {
  config: Config;
  control: ControlApi;
  /** The core's archive index (deletions, rescans and verifications are reported to it); absent without one. */
  archive?: ArchiveControl;
  logs: LogBuffer;
  logger: Logger;
  version: string;
  /** Bind address, default '0.0.0.0'. */
  hostname?: string;
  /**
   * Which peers may connect; default: the ingress proxy and loopback, or everyone when the
   * `web_allow_all_peers` option is on. Injectable so tests can treat a loopback address as foreign.
   */
  allowedPeers?: (address: string) => boolean;
  /** SSE heartbeat period; default 10 s (the issue asks for at least every 15 s). */
  sseHeartbeatMs?: number;
}

/** The running server, as returned by `startWebServer`. */
export interface RunningWebServer {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
}

/** Per-request values set by the ingress middleware. */
export interface WebVariables {
  lang: Lang;
  t: Translate;
  /** Ingress prefix without trailing slash ('' when accessed directly). */
  ingressPath: string;
}

export interface WebEnv {
  Variables: WebVariables;
}
