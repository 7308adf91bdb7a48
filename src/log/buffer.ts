import { Writable } from 'node:stream';

export interface LogLine {
  readonly time: number;
  readonly level: number;
  readonly ns: string | null;
  readonly msg: string;
  readonly raw: string;
}

/** Keeps the most recent log lines in memory, for the web UI's log page. */
export class LogBuffer {
  #lines: LogLine[] = [];

  constructor(private readonly capacity = 1000) {}

  push(raw: string): void {
    let line: LogLine;
    try {
      const record = JSON.parse(raw) as { time?: unknown; level?: unknown; ns?: unknown; msg?: unknown };
      line = {
        time: typeof record.time === 'number' ? record.time : Date.now(),
        level: typeof record.level === 'number' ? record.level : 30,
        ns: typeof record.ns === 'string' ? record.ns : null,
        msg: typeof record.msg === 'string' ? record.msg : '',
        raw,
      };
    } catch {
      line = { time: Date.now(), level: 30, ns: null, msg: raw, raw };
    }
    this.#lines.push(line);
    if (this.#lines.length > this.capacity) this.#lines.splice(0, this.#lines.length - this.capacity);
  }

  /** Newest last; `minLevel` in pino numbers (30 = info). */
  recent(limit = 200, minLevel = 0): LogLine[] {
    return this.#lines.filter((l) => l.level >= minLevel).slice(-limit);
  }

  stream(): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        for (const raw of chunk.toString('utf8').split('\n')) if (raw.length > 0) this.push(raw);
        callback();
      },
    });
  }
}
