import { join } from 'node:path';
import { CORE_LOCK_NAME } from './liveness.js';

/** File layout of the /data/api contract. */
export interface ApiPaths {
  readonly root: string;
  readonly history: string;
  readonly system: string;
  readonly events: string;
  /** The previous generation of the event log after a rotation. */
  readonly eventsRotated: string;
  readonly drivesDir: string;
  /** The core's lock; its mtime is the core's liveness (see liveness.ts). */
  readonly coreLock: string;
  driveDir(driveId: string): string;
  status(driveId: string): string;
  progress(driveId: string): string;
  attributes(driveId: string): string;
  /** Covers of the current disc's candidates (`CoverFileSchema` names), emptied when the disc leaves. */
  covers(driveId: string): string;
}

export function apiPaths(root: string): ApiPaths {
  const drivesDir = join(root, 'drives');
  return {
    root,
    history: join(root, 'history.json'),
    system: join(root, 'system.json'),
    events: join(root, 'events.jsonl'),
    eventsRotated: join(root, 'events.1.jsonl'),
    drivesDir,
    coreLock: join(root, CORE_LOCK_NAME),
    driveDir: (id) => join(drivesDir, id),
    status: (id) => join(drivesDir, id, 'status.json'),
    progress: (id) => join(drivesDir, id, 'progress.json'),
    attributes: (id) => join(drivesDir, id, 'attributes.json'),
    covers: (id) => join(drivesDir, id, 'covers'),
  };
}
