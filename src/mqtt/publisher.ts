import type { Logger } from '../log/index.js';
import { errorMessage } from '../util/errors.js';
import type { MqttConnection } from './connection.js';

/**
 * The retained topics we want on the broker (`desired`) and what we believe it holds (`sent`).
 * `set()` publishes only a difference, and only while the session is live; otherwise (no
 * connection, or a session still being set up: scan, discovery, replay of missed events) it
 * only records the wish, and the session's `flush()`/`flushAll()` send what the broker lacks.
 */
export class RetainedPublisher {
  readonly #desired = new Map<string, string>();
  #sent = new Map<string, string>();
  #live = false;

  constructor(
    private readonly connection: MqttConnection,
    private readonly logger: Logger,
  ) {}

  get desiredTopics(): ReadonlySet<string> {
    return new Set(this.#desired.keys());
  }

  desired(topic: string): string | undefined {
    return this.#desired.get(topic);
  }

  get live(): boolean {
    return this.#live && this.connection.connected;
  }

  /** The session is set up: from now on `set()` publishes at once. */
  open(): void {
    this.#live = true;
  }

  /** The connection is gone (or a new session begins): `set()` only records until `open()`. */
  hold(): void {
    this.#live = false;
  }

  set(topic: string, payload: string): void {
    this.#desired.set(topic, payload);
    if (this.live && this.#sent.get(topic) !== payload) void this.#send(topic, payload);
  }

  /** No longer ours: cleared on the broker with an empty retained message. */
  remove(topic: string): void {
    this.#desired.delete(topic);
    const held = this.#sent.get(topic);
    if (held !== undefined && held !== '' && this.live) void this.#send(topic, '');
  }

  /** Publishes now and waits for the PUBACK (event-driven messages, in order). */
  async publishNow(topic: string, payload: string, retain: boolean): Promise<void> {
    if (retain) {
      this.#desired.set(topic, payload);
      this.#sent.set(topic, payload);
    }
    try {
      await this.connection.publish(topic, payload, retain);
    } catch (error) {
      if (retain && this.#sent.get(topic) === payload) this.#sent.delete(topic);
      throw error;
    }
  }

  /** After a (re)connect: what the broker holds, as found by the retained scan. */
  prime(held: ReadonlyMap<string, string>): void {
    this.#sent = new Map(held);
  }

  /** Forget what the broker holds for `topics`, so the next flush sends them again (HA birth). */
  forget(topics: Iterable<string>): void {
    for (const topic of topics) this.#sent.delete(topic);
  }

  /** Sends every desired topic the broker does not hold; resolves when all are acknowledged. */
  async flushAll(): Promise<number> {
    return this.flush(() => true);
  }

  /** Like `flushAll()`, for the desired topics that `which` selects (discovery before the rest). */
  async flush(which: (topic: string) => boolean): Promise<number> {
    const pending: Array<Promise<void>> = [];
    for (const [topic, payload] of this.#desired) {
      if (which(topic) && this.#sent.get(topic) !== payload) pending.push(this.#send(topic, payload));
    }
    await Promise.all(pending);
    return pending.length;
  }

  #send(topic: string, payload: string): Promise<void> {
    this.#sent.set(topic, payload);
    return this.connection.publish(topic, payload, true).catch((error: unknown) => {
      // Not held after all; the flush after the next connect sends it again.
      if (this.#sent.get(topic) === payload) this.#sent.delete(topic);
      this.logger.debug({ topic, err: errorMessage(error) }, 'publish to %s not confirmed: %s', topic, errorMessage(error));
    });
  }
}
