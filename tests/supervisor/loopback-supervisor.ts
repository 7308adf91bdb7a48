import { createServer, type Server, type ServerResponse } from 'node:http';

export interface SupervisorRequest {
  path: string;
  authorization: string | undefined;
}

type Handler = (path: string, res: ServerResponse) => void;

/** A loopback HTTP server that answers like the Supervisor (or hangs, or fails, on request). */
export class LoopbackSupervisor {
  readonly requests: SupervisorRequest[] = [];
  handler: Handler = (path, res) => this.notFound(res);

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<LoopbackSupervisor> {
    let self: LoopbackSupervisor | null = null;
    const server = createServer((req, res) => {
      self?.requests.push({ path: req.url ?? '', authorization: req.headers.authorization });
      self?.handler(req.url ?? '', res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    self = new LoopbackSupervisor(server, `http://127.0.0.1:${port}`);
    return self;
  }

  static ok(res: ServerResponse, data: unknown): void {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result: 'ok', data }));
  }

  static error(res: ServerResponse, status: number, message: string): void {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ result: 'error', message }));
  }

  notFound(res: ServerResponse): void {
    LoopbackSupervisor.error(res, 404, 'not found');
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
