import {
  AttributesSchema,
  CONTROL_HEADER,
  DriveStatusSchema,
  EventSchema,
  HistorySchema,
  ProgressSchema,
  type Attributes,
  type ContractEvent,
  type DriveState,
  type DriveStatus,
  type History,
  type HistoryEntry,
  type Progress,
} from '../../../src/contract/index.js';
import { waitFor } from '../../helpers/wait.js';
import { getBytes, GUEST_FILES_PORT, GUEST_WEB_PORT } from './rig.js';
import type { Vm } from './vm.js';

/** Where the rig's guest keeps its output (served by busybox httpd as /out). */
const GUEST_OUTPUT_DIR = '/media/disk2iso';

/**
 * Reads the core's /data/api contract files inside the guest over HTTP (busybox httpd serves
 * them as /api/…), validated with the contract's own schemas, and sends control commands to the
 * core's web server.
 */
export class GuestContract {
  constructor(
    private readonly vm: Vm,
    readonly driveId = 'sr0',
  ) {}

  async #json(path: string): Promise<unknown> {
    const bytes = await getBytes(this.vm.url(GUEST_FILES_PORT, path), 30_000);
    return bytes === null ? null : (JSON.parse(bytes.toString('utf8')) as unknown);
  }

  async status(): Promise<DriveStatus | null> {
    const raw = await this.#json(`/api/drives/${this.driveId}/status.json`);
    return raw === null ? null : DriveStatusSchema.parse(raw);
  }

  async progress(): Promise<Progress | null> {
    const raw = await this.#json(`/api/drives/${this.driveId}/progress.json`);
    return raw === null ? null : ProgressSchema.parse(raw);
  }

  async attributes(): Promise<Attributes | null> {
    const raw = await this.#json(`/api/drives/${this.driveId}/attributes.json`);
    return raw === null ? null : AttributesSchema.parse(raw);
  }

  async history(): Promise<History | null> {
    const raw = await this.#json('/api/history.json');
    return raw === null ? null : HistorySchema.parse(raw);
  }

  async events(): Promise<ContractEvent[]> {
    const bytes = await getBytes(this.vm.url(GUEST_FILES_PORT, '/api/events.jsonl'), 30_000);
    if (bytes === null) return [];
    return bytes
      .toString('utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => EventSchema.parse(JSON.parse(line)));
  }

  async lastSeq(): Promise<number> {
    return (await this.events()).at(-1)?.seq ?? 0;
  }

  /** The `to` states of this drive's state_changed events after `afterSeq`. */
  async trail(afterSeq = 0): Promise<DriveState[]> {
    return (await this.events())
      .filter((e) => e.seq > afterSeq && e.drive === this.driveId && e.type === 'state_changed')
      .map((e) => e.data.to as DriveState);
  }

  /** Waits for an event of `type` after `afterSeq` that satisfies `match`. */
  async waitForEvent(type: ContractEvent['type'], afterSeq: number, match: (e: ContractEvent) => boolean = () => true, timeoutMs = 180_000): Promise<ContractEvent> {
    return waitFor(async () => (await this.events()).find((e) => e.seq > afterSeq && e.type === type && match(e)), {
      timeoutMs,
      intervalMs: 500,
      message: `event ${type} after seq ${afterSeq}`,
    });
  }

  /** Waits for a transition into `state` after `afterSeq`. */
  waitForState(state: DriveState, afterSeq: number, timeoutMs = 180_000): Promise<ContractEvent> {
    return this.waitForEvent('state_changed', afterSeq, (e) => e.drive === this.driveId && e.data.to === state, timeoutMs);
  }

  /**
   * Waits until status.json says `state` now and the event that announces it is in the log
   * (status.json is written first): reads of either file after this agree.
   */
  async waitForCurrentState(state: DriveState, timeoutMs = 180_000): Promise<DriveStatus> {
    return waitFor(
      async () => {
        const status = await this.status();
        if (status?.state !== state) return null;
        return (await this.trail()).at(-1) === state ? status : null;
      },
      { timeoutMs, intervalMs: 500, message: `status.json state ${state}` },
    );
  }

  /** Waits for the history entry of the disc labelled `label` that finished after `afterCount` entries existed. */
  async waitForHistory(label: string, afterCount: number, timeoutMs = 240_000): Promise<HistoryEntry> {
    return waitFor(
      async () => {
        const history = await this.history();
        if (history === null || history.entries.length <= afterCount) return null;
        return history.entries.slice(0, history.entries.length - afterCount).find((e) => e.disc_label === label) ?? null;
      },
      { timeoutMs, intervalMs: 1000, message: `a history entry for ${label}` },
    );
  }

  async historyCount(): Promise<number> {
    return (await this.history())?.entries.length ?? 0;
  }

  /** The bytes of a file the core wrote under the output folder (null: it does not exist). */
  async outputFile(guestPath: string): Promise<Buffer | null> {
    if (!guestPath.startsWith(`${GUEST_OUTPUT_DIR}/`)) throw new Error(`${guestPath} is outside ${GUEST_OUTPUT_DIR}`);
    const relative = guestPath.slice(GUEST_OUTPUT_DIR.length + 1).split('/').map(encodeURIComponent).join('/');
    return getBytes(this.vm.url(GUEST_FILES_PORT, `/out/${relative}`), 300_000);
  }

  /** POST a control command to the core (web server in the guest). */
  async command(body: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
    const response = await fetch(this.vm.url(GUEST_WEB_PORT, `/api/drives/${this.driveId}/command`), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CONTROL_HEADER]: '1' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    return { status: response.status, body: await response.json() };
  }
}
