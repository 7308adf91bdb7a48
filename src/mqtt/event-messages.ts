import { DriveStateSchema, JOB_EVENT_TYPES, type ContractEvent, type DriveState } from '../contract/index.js';
import type { EventMessage } from './event-pump.js';
import { serializePayload } from './stable-stringify.js';
import { ARCHIVE_EVENT_TYPES } from './hub-entities.js';
import type { EventPayload, Topics } from './topics.js';

export interface EventMessageContext {
  topics: Topics;
  drives: ReadonlySet<string>;
  /** The drive mirrored on the original tool's topics, or null when they are off. */
  legacyDrive: string | null;
}

export interface EventOutcome {
  messages: EventMessage[];
  /** For `state_changed`: the state the drive entered. */
  state: { drive: string; state: DriveState; ts: string } | null;
}

const JOB_EVENTS: ReadonlySet<string> = new Set(JOB_EVENT_TYPES);
const ARCHIVE_EVENTS: ReadonlySet<string> = new Set(ARCHIVE_EVENT_TYPES);

/**
 * Pure: the messages one contract event becomes. `state_changed` → the retained state topic
 * (every transition, in order); a job event → the HA event entity (`event_type` + the event data),
 * never retained (HA discards replayed retained events).
 */
export function eventMessages(event: ContractEvent, ctx: EventMessageContext): EventOutcome {
  if (event.drive === null && ARCHIVE_EVENTS.has(event.type)) {
    const payload: EventPayload = { ...event.data, seq: event.seq, ts: event.ts, event_type: event.type };
    return { messages: [{ topic: ctx.topics.archiveEvent, payload: serializePayload(payload), retain: false }], state: null };
  }
  const drive = event.drive;
  if (drive === null || !ctx.drives.has(drive)) return { messages: [], state: null };
  if (event.type === 'state_changed') {
    const to = DriveStateSchema.safeParse(event.data.to);
    if (!to.success) return { messages: [], state: null };
    const messages: EventMessage[] = [{ topic: ctx.topics.state(drive), payload: to.data, retain: true }];
    if (ctx.legacyDrive === drive) messages.push({ topic: ctx.topics.legacy.state, payload: to.data, retain: true });
    return { messages, state: { drive, state: to.data, ts: event.ts } };
  }
  if (!JOB_EVENTS.has(event.type)) return { messages: [], state: null };
  const payload: EventPayload = { ...event.data, drive, seq: event.seq, ts: event.ts, event_type: event.type };
  return { messages: [{ topic: ctx.topics.event(drive), payload: serializePayload(payload), retain: false }], state: null };
}
