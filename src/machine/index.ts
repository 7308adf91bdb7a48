/** Per-drive state machines, the only writer of /data/api, and the core's ControlApi. */
export { DriveMachine, type DriveMachineDeps } from './drive-machine.js';
export { ContractStore } from './contract-store.js';
export { MachineControl } from './control.js';
export { machineOptions, checksumList, type MachineOptions } from './options.js';
export { reconcileDrive, removeOrphanPartials } from './reconcile.js';
export { nextStateOnPoll, pollIntervalFor, defaultMessage } from './transitions.js';
export { sizeToCopy } from './analyze.js';
export { jobIdFor, type ResumeCandidate } from './copy-job.js';
export { chooseMethod, albumLabel, type CopyMethod } from './methods.js';
export type { MachineEvents } from './events.js';
