import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { parseOptions, type Config } from '../../src/config/index.js';
import {
  apiPaths,
  DriveStatusSchema,
  HistorySchema,
  readContractValue,
  readEventsAfter,
  type ContractEvent,
  type DriveState,
  type History,
} from '../../src/contract/index.js';
import { startCore, type CoreDeps, type RunningCore } from '../../src/core/run.js';
import { LogBuffer } from '../../src/log/index.js';
import { waitFor } from './wait.js';

export const FAST_INTERVALS = { drive: 100, media: 50, removal: 50 };

export function testConfig(dir: string, driveFolders: readonly string[], extra: Record<string, unknown> = {}): Config {
  return parseOptions(
    {
      drives: driveFolders.map((f) => `sim:${f}`),
      api_dir: join(dir, 'api'),
      output_dir: join(dir, 'output'),
      min_free_space_mb: 0,
      log_level: 'warning',
      ...extra,
    },
    '(test)',
  );
}

/** The real core (no web server) with fast polling, for machine-level integration tests; `deps` can inject the tools found. */
export async function startTestCore(config: Config, overrides: Record<string, unknown> = {}, deps: Pick<CoreDeps, 'tools' | 'drives'> = {}): Promise<RunningCore> {
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  return startCore({
    config,
    logger,
    logs: new LogBuffer(),
    web: false,
    machineOverrides: { intervalsMs: FAST_INTERVALS, progressIntervalMs: 100, ...overrides },
    ...deps,
  });
}

export async function driveState(config: Config, driveId: string): Promise<DriveState | null> {
  return (await readContractValue(apiPaths(config.api_dir).status(driveId), DriveStatusSchema))?.state ?? null;
}

/**
 * Waits until status.json says `state` and the state_changed event announcing it is in the log
 * (status.json is written first): reads of either file after this agree.
 */
export async function waitForState(config: Config, driveId: string, state: DriveState, timeoutMs = 30_000): Promise<void> {
  await waitFor(async () => (await driveState(config, driveId)) === state && (await stateTrail(config, driveId)).at(-1) === state, {
    timeoutMs,
    message: `${driveId} in ${state}`,
  });
}

export async function history(config: Config): Promise<History | null> {
  return readContractValue(apiPaths(config.api_dir).history, HistorySchema);
}

export async function events(config: Config): Promise<ContractEvent[]> {
  return readEventsAfter(apiPaths(config.api_dir), 0);
}

/** The `to` states of the drive's state_changed events, in order. */
export async function stateTrail(config: Config, driveId: string): Promise<string[]> {
  return (await events(config)).filter((e) => e.drive === driveId && e.type === 'state_changed').map((e) => String(e.data.to));
}

export async function sameBytes(a: string, b: string, length?: number): Promise<boolean> {
  const [x, y] = await Promise.all([readFile(a), readFile(b)]);
  const n = length ?? x.length;
  return y.length === n && x.subarray(0, n).equals(y);
}
