import { open, readFile, rename, stat, mkdir, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EventSchema, type ContractEvent, type EventType } from './schema.js';

export interface EventLogFiles {
  readonly events: string;
  readonly eventsRotated: string;
}

/** Parses the complete lines of an events.jsonl text; a torn last line or a bad line is skipped. */
export function parseEventLines(text: string): ContractEvent[] {
  const events: ContractEvent[] = [];
  const end = text.lastIndexOf('\n');
  if (end < 0) return events;
  for (const line of text.slice(0, end).split('\n')) {
    if (line.length === 0) continue;
    try {
      const parsed = EventSchema.safeParse(JSON.parse(line));
      if (parsed.success) events.push(parsed.data);
    } catch {
      // A line that is not JSON (disk trouble, hand edits) is skipped, not fatal.
    }
  }
  return events;
}

async function readTextOrEmpty(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

/** The highest `seq` of any line that is a JSON object with an integer `seq`, whatever its type. */
function highestSeq(text: string): number {
  let highest = 0;
  for (const line of text.split('\n')) {
    if (!line.includes('"seq"')) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === 'object' && value !== null && 'seq' in value && Number.isSafeInteger(value.seq)) {
        highest = Math.max(highest, Number(value.seq));
      }
    } catch {
      // A torn line: its seq was never seen by a watcher as a complete event.
    }
  }
  return highest;
}

/** All events with `seq > afterSeq` still on disk (rotated generation first), in order. */
export async function readEventsAfter(files: EventLogFiles, afterSeq: number): Promise<ContractEvent[]> {
  const older = parseEventLines(await readTextOrEmpty(files.eventsRotated));
  const current = parseEventLines(await readTextOrEmpty(files.events));
  return [...older, ...current].filter((event) => event.seq > afterSeq).sort((a, b) => a.seq - b.seq);
}

/**
 * Append-only writer of events.jsonl. `seq` is assigned when `append` is called, so the file
 * order is the call order even when writes overlap; when the file would pass `maxBytes` it is
 * rotated to events.1.jsonl (one generation kept).
 */
export class EventLogWriter {
  #lastSeq = 0;
  #size = 0;
  #handle: FileHandle | null = null;
  #queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly files: EventLogFiles,
    private readonly maxBytes: number,
  ) {}

  get lastSeq(): number {
    return this.#lastSeq;
  }

  /**
   * Continues after the highest `seq` on disk, counting lines this version cannot read (a newer
   * event type) too, so `seq` never goes backwards. A torn last line (a crash mid-write) is
   * closed with a newline and left in place: the next event starts on a line of its own.
   */
  async start(): Promise<void> {
    await mkdir(dirname(this.files.events), { recursive: true });
    const older = await readTextOrEmpty(this.files.eventsRotated);
    const current = await readTextOrEmpty(this.files.events);
    this.#lastSeq = Math.max(highestSeq(older), highestSeq(current));
    this.#handle = await open(this.files.events, 'a');
    if (current.length > 0 && !current.endsWith('\n')) await this.#handle.write('\n');
    this.#size = (await stat(this.files.events)).size;
  }

  append(drive: string | null, type: EventType, data: Record<string, unknown> = {}): Promise<ContractEvent> {
    const event: ContractEvent = { seq: ++this.#lastSeq, ts: new Date().toISOString(), drive, type, data };
    const line = `${JSON.stringify(event)}\n`;
    const written = this.#queue.then(() => this.#write(line));
    this.#queue = written.catch(() => undefined);
    return written.then(() => event);
  }

  async #write(line: string): Promise<void> {
    if (!this.#handle) throw new Error('EventLogWriter used before start()');
    const bytes = Buffer.byteLength(line);
    if (this.#size > 0 && this.#size + bytes > this.maxBytes) await this.#rotate();
    await this.#handle.write(line);
    this.#size += bytes;
  }

  async #rotate(): Promise<void> {
    await this.#handle?.close();
    await rename(this.files.events, this.files.eventsRotated);
    this.#handle = await open(this.files.events, 'a');
    this.#size = 0;
  }

  /** Waits for queued lines, then closes the file. */
  async stop(): Promise<void> {
    await this.#queue;
    await this.#handle?.close();
    this.#handle = null;
  }
}
