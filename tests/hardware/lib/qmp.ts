import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';

/** An asynchronous QMP event ({ event, data, timestamp }). */
export interface QmpEvent {
  readonly event: string;
  readonly data: Record<string, unknown>;
  readonly timestamp?: { seconds: number; microseconds: number };
}

class QmpError extends Error {
  constructor(
    readonly command: string,
    readonly errorClass: string,
    readonly desc: string,
  ) {
    super(`QMP ${command} failed: ${errorClass}: ${desc}`);
    this.name = 'QmpError';
  }
}

interface Pending {
  readonly command: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

/**
 * A client of QEMU's machine protocol over its unix socket: line-delimited JSON, commands matched
 * to replies by `id`, events recorded (all of them, so a test can wait for one that already came).
 */
export class QmpClient {
  readonly events: QmpEvent[] = [];
  readonly #emitter = new EventEmitter<{ event: [QmpEvent] }>();
  readonly #pending = new Map<string, Pending>();
  #nextId = 1;
  #buffer = '';

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.#onData(chunk));
    socket.on('close', () => {
      for (const pending of this.#pending.values()) pending.reject(new Error(`QMP closed during ${pending.command}`));
      this.#pending.clear();
    });
    socket.on('error', () => undefined);
  }

  /** Connects (retrying until QEMU has created the socket) and negotiates capabilities. */
  static async connect(path: string, timeoutMs = 30_000): Promise<QmpClient> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = connect(path, () => resolve(s));
          s.once('error', reject);
        });
        const client = new QmpClient(socket);
        await client.#greeting();
        await client.execute('qmp_capabilities');
        return client;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  #greetingResolve: (() => void) | null = null;

  #greeting(): Promise<void> {
    return new Promise((resolve) => (this.#greetingResolve = resolve));
  }

  #onData(chunk: string): void {
    this.#buffer += chunk;
    let newline = this.#buffer.indexOf('\n');
    while (newline >= 0) {
      const line = this.#buffer.slice(0, newline).trim();
      this.#buffer = this.#buffer.slice(newline + 1);
      newline = this.#buffer.indexOf('\n');
      if (line === '') continue;
      const message = JSON.parse(line) as Record<string, unknown>;
      if ('QMP' in message) {
        this.#greetingResolve?.();
      } else if (typeof message.event === 'string') {
        const event = message as unknown as QmpEvent;
        this.events.push(event);
        this.#emitter.emit('event', event);
      } else if (typeof message.id === 'string') {
        const pending = this.#pending.get(message.id);
        if (!pending) continue;
        this.#pending.delete(message.id);
        const error = message.error as { class?: string; desc?: string } | undefined;
        if (error) pending.reject(new QmpError(pending.command, error.class ?? 'Error', error.desc ?? ''));
        else pending.resolve(message.return);
      }
    }
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    const id = `c${this.#nextId++}`;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { command, resolve: (v) => resolve(v as T), reject });
      this.socket.write(`${JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id })}\n`);
    });
  }

  /** Resolves the first event (recorded after `since`, an index into `events`) that matches. */
  waitForEvent(name: string, match: (data: Record<string, unknown>) => boolean = () => true, options: { since?: number; timeoutMs?: number } = {}): Promise<QmpEvent> {
    const found = this.events.slice(options.since ?? 0).find((e) => e.event === name && match(e.data));
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#emitter.off('event', listener);
        reject(new Error(`no QMP event ${name} within ${options.timeoutMs ?? 60_000} ms`));
      }, options.timeoutMs ?? 60_000);
      const listener = (event: QmpEvent) => {
        if (event.event !== name || !match(event.data)) return;
        clearTimeout(timer);
        this.#emitter.off('event', listener);
        resolve(event);
      };
      this.#emitter.on('event', listener);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
