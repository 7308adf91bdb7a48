import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface IngressProxy {
  /** Base URL under the prefix, with a trailing slash, like HA's ingress iframe. */
  readonly url: string;
  readonly prefix: string;
  stop(): Promise<void>;
}

/**
 * A loopback stand-in for Home Assistant's ingress: strips `/api/hassio_ingress/<token>`,
 * adds X-Ingress-Path, keeps the browser's Host header (as HA does) and streams responses.
 * With `bufferEvents`, it holds event streams back like old ingress proxies that buffer them.
 */
export async function startIngressProxy(target: string, options: { token?: string; bufferEvents?: boolean } = {}): Promise<IngressProxy> {
  const prefix = `/api/hassio_ingress/${options.token ?? 'Tok3n_x'}`;
  const upstreamBase = new URL(target);
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (!url.startsWith(`${prefix}/`)) {
      res.writeHead(404).end('not an ingress path');
      return;
    }
    const path = url.slice(prefix.length);
    const upstream = request(
      { host: upstreamBase.hostname, port: upstreamBase.port, path, method: req.method, headers: { ...req.headers, 'x-ingress-path': prefix } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        if (options.bufferEvents && path.startsWith('/api/events')) {
          up.resume(); // swallowed until the stream ends, as a buffering proxy would
          up.on('end', () => res.end());
          return;
        }
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${prefix}/`,
    prefix,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
