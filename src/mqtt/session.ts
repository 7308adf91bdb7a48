import type { Logger } from '../log/index.js';
import { Disk2isoError } from '../util/errors.js';
import type { MqttConnection } from './connection.js';
import { isOurDiscovery, removalPayload } from './discovery.js';
import type { DeviceDiscoveryPayload } from './discovery-types.js';
import type { RetainedPublisher } from './publisher.js';
import { scanRetained } from './retained-scan.js';
import { serializePayload } from './stable-stringify.js';
import type { Timers } from './timers.js';
import { LEGACY_BASE, type Topics } from './topics.js';

export interface SessionContext {
  connection: MqttConnection;
  publisher: RetainedPublisher;
  topics: Topics;
  /** True for every topic this bridge may publish with its current options and drives. */
  isComputed: (topic: string) => boolean;
  scanTimeoutMs: number;
  timers: Timers;
  logger: Logger;
}

export interface SessionSummary {
  published: number;
  unchanged: number;
  cleared: number;
}

/**
 * Runs after every (re)connect, before anything else is published: reads what the broker holds
 * under our topics, clears retained messages of ours that are no longer computed (a drive removed
 * from the options, the legacy topics switched off, a stale retained command), removes entities
 * that a device no longer has, and tells the publisher what the broker holds. The caller then
 * publishes in order (discovery, missed events, the snapshot) and subscribes to commands.
 */
export async function startSession(ctx: SessionContext): Promise<Omit<SessionSummary, 'published'>> {
  const { connection, publisher, topics, logger } = ctx;
  const generation = connection.generation;
  const legacyTopics = new Set(Object.values(topics.legacy));
  const filters = [topics.hubDiscovery, topics.discoveryWildcard, `${topics.base}/#`, `${LEGACY_BASE}/+`];
  const held = await scanRetained(connection, filters, `${topics.base}/bridge`, ctx.scanTimeoutMs, ctx.timers);
  // The connection dropped and came back during the scan: that newer session does the work.
  if (connection.generation !== generation || !connection.connected) throw new StaleSessionError();
  const keep = new Map<string, string>();
  let cleared = 0;
  for (const [topic, payload] of held) {
    if (payload === '') continue;
    if (ctx.isComputed(topic)) {
      keep.set(topic, payload);
      const wanted = publisher.desired(topic);
      if (wanted !== undefined && topic.endsWith('/config')) await removeStaleComponents(ctx, topic, payload, wanted);
      continue;
    }
    const ours = topic.startsWith(`${topics.base}/`) || legacyTopics.has(topic) || isOurDiscoveryText(payload);
    if (!ours) continue;
    logger.info({ topic }, 'clearing the retained %s (no longer published)', topic);
    await connection.publish(topic, '', true);
    cleared++;
  }
  if (connection.generation !== generation) throw new StaleSessionError();
  publisher.prime(keep);
  return { unchanged: keep.size, cleared };
}

/** Thrown when a session setup outlived its connection. */
export class StaleSessionError extends Disk2isoError {
  constructor() {
    super('the MQTT connection changed while the session was being set up');
  }
}

function isOurDiscoveryText(payload: string): boolean {
  try {
    return isOurDiscovery(JSON.parse(payload));
  } catch {
    return false;
  }
}

/** HA removes one component of a device only when it is sent once as `{platform}`; the full config follows. */
async function removeStaleComponents(ctx: SessionContext, topic: string, held: string, wanted: string): Promise<void> {
  let stub: DeviceDiscoveryPayload | null;
  try {
    stub = removalPayload(JSON.parse(held), JSON.parse(wanted) as DeviceDiscoveryPayload);
  } catch {
    return;
  }
  if (!stub) return;
  ctx.logger.info({ topic, removed: Object.keys(stub.components).filter((k) => !(k in (JSON.parse(wanted) as DeviceDiscoveryPayload).components)) }, 'removing entities that no longer exist from %s', topic);
  await ctx.connection.publish(topic, serializePayload(stub), true);
}
