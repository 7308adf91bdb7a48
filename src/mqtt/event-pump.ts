import type { ContractEvent } from '../contract/index.js';
import type { Logger } from '../log/index.js';
import { errorMessage } from '../util/errors.js';
import type { CursorStore } from './cursor.js';
import type { EventLogTail } from '../contract/index.js';
import type { RetainedPublisher } from './publisher.js';
import type { Timers } from './timers.js';

/** One MQTT message derived from an event. */
export interface EventMessage {
  topic: string;
  payload: string;
  retain: boolean;
}

export interface EventPumpOptions {
  source: EventLogTail;
  cursor: CursorStore;
  /** True once the session is set up (retained scan done); events wait until then. */
  canSend: () => boolean;
  publisher: RetainedPublisher;
  /** The messages for one event (state topic, event entity, legacy state…), in order. */
  messagesFor: (event: ContractEvent) => EventMessage[];
  /** Events older than this are skipped (not replayed) when catching up. */
  maxAgeMs: number;
  /** Events per batch: sent back to back, then the cursor moves to the last acknowledged one. */
  batchSize: number;
  timers: Timers;
  logger: Logger;
}

/**
 * Publishes events.jsonl in seq order, at QoS 1, and moves the saved cursor only after the
 * broker acknowledged a batch. A lost connection rewinds the reader to the cursor, so the next
 * connection resends from there: nothing lost, duplicates only within QoS 1 semantics.
 */
export class EventPump {
  #cursorSeq: number;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;

  constructor(
    private readonly options: EventPumpOptions,
    cursorSeq: number,
  ) {
    this.#cursorSeq = cursorSeq;
  }

  get cursorSeq(): number {
    return this.#cursorSeq;
  }

  /** Drain whatever is new; coalesces calls that arrive while a drain runs. */
  trigger(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = null;
    });
  }

  /** Resolves when the current drain (if any) has ended. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  stop(): void {
    this.#stopped = true;
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      try {
        await this.#drain();
      } catch (error) {
        this.options.logger.warn({ err: errorMessage(error) }, 'reading events.jsonl failed: %s', errorMessage(error));
      }
    } while (this.#again && !this.#stopped);
  }

  async #drain(): Promise<void> {
    const { source, cursor, logger, canSend } = this.options;
    while (!this.#stopped && canSend()) {
      const events = await source.readNew();
      if (events.length === 0) return;
      const oldest = this.options.timers.now() - this.options.maxAgeMs;
      let skipped = 0;
      for (let i = 0; i < events.length; i += this.options.batchSize) {
        const batch = events.slice(i, i + this.options.batchSize);
        const messages: EventMessage[] = [];
        for (const event of batch) {
          if (Date.parse(event.ts) < oldest) skipped++;
          else messages.push(...this.options.messagesFor(event));
        }
        try {
          await Promise.all(messages.map((m) => this.options.publisher.publishNow(m.topic, m.payload, m.retain)));
        } catch (error) {
          logger.debug({ err: errorMessage(error), after_seq: this.#cursorSeq }, 'events not confirmed; resending from seq %d after reconnect', this.#cursorSeq + 1);
          source.reset(this.#cursorSeq);
          return;
        }
        this.#cursorSeq = batch.at(-1)!.seq;
        cursor.save(this.#cursorSeq);
      }
      if (skipped > 0) logger.info({ skipped }, 'skipped %d events older than %d s (not replayed)', skipped, Math.round(this.options.maxAgeMs / 1000));
    }
  }
}
