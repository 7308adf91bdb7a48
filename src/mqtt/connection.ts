import { EventEmitter } from 'node:events';
import { createConnection, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { createRequire } from 'node:module';
import type { IClientOptions, IPublishPacket, MqttClient } from 'mqtt';
import type { Logger } from '../log/index.js';
import { Disk2isoError, errorMessage } from '../util/errors.js';
import type { BrokerSettings } from './broker.js';
import type { Timers } from './timers.js';

/**
 * The client class alone: mqtt's index loads every transport (WebSocket, SOCKS, …) the bridge
 * never uses, several MB of resident memory (target < 50 MB); TCP and TLS streams are built in
 * `#attempt`. require() because the package is CommonJS with a `default` export.
 */
const MqttClientClass = (createRequire(import.meta.url)('mqtt/lib/client') as { default: typeof MqttClient }).default;

export interface ConnectionEvents {
  connected: [];
  disconnected: [];
  message: [topic: string, payload: Buffer, packet: IPublishPacket];
}

export interface Backoff {
  /** First retry delay; doubles per failed attempt up to `maxMs` (with ±25 % jitter). */
  minMs: number;
  maxMs: number;
}

export interface ConnectionOptions {
  settings: BrokerSettings;
  clientId: string;
  will: { topic: string; payload: string };
  keepaliveS: number;
  connectTimeoutMs: number;
  backoff: Backoff;
  timers: Timers;
  random: () => number;
  logger: Logger;
}

/** Thrown by `publish()` and friends when there is no connection; the caller retries later. */
class NotConnectedError extends Disk2isoError {
  constructor(operation: string, topic: string) {
    super(`cannot ${operation} ${topic}: not connected to the MQTT broker`, { context: { topic } });
  }
}

export function retryDelay(failures: number, backoff: Backoff, random: () => number): number {
  const base = Math.min(backoff.maxMs, backoff.minMs * 2 ** Math.min(failures, 20));
  return Math.round(base * (0.75 + random() * 0.5));
}

/**
 * One MQTT session at a time with our own retry loop: every attempt is a fresh client, and a lost
 * connection rejects every unacknowledged publish, so the caller (not a hidden queue) decides what
 * to send again. Last Will `offline` (retained, QoS 1) on the bridge availability topic.
 */
export class MqttConnection {
  readonly events = new EventEmitter<ConnectionEvents>();
  #client: MqttClient | null = null;
  #connected = false;
  #stopped = false;
  #failures = 0;
  #retryTimer: unknown = null;
  #lastError: string | null = null;
  #generation = 0;

  constructor(private readonly options: ConnectionOptions) {}

  get connected(): boolean {
    return this.#connected;
  }

  /** Counts connections: work begun for one session can tell that it is stale. */
  get generation(): number {
    return this.#generation;
  }

  start(): void {
    this.#attempt();
  }

  /** QoS 1 publish; resolves on PUBACK, rejects when the connection is lost first. */
  async publish(topic: string, payload: string, retain: boolean): Promise<void> {
    const client = this.#client;
    if (!client || !this.#connected) throw new NotConnectedError('publish to', topic);
    await client.publishAsync(topic, payload, { qos: 1, retain });
  }

  async subscribe(topics: readonly string[]): Promise<void> {
    const client = this.#client;
    if (!client || !this.#connected) throw new NotConnectedError('subscribe to', topics.join(', '));
    await client.subscribeAsync([...topics], { qos: 1 });
  }

  async unsubscribe(topics: readonly string[]): Promise<void> {
    const client = this.#client;
    if (!client || !this.#connected) return;
    await client.unsubscribeAsync([...topics]);
  }

  /**
   * Publishes `final` (e.g. availability `offline`) if connected, then disconnects cleanly.
   * Bounded by `timeoutMs`; after that the socket is dropped.
   */
  async stop(final: ReadonlyArray<{ topic: string; payload: string }>, timeoutMs = 3000): Promise<void> {
    this.#stopped = true;
    if (this.#retryTimer !== null) this.options.timers.clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    const client = this.#client;
    if (!client) return;
    const work = (async () => {
      if (this.#connected) {
        await Promise.all(final.map((m) => client.publishAsync(m.topic, m.payload, { qos: 1, retain: true })));
        await client.endAsync(false);
      } else {
        await client.endAsync(true);
      }
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const outcome = await Promise.race([work.then(() => 'done' as const), timeout]);
      if (outcome === 'timeout') {
        this.options.logger.warn('the broker did not confirm the shutdown within %d ms; closing the connection', timeoutMs);
        client.end(true);
      }
    } catch (error) {
      this.options.logger.warn({ err: errorMessage(error) }, 'clean MQTT disconnect failed: %s', errorMessage(error));
      client.end(true);
    } finally {
      clearTimeout(timer);
      this.#connected = false;
      this.#client = null;
    }
  }

  #attempt(): void {
    if (this.#stopped) return;
    const { settings } = this.options;
    const clientOptions: IClientOptions = {
      protocol: settings.tls ? 'mqtts' : 'mqtt',
      host: settings.host,
      hostname: settings.host,
      port: settings.port,
      protocolVersion: settings.protocolVersion,
      clientId: this.options.clientId,
      clean: true,
      keepalive: this.options.keepaliveS,
      connectTimeout: this.options.connectTimeoutMs,
      // Our own retry loop (backoff, fresh client); MQTT.js would retry at a fixed period.
      reconnectPeriod: 0,
      resubscribe: false,
      queueQoSZero: false,
      // mqtt-packet would pre-build 65,536 two-byte Buffers (~7 MB of heap) to save a few
      // allocations per packet; the bridge sends a handful per second (RSS target < 50 MB).
      writeCache: false,
      will: { topic: this.options.will.topic, payload: Buffer.from(this.options.will.payload), qos: 1, retain: true },
      ...(settings.username !== undefined ? { username: settings.username } : {}),
      ...(settings.password !== undefined ? { password: settings.password } : {}),
    };
    const client = new MqttClientClass(
      () =>
        settings.tls
          ? tlsConnect({
              host: settings.host,
              port: settings.port,
              servername: isIP(settings.host) ? undefined : settings.host,
              rejectUnauthorized: true,
              ...(settings.ca ? { ca: settings.ca } : {}),
            })
          : createConnection({ host: settings.host, port: settings.port }),
      clientOptions,
    );
    this.#client = client;
    client.on('connect', () => {
      if (client !== this.#client || this.#stopped) return;
      this.#connected = true;
      this.#generation++;
      if (this.#failures > 0 || this.#lastError) this.options.logger.info('connected to the MQTT broker again');
      this.#failures = 0;
      this.#lastError = null;
      this.events.emit('connected');
    });
    client.on('message', (topic, payload, packet) => {
      if (client === this.#client) this.events.emit('message', topic, payload, packet);
    });
    client.on('error', (error) => {
      if (client !== this.#client) return;
      const message = errorMessage(error);
      // One warning per distinct problem; a broker that stays down is not a log flood.
      if (message !== this.#lastError) this.options.logger.warn({ err: message }, 'MQTT broker: %s', message);
      else this.options.logger.debug({ err: message }, 'MQTT broker: %s', message);
      this.#lastError = message;
    });
    client.on('close', () => {
      if (client !== this.#client) return;
      const wasConnected = this.#connected;
      this.#connected = false;
      this.#client = null;
      // Rejects every publish still waiting for its PUBACK, so nothing waits on a dead session.
      client.end(true);
      if (this.#stopped) return;
      if (wasConnected) {
        this.options.logger.warn('lost the connection to the MQTT broker; reconnecting');
        this.events.emit('disconnected');
      }
      const delay = retryDelay(this.#failures, this.options.backoff, this.options.random);
      this.#failures++;
      this.options.logger.debug({ delay_ms: delay, failures: this.#failures }, 'next MQTT connection attempt in %d ms', delay);
      this.#retryTimer = this.options.timers.setTimeout(() => {
        this.#retryTimer = null;
        this.#attempt();
      }, delay);
    });
  }
}
