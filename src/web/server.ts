import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../util/errors.js';
import { buildWebApp } from './app.js';
import { WebServerError } from './errors.js';
import type { RunningWebServer, WebServerDeps } from './types.js';
import { webLogger } from './web-logger.js';

/**
 * Serves the app on `config.web_port` (0 picks a free port; the actual one is reported).
 * `stop()` ends SSE streams, closes idle and open connections and the shared watcher.
 */
export async function startWebServer(deps: WebServerDeps): Promise<RunningWebServer> {
  const logger = webLogger(deps.logger);
  const { app, hub, archive } = buildWebApp(deps);
  const hostname = deps.hostname ?? '0.0.0.0';
  const server = serve({ fetch: app.fetch, port: deps.config.web_port, hostname });
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(
        new WebServerError(`Web server cannot listen on ${hostname}:${deps.config.web_port}: ${error.message}`, {
          cause: error,
          context: { hostname, port: deps.config.web_port },
        }),
      );
    };
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
  server.on('error', (error) => logger.error({ err: errorMessage(error) }, 'web server error'));
  const shownHost = hostname === '0.0.0.0' || hostname === '::' ? '127.0.0.1' : hostname;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}/`;
  logger.info({ url, port: address.port }, 'web UI listening');

  let stopping: Promise<void> | null = null;
  const stop = async (): Promise<void> => {
    archive.stop();
    await hub.stop();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ('closeAllConnections' in server) server.closeAllConnections();
    });
    logger.info('web UI stopped');
  };
  return {
    port: address.port,
    url,
    stop: () => (stopping ??= stop()),
  };
}
