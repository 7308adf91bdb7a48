import { open, stat, type FileHandle } from 'node:fs/promises';
import { parseEventLines, type EventLogFiles } from './event-log.js';
import type { ContractEvent } from './schema.js';

interface Position {
  ino: number;
  offset: number;
}

interface Chunk {
  events: ContractEvent[];
  /** Offset just after the last complete line read. */
  consumed: number;
  ino: number;
  size: number;
}

async function readFrom(path: string, offset: number): Promise<Chunk | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch {
    return null;
  }
  try {
    const { ino, size } = await handle.stat();
    if (size <= offset) return { events: [], consumed: offset, ino, size };
    const buffer = Buffer.alloc(size - offset);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
    const end = buffer.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (end < 0) return { events: [], consumed: offset, ino, size };
    return { events: parseEventLines(buffer.subarray(0, end + 1).toString('utf8')), consumed: offset + end + 1, ino, size };
  } finally {
    await handle.close();
  }
}

async function inodeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).ino;
  } catch {
    return null;
  }
}

/**
 * Incremental reader of events.jsonl for a long-running watcher: each `readNew()` reads only the
 * bytes appended since the last call (not the whole file), follows a rotation to events.1.jsonl,
 * leaves a torn last line for the next call and returns the events with `seq > lastSeq`, in order.
 */
export class EventLogTail {
  #lastSeq: number;
  #position: Position | null = null;

  constructor(
    private readonly files: EventLogFiles,
    afterSeq: number,
  ) {
    this.#lastSeq = afterSeq;
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Forget the read position: the next `readNew()` re-reads everything after `afterSeq`. */
  reset(afterSeq: number): void {
    this.#lastSeq = afterSeq;
    this.#position = null;
  }

  async readNew(): Promise<ContractEvent[]> {
    let events = await this.#incremental();
    // A gap in seq after an incremental read means the position was wrong (e.g. two rotations
    // between reads); one full read of both generations settles it.
    if (events !== null && events.length > 0 && this.#lastSeq > 0 && events[0]!.seq !== this.#lastSeq + 1) events = null;
    events ??= await this.#full();
    const out: ContractEvent[] = [];
    for (const event of events.filter((e) => e.seq > this.#lastSeq).sort((a, b) => a.seq - b.seq)) {
      if (out.at(-1)?.seq !== event.seq) out.push(event);
    }
    const last = out.at(-1);
    if (last) this.#lastSeq = last.seq;
    return out;
  }

  /** Null when the incremental position cannot be trusted. */
  async #incremental(): Promise<ContractEvent[] | null> {
    const position = this.#position;
    if (!position) return null;
    const current = await readFrom(this.files.events, position.offset);
    if (current && current.ino === position.ino && current.size >= position.offset) {
      this.#position = { ino: current.ino, offset: current.consumed };
      return current.events;
    }
    // Rotated: the file we were reading is now events.1.jsonl; finish it, then read the new one.
    const rotatedIno = await inodeOf(this.files.eventsRotated);
    if (rotatedIno !== position.ino) return null;
    const rotated = await readFrom(this.files.eventsRotated, position.offset);
    const fresh = await readFrom(this.files.events, 0);
    this.#position = fresh ? { ino: fresh.ino, offset: fresh.consumed } : null;
    return [...(rotated?.events ?? []), ...(fresh?.events ?? [])];
  }

  async #full(): Promise<ContractEvent[]> {
    const rotated = await readFrom(this.files.eventsRotated, 0);
    const current = await readFrom(this.files.events, 0);
    this.#position = current ? { ino: current.ino, offset: current.consumed } : null;
    return [...(rotated?.events ?? []), ...(current?.events ?? [])];
  }

  /** The highest seq on disk (both generations), e.g. to notice that the core's log was reset. */
  async maxSeqOnDisk(): Promise<number> {
    const a = await readFrom(this.files.eventsRotated, 0);
    const b = await readFrom(this.files.events, 0);
    let max = 0;
    for (const e of [...(a?.events ?? []), ...(b?.events ?? [])]) if (e.seq > max) max = e.seq;
    return max;
  }
}
