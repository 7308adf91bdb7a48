import { randomBytes } from 'node:crypto';
import type { IPublishPacket } from 'mqtt';
import type { MqttConnection } from './connection.js';
import type { Timers } from './timers.js';

/**
 * Collects the retained messages the broker holds under `filters`. After subscribing, a
 * non-retained marker is published to `markerTopic` (under one of the filters' reach or its own
 * subscription): the broker sends a subscription's retained messages right after its SUBACK, so
 * once the marker comes back they have all arrived. `timeoutMs` bounds the wait for brokers that
 * behave otherwise.
 */
export async function scanRetained(
  connection: MqttConnection,
  filters: readonly string[],
  markerBase: string,
  timeoutMs: number,
  timers: Timers,
): Promise<Map<string, string>> {
  const marker = `${markerBase}/scan_${randomBytes(6).toString('hex')}`;
  const found = new Map<string, string>();
  let done!: () => void;
  const markerSeen = new Promise<void>((resolve) => {
    done = resolve;
  });
  const onMessage = (topic: string, payload: Buffer, packet: IPublishPacket) => {
    if (topic === marker) done();
    else if (packet.retain) found.set(topic, payload.toString('utf8'));
  };
  connection.events.on('message', onMessage);
  const timer = timers.setTimeout(done, timeoutMs);
  try {
    await connection.subscribe([...filters, marker]);
    await connection.publish(marker, '', false);
    await markerSeen;
  } finally {
    timers.clearTimeout(timer);
    connection.events.off('message', onMessage);
  }
  await connection.unsubscribe([...filters, marker]).catch(() => undefined);
  return found;
}
