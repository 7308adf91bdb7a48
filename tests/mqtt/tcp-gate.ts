import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of the broker, for fault tests: `close()` refuses new connections (like a
 * broker that is down), `cut()` drops the live ones without an MQTT DISCONNECT (the broker then
 * sends the Last Will), `latencyMs` delays every chunk (a slow broker).
 */
export class TcpGate {
  #server: Server | null = null;
  readonly #sockets = new Set<Socket>();
  latencyMs = 0;

  private constructor(
    readonly port: number,
    private readonly target: () => number,
  ) {}

  static async start(port: number, target: () => number): Promise<TcpGate> {
    const gate = new TcpGate(port, target);
    await gate.open();
    return gate;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async open(): Promise<void> {
    if (this.#server) return;
    const server = createServer((client) => {
      const upstream = connect({ port: this.target(), host: '127.0.0.1' });
      this.#sockets.add(client).add(upstream);
      const pipe = (from: Socket, to: Socket) => {
        from.on('data', (chunk) => {
          if (this.latencyMs > 0) setTimeout(() => to.writable && to.write(chunk), this.latencyMs);
          else if (to.writable) to.write(chunk);
        });
        from.on('close', () => {
          this.#sockets.delete(from);
          setTimeout(() => to.destroy(), this.latencyMs);
        });
        from.on('error', () => undefined);
      };
      pipe(client, upstream);
      pipe(upstream, client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
  }

  /** Drops every live connection abruptly. */
  cut(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  /** Refuses new connections and drops the live ones. */
  async close(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    this.cut();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
