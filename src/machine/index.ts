/** Per-drive state machines, the only writer of /data/api, and the core's ControlApi. */
export { DriveMachine } from './drive-machine.js';
export { ContractStore } from './contract-store.js';
export { MachineControl } from './control.js';
export { machineOptions, type MachineOptions } from './options.js';
export { reconcileDrive, removeOrphanPartials } from './reconcile.js';
export { RuntimeSwitches, runtimeSwitchesPath } from './runtime-switches.js';
export { nextStateOnPoll, pollIntervalFor, defaultMessage } from './transitions.js';
export { sizeToCopy } from './analyze.js';
export type { ResumeCandidate } from './copy-job.js';
/** The copy method for a disc from the options and the tools found at start-up (pure), and the summary of it for system.json. */
export { chooseMethod, methodNotesInEffect, methodsInEffect, type MethodDisc, type MethodOptions } from './method-choice.js';
