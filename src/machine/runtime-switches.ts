import { rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { readContractFile, writeJsonAtomic } from '../contract/index.js';
import type { Logger } from '../log/index.js';
import { errorMessage } from '../util/errors.js';

const SwitchesSchema = z.object({
  schema_version: z.literal(1),
  drives: z.record(
    z.string(),
    z.object({
      auto_copy: z.boolean(),
      /** The `auto_copy` option when the switch was set: a changed option overrides the switch. */
      option_auto_copy: z.boolean(),
    }),
  ),
});
type Switches = z.infer<typeof SwitchesSchema>;

/** `runtime-switches.json` beside the api dir (`/data` in the add-on): not part of the watchers' contract. */
export function runtimeSwitchesPath(apiDir: string): string {
  return join(dirname(apiDir), 'runtime-switches.json');
}

/**
 * Switches set at run time (the Auto-copy switch of each drive), kept across restarts so that a
 * disc left in the tray is not copied after a restart when the user had turned copying off.
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
    return saved && saved.option_auto_copy === option ? saved.auto_copy : option;
  }

  /** Saves the switch (writes in order; a failed write is logged, the switch still applies until restart). */
  setAutoCopy(driveId: string, enabled: boolean, option: boolean): Promise<void> {
    this.#switches = {
      ...this.#switches,
      drives: { ...this.#switches.drives, [driveId]: { auto_copy: enabled, option_auto_copy: option } },
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
