import { request, type IncomingHttpHeaders, type ClientRequest } from 'node:http';

export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

/** A minimal SSE reader over node:http, so tests see the raw headers and every frame. */
export class SseClient {
  readonly messages: SseMessage[] = [];
  headers: IncomingHttpHeaders = {};
  status = 0;
  ended = false;
  #req: ClientRequest | null = null;
  #buffer = '';

  constructor(
    private readonly url: string,
    private readonly options: { localAddress?: string; headers?: Record<string, string> } = {},
  ) {}

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = request(this.url, { headers: { accept: 'text/event-stream', ...this.options.headers }, localAddress: this.options.localAddress }, (res) => {
        this.status = res.statusCode ?? 0;
        this.headers = res.headers;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => this.#feed(chunk));
        res.on('end', () => (this.ended = true));
        res.on('close', () => (this.ended = true));
        res.on('error', () => (this.ended = true));
        resolve();
      });
      req.on('error', (error) => {
        this.ended = true;
        reject(error);
      });
      req.end();
      this.#req = req;
    });
  }

  #feed(chunk: string): void {
    this.#buffer += chunk;
    let end: number;
    while ((end = this.#buffer.indexOf('\n\n')) >= 0) {
      const frame = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      const message: SseMessage = { event: 'message', data: '' };
      const data: string[] = [];
      for (const line of frame.split('\n')) {
        const colon = line.indexOf(':');
        if (colon === 0) continue;
        const key = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (key === 'event') message.event = value;
        else if (key === 'data') data.push(value);
        else if (key === 'id') message.id = value;
      }
      message.data = data.join('\n');
      this.messages.push(message);
    }
  }

  of(event: string): unknown[] {
    return this.messages.filter((m) => m.event === event).map((m) => JSON.parse(m.data) as unknown);
  }

  close(): void {
    this.#req?.destroy();
  }
}
