import { coded, refused, type ControlApi, type ControlCommand, type ControlResult } from '../contract/index.js';
import type { DriveMachine } from './drive-machine.js';

/** The core's ControlApi: routes a command to the machine of its drive. */
export class MachineControl implements ControlApi {
  readonly #machines: ReadonlyMap<string, DriveMachine>;

  constructor(machines: readonly DriveMachine[]) {
    this.#machines = new Map(machines.map((m) => [m.id, m]));
  }

  driveIds(): readonly string[] {
    return [...this.#machines.keys()];
  }

  async execute(driveId: string, command: ControlCommand): Promise<ControlResult> {
    const machine = this.#machines.get(driveId);
    if (!machine) return refused(404, coded('cmd_unknown_drive', { drive: driveId }));
    return machine.execute(command);
  }
}
