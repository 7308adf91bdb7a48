import { rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import {
  CHECKSUM_CHOICES,
  DUPLICATE_POLICIES,
  readContractFile,
  writeJsonAtomic,
  type ChecksumChoice,
  type DuplicatePolicy,
} from '../contract/index.js';
import type { Logger } from '../log/index.js';
import { errorMessage } from '../util/errors.js';

/** One setting as set at run time, with the option's value at that moment: a changed option overrides it. */
const settingSchema = <T extends z.ZodTypeAny>(value: T) => z.object({ value, option: value });

const SwitchesSchema = z.object({
  schema_version: z.literal(1),
  drives: z.record(
    z.string(),
    z.object({
      // Optional: a drive may have only other settings saved.
      auto_copy: z.boolean().optional(),
      /** The `auto_copy` option when the switch was set: a changed option overrides the switch. */
      option_auto_copy: z.boolean().optional(),
      duplicate_policy: settingSchema(z.enum(DUPLICATE_POLICIES)).optional(),
      checksum: settingSchema(z.enum(CHECKSUM_CHOICES)).optional(),
    }),
  ),
});
type Switches = z.infer<typeof SwitchesSchema>;
type DriveSwitches = Switches['drives'][string];

/** `runtime-switches.json` beside the api dir (`/data` in the add-on): not part of the watchers' contract. */
export function runtimeSwitchesPath(apiDir: string): string {
  return join(dirname(apiDir), 'runtime-switches.json');
}

/**
 * Switches set at run time (each drive's Auto-copy switch, duplicate policy and checksum choice),
 * kept across restarts so that a disc left in the tray is not copied after a restart when the
 * user had turned copying off, and a setting chosen in Home Assistant stays chosen.
 */
export class RuntimeSwitches {
  #switches: Switches;
  #writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string,
    switches: Switches,
    private readonly log: Logger,
  ) {
    this.#switches = switches;
  }

  /** Reads the file; one that cannot be parsed or validated is kept aside with a warning, never dropped silently. */
  static async load(path: string, log: Logger): Promise<RuntimeSwitches> {
    const empty: Switches = { schema_version: 1, drives: {} };
    const read = await readContractFile(path, SwitchesSchema);
    if (read.ok) return new RuntimeSwitches(path, read.value, log);
    if (read.reason !== 'missing') {
      const aside = `${path}.bad-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await rename(path, aside).catch(() => undefined);
      log.warn({ path, aside, reason: read.reason, detail: read.detail }, 'runtime switches unreadable (%s); kept aside as %s, using the options', read.reason, aside);
    }
    return new RuntimeSwitches(path, empty, log);
  }

  /** The switch as last set, unless the option has changed since (then the option). */
  autoCopy(driveId: string, option: boolean): boolean {
    const saved = this.#switches.drives[driveId];
    return saved?.auto_copy !== undefined && saved.option_auto_copy === option ? saved.auto_copy : option;
  }

  /** The duplicate policy as last set for the drive, unless the option has changed since. */
  duplicatePolicy(driveId: string, option: DuplicatePolicy): DuplicatePolicy {
    const saved = this.#switches.drives[driveId]?.duplicate_policy;
    return saved && saved.option === option ? saved.value : option;
  }

  /** The checksum choice as last set for the drive, unless the option has changed since. */
  checksum(driveId: string, option: ChecksumChoice): ChecksumChoice {
    const saved = this.#switches.drives[driveId]?.checksum;
    return saved && saved.option === option ? saved.value : option;
  }

  /** Saves the switch (writes in order; a failed write is logged, the switch still applies until restart). */
  setAutoCopy(driveId: string, enabled: boolean, option: boolean): Promise<void> {
    return this.#save(driveId, { auto_copy: enabled, option_auto_copy: option });
  }

  setDuplicatePolicy(driveId: string, value: DuplicatePolicy, option: DuplicatePolicy): Promise<void> {
    return this.#save(driveId, { duplicate_policy: { value, option } });
  }

  setChecksum(driveId: string, value: ChecksumChoice, option: ChecksumChoice): Promise<void> {
    return this.#save(driveId, { checksum: { value, option } });
  }

  #save(driveId: string, change: DriveSwitches): Promise<void> {
    this.#switches = {
      ...this.#switches,
      drives: { ...this.#switches.drives, [driveId]: { ...this.#switches.drives[driveId], ...change } },
    };
    const snapshot = this.#switches;
    this.#writes = this.#writes.then(() =>
      writeJsonAtomic(this.path, snapshot).catch((error: unknown) => {
        this.log.warn({ path: this.path, err: errorMessage(error) }, 'cannot save the runtime switches: %s', errorMessage(error));
      }),
    );
    return this.#writes;
  }
}
