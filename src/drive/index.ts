/** Optical drives: the Drive interface, the simulated drive, and (on Linux) the real one. */
export * from './types.js';
export { DriveReadError, DriveOperationError } from './errors.js';
export { SimulatedDrive } from './simulated.js';
export { readSimState, updateSimState, simInsert, simRemoveDisc, simReset, trayImage, type SimState } from './simulated-state.js';
export { createDrive } from './factory.js';
/** Readers still closing behind a stuck read; a close that waits at most a moment. */
export { closeWithin } from './closing-readers.js';
/** Page-aligned buffers (O_DIRECT, whole FUSE requests). */
export { alignedBuffer } from './aligned.js';
